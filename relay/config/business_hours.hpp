// business_hours.hpp: when a business takes calls (the sites file's `business_hours`), in its
// own time zone, and what DONNA does outside those hours.
//
//   "business_hours": {
//     "timezone": "America/New_York",            // an IANA zone, read from /usr/share/zoneinfo
//     "mon": "09:00-17:00", "tue": "09:00-12:00,13:00-17:00", ...,   // absent or "": closed
//     "after_hours": "answer"                    // or "message"
//   }
//
//   auto hours = parse_business_hours(site_json["business_hours"]);
//   if (!hours->open_at(unix_now())) ...
//   hours->describe();   // "Monday 09:00-17:00; ...; Sunday closed (America/New_York)"
//
// The zone's rules come from its TZif file's footer (RFC 8536 section 3.3: a POSIX TZ string
// such as "EST5EDT,M3.2.0,M11.1.0", the rule for every time after the file's table), read once
// when the sites file is loaded. libstdc++ 12 has no time-zone database (std::chrono::tzdb
// came in 13), and the footer is all a business's opening hours, today and ahead, need. Rules
// in the Jn and n day forms (used by no current zone) are refused by name.
#pragma once

#include "core/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

// A POSIX TZ rule: standard offset, and a daylight offset with its start and end when the zone
// has one. Offsets are seconds east of UTC (local = UTC + offset).
struct tz_rule {
    struct change {
        int month = 0;      // 1-12
        int week = 0;       // 1-5 (5: the last)
        int weekday = 0;    // 0 = Sunday
        int seconds = 7200; // local time of day of the change (may be negative or past 24 h)
    };
    int std_offset = 0;
    bool has_dst = false;
    int dst_offset = 0;
    change dst_start;
    change dst_end;

    // The offset in force at this instant.
    int offset_at(std::int64_t unix_seconds) const;
};

// "EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30", "UTC0": errors name what is wrong.
result<tz_rule> parse_posix_tz(std::string_view text);
// The zone's rule from its TZif file (/usr/share/zoneinfo/<name>). Errors: invalid_argument
// (not a zone name), not_found (no such file), invalid_json... (io_error for an unreadable
// or footer-less file).
result<tz_rule> load_time_zone(const std::string& name);

struct business_hours {
    enum class after { answer, message };

    std::string timezone;
    tz_rule zone;
    // Per weekday (0 = Sunday), the open intervals in minutes from local midnight.
    std::array<std::vector<std::pair<int, int>>, 7> open = {};
    after after_hours = after::answer;

    bool open_at(std::int64_t unix_seconds) const;
    // The week in words, for DONNA's instructions ("Monday 09:00-17:00; ...").
    std::string describe() const;
};

// The `business_hours` object of a site (errors name the field and what is wrong).
result<business_hours> parse_business_hours(const nlohmann::json& object);

} // namespace donna::relay
