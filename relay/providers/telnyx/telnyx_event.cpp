// telnyx_event.cpp: the envelope's three fields, and ISO 8601 times.
#include "providers/telnyx/telnyx_event.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <ctime>

namespace donna::relay {
namespace {

using json = nlohmann::json;

// Every event_type literal of telnyx-node's src/resources/webhooks.ts that the relay may see on
// its Call Control and messaging webhook, besides the conference, fax and SIPREC families.
constexpr std::array<std::string_view, 44> known_types = {
    "call.initiated",
    "call.answered",
    "call.bridged",
    "call.hangup",
    "call.dtmf.received",
    "call.gather.ended",
    "call.speak.started",
    "call.speak.ended",
    "call.playback.started",
    "call.playback.ended",
    "call.recording.saved",
    "call.recording.error",
    "call.recording.transcription.saved",
    "call.machine.detection.ended",
    "call.machine.greeting.ended",
    "call.machine.premium.detection.ended",
    "call.machine.premium.greeting.ended",
    "call.fork.started",
    "call.fork.stopped",
    "call.hold",
    "call.unhold",
    "call.enqueued",
    "call.dequeued",
    "call.refer.started",
    "call.refer.completed",
    "call.refer.failed",
    "call.transcription",
    "call.cost",
    "call.conversation.ended",
    "call.ai_gather.ended",
    "call.ai_gather.partial_results",
    "call.ai_gather.message_history_updated",
    "streaming.started",
    "streaming.stopped",
    "streaming.failed",
    "message.received",
    "message.sent",
    "message.finalized",
    "number_order.complete",
    "call.siprec.started",
    "call.siprec.stopped",
    "call.siprec.failed",
    "conference.created",
    "conference.ended",
};

error field_error(errc code, const char* field, const char* rule)
{
    return make_error(code, std::string("data.") + field + " " + rule);
}

// data.<field>: a non-empty string of at most `max` characters.
result<std::string> string_field(const json& data, const char* field, std::size_t max)
{
    const auto it = data.find(field);
    if (it == data.end() || it->is_null())
        return field_error(errc::missing_field, field, "is missing");
    if (!it->is_string())
        return field_error(errc::wrong_type, field, "must be a string");
    const auto& text = it->get_ref<const std::string&>();
    if (text.empty() || text.size() > max)
        return field_error(errc::invalid_argument, field,
                           "must be 1 to a bounded number of characters");
    return text;
}

bool digits(std::string_view text, std::size_t at, std::size_t count, int& out)
{
    if (at + count > text.size())
        return false;
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

} // namespace

std::optional<std::int64_t> iso8601_unix_ms(std::string_view t)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(t, 0, 4, year) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, month) ||
        t[7] != '-' || !digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
        !digits(t, 11, 2, hour) || t[13] != ':' || !digits(t, 14, 2, minute) || t[16] != ':' ||
        !digits(t, 17, 2, second))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    std::size_t at = 19;
    std::int64_t millis = 0;
    if (at < t.size() && t[at] == '.') {
        ++at;
        std::int64_t scale = 100;
        const std::size_t start = at;
        while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
            millis += static_cast<std::int64_t>(t[at] - '0') * scale;
            scale /= 10;
            ++at;
        }
        if (at == start)
            return std::nullopt;
    }
    std::int64_t offset_seconds = 0;
    if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) {
        ++at;
    } else if (at < t.size() && (t[at] == '+' || t[at] == '-')) {
        int oh = 0, om = 0;
        if (!digits(t, at + 1, 2, oh) || at + 3 >= t.size() || t[at + 3] != ':' ||
            !digits(t, at + 4, 2, om))
            return std::nullopt;
        offset_seconds =
            (t[at] == '+' ? 1 : -1) * (std::int64_t{oh} * 3600 + std::int64_t{om} * 60);
        at += 6;
    } else {
        return std::nullopt; // a time without a zone is not an instant
    }
    if (at != t.size())
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const auto seconds = static_cast<std::int64_t>(timegm(&tm)) - offset_seconds;
    return seconds * 1000 + millis;
}

result<telnyx_event> parse_telnyx_event(std::string_view body)
{
    const auto doc = json::parse(body, nullptr, false);
    if (doc.is_discarded())
        return make_error(errc::invalid_json, "the webhook body is not JSON");
    if (!doc.is_object())
        return make_error(errc::not_an_object, "the webhook body must be a JSON object");
    const auto data = doc.find("data");
    if (data == doc.end())
        return make_error(errc::missing_field, "data is missing");
    if (!data->is_object())
        return make_error(errc::wrong_type, "data must be an object");
    auto id = string_field(*data, "id", 128);
    if (!id)
        return id.error();
    auto type = string_field(*data, "event_type", 64);
    if (!type)
        return type.error();
    auto occurred = string_field(*data, "occurred_at", 64);
    if (!occurred)
        return occurred.error();
    const auto ms = iso8601_unix_ms(*occurred);
    if (!ms)
        return field_error(errc::invalid_argument, "occurred_at", "must be an ISO 8601 time");
    return telnyx_event{std::move(*id), std::move(*type), std::move(*occurred), *ms};
}

bool is_known_telnyx_event(std::string_view type)
{
    return std::find(known_types.begin(), known_types.end(), type) != known_types.end();
}

} // namespace donna::relay
