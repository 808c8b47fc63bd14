// realtime_events.hpp: the OpenAI Realtime API events that DONNA's client and relay exchange.
//
// DONNA speaks the GA protocol and still accepts beta clients: a beta name such as
// response.audio.delta parses to the same realtime_event_type as its GA rename
// (response.output_audio.delta), and the dialect seen is kept so the relay can answer a beta
// client in beta spelling. Events DONNA acts on are typed structs; every other known event is
// an other_event whose JSON body passes through untouched; an unknown type is an error.
//
//   auto parsed = donna::parse_realtime_event(text);
//   if (!parsed) return reject(parsed.error());          // "missing field 'item_id'"
//   if (auto* cut = std::get_if<donna::conversation_item_truncate>(&parsed->event))
//       stop_playback_at(cut->item_id, cut->audio_end_ms);
//   send(donna::serialize(parsed->event, parsed->spelling));
//
// The relay forwards 6.5 KB input_audio_buffer.append events without building a DOM:
//
//   auto type = donna::peek_event_type(text);           // "input_audio_buffer.append"
//
// Typed structs keep the fields DONNA uses; fields they do not name (logprobs, usage, ...) are
// dropped on re-serialisation, so forward the original text when those matter.
// Limits: nesting deeper than 64 levels is rejected before any DOM is built (a recursive
// dump of a 10 000-level document would overflow the WASM stack).
#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace donna {

// Which spelling of the protocol a peer used. Only six server events differ (the beta
// response.audio.*, response.audio_transcript.* and response.text.* names); for every other
// event both dialects share one name and a parse reports ga.
enum class dialect { ga, beta };

enum class realtime_event_type {
    // client -> server
    session_update,
    input_audio_buffer_append,
    input_audio_buffer_commit,
    input_audio_buffer_clear,
    output_audio_buffer_clear,
    conversation_item_create,
    conversation_item_delete,
    conversation_item_retrieve,
    conversation_item_truncate,
    response_create,
    response_cancel,
    // server -> client
    error,
    session_created,
    session_updated,
    input_audio_buffer_speech_started,
    input_audio_buffer_speech_stopped,
    input_audio_buffer_committed,
    input_audio_buffer_cleared,
    input_audio_buffer_timeout_triggered,
    conversation_item_created,
    conversation_item_added,
    conversation_item_done,
    conversation_item_retrieved,
    conversation_item_truncated,
    conversation_item_deleted,
    conversation_item_input_audio_transcription_delta,
    conversation_item_input_audio_transcription_completed,
    conversation_item_input_audio_transcription_segment,
    conversation_item_input_audio_transcription_failed,
    response_created,
    response_done,
    response_output_item_added,
    response_output_item_done,
    response_content_part_added,
    response_content_part_done,
    response_output_audio_delta,            // beta: response.audio.delta
    response_output_audio_done,             // beta: response.audio.done
    response_output_audio_transcript_delta, // beta: response.audio_transcript.delta
    response_output_audio_transcript_done,  // beta: response.audio_transcript.done
    response_output_text_delta,             // beta: response.text.delta
    response_output_text_done,              // beta: response.text.done
    response_function_call_arguments_delta,
    response_function_call_arguments_done,
    output_audio_buffer_started,
    output_audio_buffer_stopped,
    output_audio_buffer_cleared,
    rate_limits_updated,
};
inline constexpr std::size_t realtime_event_type_count =
    static_cast<std::size_t>(realtime_event_type::rate_limits_updated) + 1;

// "response.audio.delta" -> {response_output_audio_delta, beta}; nullopt for unknown names.
std::optional<std::pair<realtime_event_type, dialect>> event_type_from_name(std::string_view name);
// The wire name in that dialect (the GA name when the event has no beta spelling).
std::string_view event_type_name(realtime_event_type type, dialect spelling = dialect::ga);
// True for the events a client sends to the server.
bool is_client_event(realtime_event_type type);

// ---------------------------------------------------------------- client events
// Every struct: to_json(dialect) builds the wire object; from_json reads the fields of an
// object whose "type" the caller has already dispatched on.

