// realtime_server_events.hpp: Realtime server events built as the API sends them, in the GA
// or the beta spelling, for whoever plays the server: the relay's demo mode (relay/demo) and
// the tests' fake OpenAI (tests/fakes) build the same events from here, so the two cannot
// drift apart. One assistant message in a response (assistant_message), and the
// conversation's own events (an item committed, announced, truncated).
//
//   assistant_message reply(dialect::ga, "resp_1", "item_1", /*text_only=*/false, next_id);
//   emit(reply.output_item_added());
//   emit(reply.conversation_item_added(previous_item_id));
//   emit(reply.content_part_added());
//   emit(reply.transcript_delta("Hello"));       // interleaved with...
//   emit(reply.audio_delta(base64_pcm16));       // ...the audio, as a model streams them
//   emit(reply.audio_done());                    // audio replies only
//   emit(reply.transcript_done(text));
//   emit(reply.content_part_done(text));
//   emit(reply.output_item_done(text));
//   if (auto done = reply.conversation_item_done(previous_item_id, text)) emit(*done);
//
// The response.created / response.done events around them carry the caller's own response
// object: response_event(type, response). Shapes: the API reference's server events
// (platform.openai.com/docs/api-reference/realtime-server-events), ../shared/API-NOTES.md.
#pragma once

#include "protocol/realtime_events.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace donna {

class assistant_message {
public:
    // next_event_id: the event_id of each event built (the caller's own numbering).
    assistant_message(dialect spelling, std::string response_id, std::string item_id,
                      bool text_only, std::function<std::string()> next_event_id);

    const std::string& response_id() const { return response_id_; }
    const std::string& item_id() const { return item_id_; }

    // The message item: in progress with no content, or completed with its one part.
    nlohmann::json item_in_progress() const;
    nlohmann::json item_completed(std::string_view text) const;

    nlohmann::json output_item_added() const;
    // conversation.item.added (GA) or conversation.item.created (beta).
    nlohmann::json conversation_item_added(const std::optional<std::string>& previous) const;
    nlohmann::json content_part_added() const;
    // response.output_audio_transcript.delta, or response.output_text.delta for text only.
    nlohmann::json transcript_delta(std::string_view words) const;
    nlohmann::json audio_delta(std::string base64_pcm16) const;
    nlohmann::json audio_done() const;
    // response.output_audio_transcript.done, or response.output_text.done for text only.
    nlohmann::json transcript_done(std::string_view text) const;
    nlohmann::json content_part_done(std::string_view text) const;
    nlohmann::json output_item_done(std::string_view text) const;
    // conversation.item.done; the beta dialect has none.
    std::optional<nlohmann::json> conversation_item_done(const std::optional<std::string>& previous,
                                                         std::string_view text) const;

private:
    nlohmann::json event(realtime_event_type type) const;
    nlohmann::json located(realtime_event_type type) const; // with response, item and indexes
    nlohmann::json part(std::string_view text) const;

    dialect spelling_;
    std::string response_id_, item_id_;
    bool text_only_;
    std::function<std::string()> next_event_id_;
};

// response.created or response.done around the caller's response object.
nlohmann::json response_event(realtime_event_type type, nlohmann::json response,
                              std::string event_id, dialect spelling = dialect::ga);

// input_audio_buffer.committed: the buffer became user item `item_id`.
nlohmann::json audio_committed(std::string event_id, const std::string& item_id,
                               const std::optional<std::string>& previous);
// The user message a commit makes: completed, one input_audio part not yet transcribed.
nlohmann::json user_audio_item(const std::string& item_id);
// A new item in the conversation: conversation.item.added then conversation.item.done (GA),
// or conversation.item.created (beta). One event_id from next_event_id per event.
std::vector<nlohmann::json> item_announcements(const nlohmann::json& item,
                                               const std::optional<std::string>& previous,
                                               dialect spelling,
                                               const std::function<std::string()>& next_event_id);
// conversation.item.truncated: the item's audio now ends at audio_end_ms.
nlohmann::json item_truncated(std::string event_id, const std::string& item_id,
                              std::int32_t content_index, std::int64_t audio_end_ms);

} // namespace donna
