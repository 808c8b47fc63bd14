// business_hours.cpp: a POSIX TZ rule read and applied, and the week's opening hours.
#include "config/business_hours.hpp"

#include "config/text_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

namespace donna::relay {
namespace {

using namespace std::chrono;

constexpr std::string_view zoneinfo_dir = "/usr/share/zoneinfo/";
constexpr std::array<std::string_view, 7> day_keys = {"sun", "mon", "tue", "wed",
                                                      "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> day_names = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// A reader over a POSIX TZ string; each step returns false on text it cannot take.
struct tz_reader {
    std::string_view text;
    std::size_t at = 0;

    bool done() const { return at >= text.size(); }
    char peek() const { return done() ? '\0' : text[at]; }

    // A zone abbreviation: three or more letters, or <...> (letters, digits, + and -).
    bool name()
    {
        if (peek() == '<') {
            const auto close = text.find('>', at);
            if (close == std::string_view::npos || close - at < 4)
                return false;
            at = close + 1;
            return true;
        }
        const auto first = at;
        while (!done() && ((peek() >= 'A' && peek() <= 'Z') || (peek() >= 'a' && peek() <= 'z')))
            ++at;
        return at - first >= 3;
    }

    // A number of at most `digits` digits.
    bool number(int& out, int digits)
    {
        const auto first = at;
        out = 0;
        while (!done() && is_digit(peek()) && static_cast<int>(at - first) < digits)
            out = out * 10 + (text[at++] - '0');
        return at > first;
    }

    // [+-]hh[:mm[:ss]] in seconds (hours up to 167, as RFC 8536 allows in rule times).
    bool clock(int& seconds)
    {
        int sign = 1;
        if (peek() == '+' || peek() == '-')
            sign = text[at++] == '-' ? -1 : 1;
        int hours = 0;
        if (!number(hours, 3) || hours > 167)
            return false;
        int minutes = 0;
        int secs = 0;
        if (peek() == ':') {
            ++at;
            if (!number(minutes, 2) || minutes > 59)
                return false;
            if (peek() == ':') {
                ++at;
                if (!number(secs, 2) || secs > 59)
                    return false;
            }
        }
        seconds = sign * (hours * 3600 + minutes * 60 + secs);
        return true;
    }

    // Mm.w.d[/time]
    bool change(tz_rule::change& out)
    {
        if (peek() != 'M')
            return false;
        ++at;
        if (!number(out.month, 2) || out.month < 1 || out.month > 12 || peek() != '.')
            return false;
        ++at;
        if (!number(out.week, 1) || out.week < 1 || out.week > 5 || peek() != '.')
            return false;
        ++at;
        if (!number(out.weekday, 1) || out.weekday > 6)
            return false;
        if (peek() == '/') {
            ++at;
            return clock(out.seconds);
        }
        return true;
    }
};

// The UTC instant (seconds) of a change in `year`, given the offset in force before it.
std::int64_t change_instant(int year, const tz_rule::change& c, int offset_before)
{
    const auto y = std::chrono::year{year};
    const auto m = std::chrono::month{static_cast<unsigned>(c.month)};
    const auto wd = std::chrono::weekday{static_cast<unsigned>(c.weekday)};
    const sys_days day = c.week == 5
                             ? sys_days(year_month_weekday_last{y, m, weekday_last{wd}})
                             : sys_days(year_month_weekday{
                                   y, m, weekday_indexed{wd, static_cast<unsigned>(c.week)}});
    return day.time_since_epoch().count() * std::int64_t{86400} + c.seconds - offset_before;
}

// "HH:MM" in minutes (24:00 allowed as an end).
bool minutes_of(std::string_view text, int& out)
{
    if (text.size() != 5 || text[2] != ':' || !is_digit(text[0]) || !is_digit(text[1]) ||
        !is_digit(text[3]) || !is_digit(text[4]))
        return false;
    const int hours = (text[0] - '0') * 10 + (text[1] - '0');
    const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
    if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0))
        return false;
    out = hours * 60 + minutes;
    return true;
}

std::string clock_text(int minutes)
{
    const auto two = [](int n) {
        return std::string(n < 10 ? "0" : "") + std::to_string(n);
    };
    return two(minutes / 60) + ":" + two(minutes % 60);
}

} // namespace

int tz_rule::offset_at(std::int64_t unix_seconds) const
{
    if (!has_dst)
        return std_offset;
    const auto local_day = sys_days{days{(unix_seconds + std_offset) / 86400}};
    const int year = static_cast<int>(year_month_day{local_day}.year());
    const auto start = change_instant(year, dst_start, std_offset);
    const auto end = change_instant(year, dst_end, dst_offset);
    const bool dst = start < end ? (unix_seconds >= start && unix_seconds < end)
                                 : !(unix_seconds >= end && unix_seconds < start);
    return dst ? dst_offset : std_offset;
}

result<tz_rule> parse_posix_tz(std::string_view text)
{
    tz_reader r{text};
    tz_rule rule;
    int west = 0;
    if (!r.name() || !r.clock(west))
        return make_error(errc::invalid_argument,
                          "the zone's rule does not start with a name and an offset");
    rule.std_offset = -west; // POSIX counts hours west of Greenwich
    if (r.done())
        return rule;
    if (!r.name())
        return make_error(errc::invalid_argument, "the zone's daylight-time name is not readable");
    rule.has_dst = true;
    rule.dst_offset = rule.std_offset + 3600;
    if (r.peek() != ',') {
        if (!r.clock(west))
            return make_error(errc::invalid_argument, "the zone's daylight offset is not readable");
        rule.dst_offset = -west;
    }
    if (r.peek() != ',')
        return make_error(errc::invalid_argument, "the zone's rule says no daylight-time dates");
    ++r.at;
    if (!r.change(rule.dst_start) || r.peek() != ',')
        return make_error(errc::invalid_argument,
                          "the zone's daylight time starts on a date not in the Mm.w.d form");
    ++r.at;
    if (!r.change(rule.dst_end) || !r.done())
        return make_error(errc::invalid_argument,
                          "the zone's daylight time ends on a date not in the Mm.w.d form");
    return rule;
}