struct session_update {
    static constexpr realtime_event_type event_type = realtime_event_type::session_update;
    std::optional<std::string> event_id;
    nlohmann::json session = nlohmann::json::object(); // kept raw: the relay's policy edits it

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<session_update> from_json(const nlohmann::json& object);
    bool operator==(const session_update&) const = default;
};

struct input_audio_buffer_append {
    static constexpr realtime_event_type event_type =
        realtime_event_type::input_audio_buffer_append;
    std::optional<std::string> event_id;
    std::string audio; // base64, not decoded here

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<input_audio_buffer_append> from_json(const nlohmann::json& object);
    bool operator==(const input_audio_buffer_append&) const = default;
};

struct input_audio_buffer_commit {
    static constexpr realtime_event_type event_type =
        realtime_event_type::input_audio_buffer_commit;
    std::optional<std::string> event_id;

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<input_audio_buffer_commit> from_json(const nlohmann::json& object);
    bool operator==(const input_audio_buffer_commit&) const = default;
};

struct input_audio_buffer_clear {
    static constexpr realtime_event_type event_type = realtime_event_type::input_audio_buffer_clear;
    std::optional<std::string> event_id;

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<input_audio_buffer_clear> from_json(const nlohmann::json& object);
    bool operator==(const input_audio_buffer_clear&) const = default;
};

// A user text message only: {"item":{"type":"message","role":"user",
// "content":[{"type":"input_text","text":...}]}}. Any other item (audio, function output,
// extra fields) parses as an other_event, so nothing is lost on the way through.
struct conversation_item_create {
    static constexpr realtime_event_type event_type = realtime_event_type::conversation_item_create;
    std::optional<std::string> event_id;
    std::optional<std::string> previous_item_id;
    std::string text;

    // True if object["item"] has exactly the user-text shape above.
    static bool is_user_text(const nlohmann::json& object);
    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<conversation_item_create> from_json(const nlohmann::json& object);
    bool operator==(const conversation_item_create&) const = default;
};

struct conversation_item_truncate {
    static constexpr realtime_event_type event_type =
        realtime_event_type::conversation_item_truncate;
    std::optional<std::string> event_id;
    std::string item_id;
    std::int32_t content_index = 0; // >= 0
    std::int64_t audio_end_ms = 0;  // >= 0

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<conversation_item_truncate> from_json(const nlohmann::json& object);
    bool operator==(const conversation_item_truncate&) const = default;
};

struct response_create {
    static constexpr realtime_event_type event_type = realtime_event_type::response_create;
    std::optional<std::string> event_id;
    std::optional<nlohmann::json> response; // raw response parameters (an object) if given

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<response_create> from_json(const nlohmann::json& object);
    bool operator==(const response_create&) const = default;
};

struct response_cancel {
    static constexpr realtime_event_type event_type = realtime_event_type::response_cancel;
    std::optional<std::string> event_id;
    std::optional<std::string> response_id;

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<response_cancel> from_json(const nlohmann::json& object);
    bool operator==(const response_cancel&) const = default;
};

// ---------------------------------------------------------------- server events

// response.output_audio.delta (beta: response.audio.delta).
struct audio_delta {
    static constexpr realtime_event_type event_type =
        realtime_event_type::response_output_audio_delta;
    std::optional<std::string> event_id;
    std::string response_id;
    std::string item_id;
    std::int32_t output_index = 0;
    std::int32_t content_index = 0;
    std::string delta; // base64 audio

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<audio_delta> from_json(const nlohmann::json& object);
    bool operator==(const audio_delta&) const = default;
};

// response.output_audio_transcript.delta or response.output_text.delta (and their beta names).
struct text_delta {
    realtime_event_type type = realtime_event_type::response_output_audio_transcript_delta;
    std::optional<std::string> event_id;
    std::string response_id;
    std::string item_id;
    std::int32_t output_index = 0;
    std::int32_t content_index = 0;
    std::string delta;

    static bool is_text_delta_type(realtime_event_type candidate);
    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    // Reads "type" too; it must be one of the two delta types.
    static result<text_delta> from_json(const nlohmann::json& object);
    bool operator==(const text_delta&) const = default;
};

