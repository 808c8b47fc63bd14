// client_policy.hpp: what a browser may send upstream on a proxied OpenAI Realtime session.
// The relay, not the client, decides the instructions, voice, model and tools (from the
// session's persona); this file removes every attempt to change them and refuses events a
// client has no business sending. Pure logic: no sockets, no clock.
//
//   donna::relay::client_policy policy(catalog.get(persona), donna::dialect::ga);
//   upstream.send(policy.initial_session_update());          // before any client event
//   auto d = policy.filter(text);                             // for every client text frame
//   if (!d.error_event.empty()) client.send(d.error_event);   // the session stays open
//   if (d.action == client_event_action::forward) upstream.send(d.forward_text);
//   else if (d.action == client_event_action::connect_realtime) open_upstream();
//
// Rules (both dialects):
//   - input_audio_buffer.append/.commit/.clear, output_audio_buffer.clear,
//     conversation.item.delete/.retrieve/.truncate and response.cancel are forwarded as sent
//     (append never builds a DOM: it is the hot path, 6.5 KB every 20-100 ms).
//   - session.update keeps only the audio and modality fields listed in client_policy.cpp
//     (not the transcription, nor a reasoning model's reasoning and parallel_tool_calls: the
//     relay sets them);
//     response.create drops instructions, tools, tool_choice, model, voice, prompt,
//     temperature, reasoning, parallel_tool_calls...; the rest is forwarded with an error
//     event naming what was removed (code donna_field_not_allowed). A session.update left with nothing is not forwarded.
//   - conversation.item.create (and response.create's input) may not add a system or
//     developer message.
//   - {"type":"connect_realtime"} (the seed's proxy message) asks the session layer to open
//     the upstream.
//   - Anything else is refused with an error event and nothing forwarded: unknown or server
//     event types (donna_event_not_allowed), text that is not a JSON object (invalid_json),
//     no "type" (missing_field), a non-string type (wrong_type), duplicate keys
//     (invalid_json: the relay and OpenAI could read them differently).
// DONNA's own "donna.*" events are not Realtime events: route them before calling filter()
// (the session handles donna.persona with persona_switch_update; filter() refuses the rest).
//
// Error events have the Realtime API's shape, so any Realtime client shows them:
//   {"type":"error","event_id":"event_donna_1","error":{"type":"invalid_request_error",
//    "code":"donna_field_not_allowed","message":"...","param":"session.instructions",
//    "event_id":"<the client's event_id>"|null}}
//
// Not thread-safe: one policy per session, used on the session's strand.
#pragma once

#include "persona/persona_catalog.hpp"
#include "protocol/realtime_events.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

enum class client_event_action { forward, connect_realtime, refuse };

// What the relay decides for every Realtime session besides the persona (from its settings).
struct realtime_model_settings {
    std::string model = {}; // OPENAI_REALTIME_MODEL; a reasoning one gets the persona's reasoning
                            // settings (models/model_capabilities.hpp). Empty: the demo upstream.
    std::string transcription_model = {};    // DONNA_TRANSCRIPTION_MODEL; empty: none asked for
    std::string transcription_language = {}; // DONNA_TRANSCRIPTION_LANGUAGE; empty: detected
    // DONNA's actions as session.tools (chat/chat_tools' realtime_tools_json()); an empty
    // array or null: the session gets no tools.
    nlohmann::json tools = nullptr;
    // Appended to every persona's instructions when there are tools: what they can and
    // cannot do (chat/chat_tools' actions_instructions).
    std::string tools_instructions = {};
    // Appended to the persona's instructions always (after the tools'): what this one
    // conversation needs to know (a phone call's business hours, the known caller's memories).
    std::string context_instructions = {};
    // The session's audio both ways, a GA format type ("audio/pcmu", "audio/pcma": a phone
    // call's G.711 passed straight through); empty: the API's default, 24 kHz PCM16.
    std::string audio_format = {};
};

struct policy_decision {
    client_event_action action = client_event_action::forward;
    std::string forward_text; // what to send upstream (the original text when unchanged)
    std::vector<std::string> removed_fields; // dotted paths, e.g. "session.instructions"
    std::string error_event; // when non-empty: a Realtime error event for the client
};

class client_policy {
public:
    client_policy(const persona_profile& persona, donna::dialect dialect,
                  realtime_model_settings models = {});

    // The session.update the relay sends upstream before any client event: the persona's
    // instructions and voice, in the dialect's shape (GA: session.type "realtime",
    // session.instructions, session.audio.output.voice; beta: flat instructions and voice)
    // and, for a reasoning model (GA only), the persona's session.reasoning {effort} and
    // session.parallel_tool_calls; with the models' tools, session.tools and tool_choice
    // "auto" (the same in both dialects).
    std::string initial_session_update() const;

    // The session.update that turns on the transcription of the visitor's words, sent right
    // after the initial one (GA session.audio.input.transcription, beta
    // session.input_audio_transcription: {model, language}); empty when no transcription
    // model is set. Its own event, so that a transcription model the upstream refuses costs
    // the transcript only: OpenAI applies a session.update whole or not at all, and the
    // persona's instructions must never depend on it.
    std::string transcription_update() const;

    // The session.update that switches an open session to another persona (donna.persona):
    // its instructions (and, for a reasoning model, its reasoning settings), in the dialect's
    // shape. Not the voice: OpenAI refuses a voice change once the session has produced
    // audio, and the update would fail whole.
    std::string persona_switch_update(const persona_profile& persona) const;

    // Decides one client text frame. Never throws; every outcome is in the decision.
    policy_decision filter(std::string_view client_event_json);

    // A Realtime error event for something the session itself refuses or reports (audio
    // limit, upstream failure), numbered in the same sequence as the policy's own.
    std::string error_event(std::string_view code, std::string_view message);
    // The same shape before any policy exists (event_id "event_donna_0").
    static std::string standalone_error_event(std::string_view code, std::string_view message);

private:
    std::string instructions_of(const persona_profile& persona) const;

    persona_profile persona_;
    donna::dialect dialect_;
    realtime_model_settings models_;
    std::uint64_t errors_sent_ = 0; // numbers this policy's error events: event_donna_<n>
};

} // namespace donna::relay
