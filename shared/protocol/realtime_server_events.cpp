// realtime_server_events.cpp: server events, field by field as the API sends them.
#include "protocol/realtime_server_events.hpp"

#include <utility>

namespace donna {

using json = nlohmann::json;
using event_kind = realtime_event_type;

assistant_message::assistant_message(dialect spelling, std::string response_id, std::string item_id,
                                     bool text_only, std::function<std::string()> next_event_id)
    : spelling_(spelling),
      response_id_(std::move(response_id)),
      item_id_(std::move(item_id)),
      text_only_(text_only),
      next_event_id_(std::move(next_event_id))
{}

json assistant_message::event(realtime_event_type type) const
{
    return json{{"type", std::string(event_type_name(type, spelling_))},
                {"event_id", next_event_id_()}};
}

json assistant_message::located(realtime_event_type type) const
{
    auto e = event(type);
    e["response_id"] = response_id_;
    e["item_id"] = item_id_;
    e["output_index"] = 0;
    e["content_index"] = 0;
    return e;
}

// The content part as the part events carry it: {"type":"audio","transcript"} or
// {"type":"text","text"} (the same in both dialects).
json assistant_message::part(std::string_view text) const
{
    return text_only_ ? json{{"type", "text"}, {"text", text}}
                      : json{{"type", "audio"}, {"transcript", text}};
}

json assistant_message::item_in_progress() const
{
    return json{{"id", item_id_},          {"object", "realtime.item"}, {"type", "message"},
                {"status", "in_progress"}, {"role", "assistant"},       {"content", json::array()}};
}

json assistant_message::item_completed(std::string_view text) const
{
    auto item = item_in_progress();
    item["status"] = "completed";
    // The item's content types were renamed by the GA release (audio -> output_audio).
    const bool beta = spelling_ == dialect::beta;
    const char* type =
        text_only_ ? (beta ? "text" : "output_text") : (beta ? "audio" : "output_audio");
    item["content"] = json::array({{{"type", type}, {text_only_ ? "text" : "transcript", text}}});
    return item;
}

json assistant_message::output_item_added() const
{
    auto e = event(event_kind::response_output_item_added);
    e["response_id"] = response_id_;
    e["output_index"] = 0;
    e["item"] = item_in_progress();
    return e;
}

json assistant_message::conversation_item_added(const std::optional<std::string>& previous) const
{
    auto e = event(spelling_ == dialect::beta ? event_kind::conversation_item_created
                                              : event_kind::conversation_item_added);
    e["previous_item_id"] = previous ? json(*previous) : json(nullptr);
    e["item"] = item_in_progress();
    return e;
}

json assistant_message::content_part_added() const
{
    auto e = located(event_kind::response_content_part_added);
    e["part"] = part("");
    return e;
}

json assistant_message::transcript_delta(std::string_view words) const
{
    auto e = located(text_only_ ? event_kind::response_output_text_delta
                                : event_kind::response_output_audio_transcript_delta);
    e["delta"] = words;
    return e;
}

json assistant_message::audio_delta(std::string base64_pcm16) const
{
    auto e = located(event_kind::response_output_audio_delta);
    e["delta"] = std::move(base64_pcm16);
    return e;
}

json assistant_message::audio_done() const
{
    return located(event_kind::response_output_audio_done);
}

json assistant_message::transcript_done(std::string_view text) const
{
    auto e = located(text_only_ ? event_kind::response_output_text_done
                                : event_kind::response_output_audio_transcript_done);
    e[text_only_ ? "text" : "transcript"] = text;
    return e;
}

json assistant_message::content_part_done(std::string_view text) const
{
    auto e = located(event_kind::response_content_part_done);
    e["part"] = part(text);
    return e;
}

json assistant_message::output_item_done(std::string_view text) const
{
    auto e = event(event_kind::response_output_item_done);
    e["response_id"] = response_id_;
    e["output_index"] = 0;
    e["item"] = item_completed(text);
    return e;
}

std::optional<json>
assistant_message::conversation_item_done(const std::optional<std::string>& previous,
                                          std::string_view text) const
{
    if (spelling_ == dialect::beta)
        return std::nullopt;
    auto e = event(event_kind::conversation_item_done);
    e["previous_item_id"] = previous ? json(*previous) : json(nullptr);
    e["item"] = item_completed(text);
    return e;
}

json response_event(realtime_event_type type, json response, std::string event_id, dialect spelling)
{
    return json{{"type", std::string(event_type_name(type, spelling))},
                {"event_id", std::move(event_id)},
                {"response", std::move(response)}};
}

json audio_committed(std::string event_id, const std::string& item_id,
                     const std::optional<std::string>& previous)
{
    return json{{"type", std::string(event_type_name(event_kind::input_audio_buffer_committed))},
                {"event_id", std::move(event_id)},
                {"previous_item_id", previous ? json(*previous) : json(nullptr)},
                {"item_id", item_id}};
}

json user_audio_item(const std::string& item_id)
{
    return json{{"id", item_id},
                {"object", "realtime.item"},
                {"type", "message"},
                {"status", "completed"},
                {"role", "user"},
                {"content", json::array({{{"type", "input_audio"}, {"transcript", nullptr}}})}};
}

std::vector<json> item_announcements(const json& item, const std::optional<std::string>& previous,
                                     dialect spelling,
                                     const std::function<std::string()>& next_event_id)
{
    const auto types = spelling == dialect::beta
                           ? std::vector<realtime_event_type>{event_kind::conversation_item_created}
                           : std::vector<realtime_event_type>{event_kind::conversation_item_added,
                                                              event_kind::conversation_item_done};
    std::vector<json> out;
    out.reserve(types.size());
    for (const auto type : types)
        out.push_back(json{{"type", std::string(event_type_name(type, spelling))},
                           {"event_id", next_event_id()},
                           {"previous_item_id", previous ? json(*previous) : json(nullptr)},
                           {"item", item}});
    return out;
}

json item_truncated(std::string event_id, const std::string& item_id, std::int32_t content_index,
                    std::int64_t audio_end_ms)
{
    return json{{"type", std::string(event_type_name(event_kind::conversation_item_truncated))},
                {"event_id", std::move(event_id)},
                {"item_id", item_id},
                {"content_index", content_index},
                {"audio_end_ms", audio_end_ms}};
}

} // namespace donna
