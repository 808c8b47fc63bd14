// telnyx_media.cpp: reading Telnyx's media frames and writing ours.
#include "providers/telnyx/telnyx_media.hpp"

#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace donna::relay {
namespace {

using json = nlohmann::json;

// A number Telnyx may send as a JSON number or as a string of digits; -1 when absent or
// unreadable.
std::int64_t number_of(const json& object, std::string_view name)
{
    const auto* field = json_member(object, name);
    if (field == nullptr)
        return -1;
    if (field->is_number_integer())
        return field->get<std::int64_t>();
    if (field->is_string()) {
        const auto& text = field->get_ref<const std::string&>();
        std::int64_t value = -1;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size())
            return value;
    }
    return -1;
}

const json* object_member(const json& object, std::string_view name)
{
    const auto* field = json_member(object, name);
    return field != nullptr && field->is_object() ? field : nullptr;
}

telnyx_media_kind kind_of(std::string_view event)
{
    if (event == "media")
        return telnyx_media_kind::media;
    if (event == "start")
        return telnyx_media_kind::start;
    if (event == "connected")
        return telnyx_media_kind::connected;
    if (event == "mark")
        return telnyx_media_kind::mark;
    if (event == "dtmf")
        return telnyx_media_kind::dtmf;
    if (event == "stop")
        return telnyx_media_kind::stop;
    if (event == "error")
        return telnyx_media_kind::error;
    return telnyx_media_kind::other;
}

status read_start(const json& frame, telnyx_media_frame& out)
{
    const auto* start = object_member(frame, "start");
    if (start == nullptr)
        return make_error(errc::missing_field, "a start frame without its start object");
    out.call_control_id = json_string_member(*start, "call_control_id");
    out.call_session_id = json_string_member(*start, "call_session_id");
    out.from = json_string_member(*start, "from");
    out.to = json_string_member(*start, "to");
    out.client_state = json_string_member(*start, "client_state");
    const auto* format = object_member(*start, "media_format");
    if (format == nullptr)
        return make_error(errc::missing_field, "a start frame without start.media_format");
    out.encoding = json_string_member(*format, "encoding");
    if (out.encoding.empty())
        return make_error(errc::missing_field, "a start frame without start.media_format.encoding");
    out.sample_rate = static_cast<int>(number_of(*format, "sample_rate"));
    const auto channels = number_of(*format, "channels");
    out.channels = channels > 0 ? static_cast<int>(channels) : 1;
    return ok();
}

status read_media(const json& frame, telnyx_media_frame& out)
{
    const auto* media = object_member(frame, "media");
    const auto* payload = media != nullptr ? json_member(*media, "payload") : nullptr;
    if (payload == nullptr)
        return make_error(errc::missing_field, "a media frame without media.payload");
    if (!payload->is_string())
        return make_error(errc::wrong_type, "media.payload must be a base64 string");
    out.payload_base64 = payload->get<std::string>();
    out.track = json_string_member(*media, "track");
    out.chunk = number_of(*media, "chunk");
    out.timestamp = number_of(*media, "timestamp");
    return ok();
}

} // namespace

result<telnyx_media_frame> parse_telnyx_media_frame(std::string_view text)
{
    if (text.size() > telnyx_media_frame_max)
        return make_error(errc::payload_too_large, "a media stream frame of " +
                                                       std::to_string(text.size()) +
                                                       " bytes is over the limit of " +
                                                       std::to_string(telnyx_media_frame_max));
    const auto frame = json::parse(text, nullptr, false);
    if (frame.is_discarded())
        return make_error(errc::invalid_json, "a media stream frame that is not JSON");
    if (!frame.is_object())
        return make_error(errc::not_an_object, "a media stream frame must be a JSON object");
    const auto* event = json_member(frame, "event");
    if (event == nullptr)
        return make_error(errc::missing_field, "a media stream frame without \"event\"");
    if (!event->is_string())
        return make_error(errc::wrong_type, "\"event\" must be a string");
    telnyx_media_frame out;
    out.event = event->get<std::string>();
    out.kind = kind_of(out.event);
    out.sequence = number_of(frame, "sequence_number");
    out.stream_id = json_string_member(frame, "stream_id");
    switch (out.kind) {
    case telnyx_media_kind::start:
        if (auto read = read_start(frame, out); !read)
            return read.error();
        break;
    case telnyx_media_kind::media:
        if (auto read = read_media(frame, out); !read)
            return read.error();
        break;
    case telnyx_media_kind::dtmf:
        if (const auto* dtmf = object_member(frame, "dtmf"))
            out.digit = json_string_member(*dtmf, "digit");
        break;
    case telnyx_media_kind::mark:
        if (const auto* mark = object_member(frame, "mark"))
            out.mark_name = json_string_member(*mark, "name");
        break;
    case telnyx_media_kind::error: {
        // The error's fields are not pinned down in Telnyx's spec: read them from "payload"
        // or "error", whichever the frame has.
        const auto* detail = object_member(frame, "payload");
        if (detail == nullptr)
            detail = object_member(frame, "error");
        if (detail != nullptr) {
            out.error_code = json_string_member(*detail, "code");
            if (out.error_code.empty())
                if (const auto code = number_of(*detail, "code"); code >= 0)
                    out.error_code = std::to_string(code);
            out.error_title = json_string_member(*detail, "title");
            out.error_detail = json_string_member(*detail, "detail");
        }
        break;
    }
    case telnyx_media_kind::connected:
    case telnyx_media_kind::stop:
    case telnyx_media_kind::other:
        break;
    }
    return out;
}

std::string telnyx_media_out(std::string_view payload_base64)
{
    std::string out = R"({"event":"media","media":{"payload":")";
    out.append(payload_base64); // base64: nothing in it needs escaping
    out.append("\"}}");
    return out;
}

std::string telnyx_mark_out(std::string_view name)
{
    return dump_json(json{{"event", "mark"}, {"mark", {{"name", name}}}});
}

std::string telnyx_clear_out()
{
    return R"({"event":"clear"})";
}

} // namespace donna::relay