result<tz_rule> load_time_zone(const std::string& name)
{
    const bool safe = !name.empty() && name.size() <= 64 && name.front() != '/' &&
                      name.find("..") == std::string::npos &&
                      std::all_of(name.begin(), name.end(), [](char c) {
                          return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
                                 c == '/' || c == '_' || c == '-' || c == '+';
                      });
    if (!safe)
        return make_error(errc::invalid_argument,
                          "\"" + name + "\" is not a time zone name (such as Europe/Paris)");
    auto bytes = read_text_file(std::string(zoneinfo_dir) + name);
    if (!bytes)
        return make_error(bytes.error().code == errc::not_found ? errc::not_found : errc::io_error,
                          "time zone \"" + name + "\": " + bytes.error().message);
    const auto& data = *bytes;
    // TZif version 2 or later ends with "\n<POSIX TZ string>\n".
    if (data.size() < 6 || !data.starts_with("TZif") || data[4] < '2' || data.back() != '\n')
        return make_error(errc::io_error, "time zone \"" + name +
                                              "\": not a TZif file of "
                                              "version 2 or later");
    const auto footer_start = data.rfind('\n', data.size() - 2);
    const auto footer =
        std::string_view(data).substr(footer_start + 1, data.size() - footer_start - 2);
    if (footer_start == std::string::npos || footer.empty())
        return make_error(errc::io_error,
                          "time zone \"" + name + "\": its file has no rule for times ahead");
    auto rule = parse_posix_tz(footer);
    if (!rule)
        return make_error(rule.error().code, "time zone \"" + name + "\": " + rule.error().message);
    return rule;
}

bool business_hours::open_at(std::int64_t unix_seconds) const
{
    const auto local = unix_seconds + zone.offset_at(unix_seconds);
    const auto day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const auto weekday = static_cast<std::size_t>(((day % 7) + 11) % 7); // 1970-01-01: Thursday
    const auto minute = static_cast<int>((local - day * 86400) / 60);
    for (const auto& [from, to] : open[weekday])
        if (minute >= from && minute < to)
            return true;
    return false;
}

std::string business_hours::describe() const
{
    std::string out;
    for (std::size_t i = 1; i <= 7; ++i) { // Monday first
        const auto d = i % 7;
        out += (out.empty() ? "" : "; ") + std::string(day_names[d]) + " ";
        if (open[d].empty())
            out += "closed";
        for (std::size_t k = 0; k < open[d].size(); ++k)
            out += (k == 0 ? "" : ", ") + clock_text(open[d][k].first) + "-" +
                   clock_text(open[d][k].second);
    }
    return out + " (time zone " + timezone + ")";
}

result<business_hours> parse_business_hours(const nlohmann::json& object)
{
    if (!object.is_object())
        return make_error(errc::wrong_type, "\"business_hours\" must be an object");
    business_hours hours;
    for (const auto& [key, value] : object.items()) {
        if (key == "timezone") {
            if (!value.is_string())
                return make_error(errc::wrong_type, "\"business_hours.timezone\" must be a string");
            hours.timezone = value.get<std::string>();
            continue;
        }
        if (key == "after_hours") {
            if (!value.is_string() || (value != "answer" && value != "message"))
                return make_error(errc::out_of_range,
                                  "\"business_hours.after_hours\" must be \"answer\" or "
                                  "\"message\"");
            hours.after_hours =
                value == "message" ? business_hours::after::message : business_hours::after::answer;
            continue;
        }
        const auto day = std::find(day_keys.begin(), day_keys.end(), key);
        if (day == day_keys.end())
            return make_error(errc::invalid_argument,
                              "unknown field \"business_hours." + key +
                                  "\" (known: timezone, mon, tue, wed, thu, fri, sat, sun, "
                                  "after_hours)");
        if (!value.is_string())
            return make_error(errc::wrong_type, "\"business_hours." + key + "\" must be a string");
        const auto& spec = value.get_ref<const std::string&>();
        auto& intervals = hours.open[static_cast<std::size_t>(day - day_keys.begin())];
        if (spec.empty() || spec == "closed")
            continue;
        std::string_view rest = spec;
        int last_end = -1;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto part = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            int from = 0;
            int to = 0;
            if (part.size() != 11 || part[5] != '-' || !minutes_of(part.substr(0, 5), from) ||
                !minutes_of(part.substr(6), to) || from >= to || from < last_end)
                return make_error(errc::invalid_argument,
                                  "\"business_hours." + key +
                                      "\" must be \"HH:MM-HH:MM\" ranges in order, each ending "
                                      "after it starts, commas between (\"09:00-12:00,"
                                      "13:00-17:00\"), or \"closed\"");
            intervals.emplace_back(from, to);
            last_end = to;
        }
    }
    if (hours.timezone.empty())
        return make_error(errc::missing_field,
                          "\"business_hours.timezone\" is missing (such as \"Europe/Paris\")");
    auto zone = load_time_zone(hours.timezone);
    if (!zone)
        return zone.error();
    hours.zone = *zone;
    return hours;
}

} // namespace donna::relay