// conversation.item.input_audio_transcription.delta (GA makes content_index and delta
// optional; absent reads as 0 and "").
struct input_transcription_delta {
    static constexpr realtime_event_type event_type =
        realtime_event_type::conversation_item_input_audio_transcription_delta;
    std::optional<std::string> event_id;
    std::string item_id;
    std::int32_t content_index = 0;
    std::string delta;

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<input_transcription_delta> from_json(const nlohmann::json& object);
    bool operator==(const input_transcription_delta&) const = default;
};

struct input_transcription_completed {
    static constexpr realtime_event_type event_type =
        realtime_event_type::conversation_item_input_audio_transcription_completed;
    std::optional<std::string> event_id;
    std::string item_id;
    std::int32_t content_index = 0;
    std::string transcript;

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<input_transcription_completed> from_json(const nlohmann::json& object);
    bool operator==(const input_transcription_completed&) const = default;
};

struct speech_started {
    static constexpr realtime_event_type event_type =
        realtime_event_type::input_audio_buffer_speech_started;
    std::optional<std::string> event_id;
    std::int64_t audio_start_ms = 0;
    std::string item_id;

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<speech_started> from_json(const nlohmann::json& object);
    bool operator==(const speech_started&) const = default;
};

struct speech_stopped {
    static constexpr realtime_event_type event_type =
        realtime_event_type::input_audio_buffer_speech_stopped;
    std::optional<std::string> event_id;
    std::int64_t audio_end_ms = 0;
    std::string item_id;

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<speech_stopped> from_json(const nlohmann::json& object);
    bool operator==(const speech_stopped&) const = default;
};

// {"type":"error","event_id":..,"error":{"type","message","code"?,"param"?,"event_id"?}}.
// null code/param/event_id (as the API sends them) read as absent.
struct error_event {
    static constexpr realtime_event_type event_type = realtime_event_type::error;
    std::optional<std::string> event_id;           // of this server event
    std::string type;                              // error.type, e.g. "invalid_request_error"
    std::optional<std::string> code;               // error.code
    std::string message;                           // error.message
    std::optional<std::string> param;              // error.param
    std::optional<std::string> caused_by_event_id; // error.event_id: the client event at fault

    nlohmann::json to_json(dialect spelling = dialect::ga) const;
    static result<error_event> from_json(const nlohmann::json& object);
    bool operator==(const error_event&) const = default;
};

// A known event DONNA does not look into; body is the whole wire object, "type" included.
// serialize() rewrites body["type"] into the requested dialect and leaves the rest alone.
struct other_event {
    realtime_event_type type = realtime_event_type::session_created;
    dialect spelling = dialect::ga; // as seen on the wire
    nlohmann::json body = nlohmann::json::object();

    nlohmann::json to_json(dialect to = dialect::ga) const;
    bool operator==(const other_event&) const = default;
};

using realtime_event =
    std::variant<session_update, input_audio_buffer_append, input_audio_buffer_commit,
                 input_audio_buffer_clear, conversation_item_create, conversation_item_truncate,
                 response_create, response_cancel, audio_delta, text_delta,
                 input_transcription_delta, input_transcription_completed, speech_started,
                 speech_stopped, error_event, other_event>;

realtime_event_type type_of(const realtime_event& event);

struct parsed_realtime_event {
    realtime_event_type type = realtime_event_type::error;
    dialect spelling = dialect::ga;
    realtime_event event;
};

// Full parse: syntax and nesting checked by the same scan as peek_event_type, then a DOM.
// Errors: invalid_json, not_an_object, missing_field, wrong_type, out_of_range,
// unknown_event_type, each message naming the field.
result<parsed_realtime_event> parse_realtime_event(std::string_view text);

// Compact JSON text of the event in the given spelling.
std::string serialize(const realtime_event& event, dialect spelling = dialect::ga);

// The top-level "type" string, found by a hand-written scan that builds nothing: the view
// points into text. The whole text is still checked to be one JSON object (nesting <= 64,
// no control characters in strings, one "type" only: a second one could make the relay and
// OpenAI disagree about what an event is). A type written with escape sequences is refused
// (unknown_event_type): no real event name needs one. UTF-8 is not validated here.
result<std::string_view> peek_event_type(std::string_view text);

inline constexpr int max_json_depth = 64;

} // namespace donna
