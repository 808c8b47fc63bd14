// phone_call_session.hpp: one phone call answered by DONNA: the call's media stream (Telnyx's
// WebSocket frames, providers/telnyx/telnyx_media) on one side, a Realtime session (OpenAI or
// the demo, realtime/upstream) on the other, the call's audio converted between them
// (audio/phone_audio_bridge). Started by the media route (api/phone_media_route) once the
// upgrade's token checked out:
//
//   run_phone_call_session(std::move(channel), upgrade, std::move(grant), deps);
//
// What happens, in order:
//   - the stream's start frame names the call (its call_control_id must be the one the token
//     was made for) and the caller's audio format; the Realtime session opens with the site's
//     persona and DONNA greets the caller first;
//   - the caller's frames are put in order by media.chunk, counted from 1 (sequence_number
//     when a frame has no chunk; a few frames of reordering are waited for, and a frame still
//     missing after that is concealed), converted to 24 kHz PCM16
//     and appended to the session's input;
//   - DONNA's audio goes back in the call's codec, one 20 ms media frame every 20 ms, with a
//     mark after each reply chunk; Telnyx echoes a mark once the audio before it has played,
//     so the relay knows how much of each reply the caller has heard;
//   - barge-in: when the session hears the caller start speaking while DONNA talks, a clear
//     goes to Telnyx at once and DONNA's reply is truncated at the audio actually heard (the
//     last echoed mark), not at what was sent;
//   - what each side said (the caller's words transcribed, DONNA's reply transcripts) goes
//     to the call's record as it is said;
//   - the call's end (a stop frame, the stream closing) closes the Realtime session;
//   - DONNA's tools: the same actions as on the web (take a message, request a callback, send
//     an email or a text: realtime/voice_actions), and two of the phone's own
//     (realtime/phone_tools): transfer_call puts the caller through to the site's staff number
//     and end_call hangs up, each once the words DONNA says with it have played; every call
//     is kept in the call's record;
//   - the caller presses 0: DONNA says she is putting them through, then the call is
//     transferred to the site's staff number;
//   - the session's own endings: the Realtime session fails (DONNA apologises, in the relay's
//     own espeak-ng voice) or the relay drains (DONNA finishes her sentence and says goodbye);
//     the call is hung up once those last words have played (their mark is back).
//
// All handlers run on the media connection's strand, as in realtime_session.
#pragma once

#include "net/websocket_channel.hpp"
#include "protocol/donna_events.hpp"
#include "protocol/realtime_events.hpp"
#include "realtime/upstream.hpp"
#include "server/session_registry.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

struct live_settings;

// What an accepted media upgrade grants the call's session.
struct phone_call_grant {
    std::shared_ptr<const live_settings> settings;
    std::int64_t call_id = 0;
    std::string call_control_id; // the start frame must name this call
    std::string site;
    donna::persona persona = donna::persona::general;
    std::string greeting; // the site's; "" for a short default
    // The stream opens again after DONNA tried to put the caller through: "busy" or
    // "no_answer" (DONNA says so and offers to take a message); "" on a call's first stream.
    std::string after_transfer = {};
    // The site's opening hours in words ("" : none set), and whether the call came outside
    // them: then nobody can be put through, and a site that takes messages after hours has
    // DONNA say it is closed first.
    std::string hours = {};
    bool closed = false;
    bool closed_takes_messages = false;
    // What DONNA remembers of the caller (store/memory_store's prompt paragraph) when the
    // site trusts caller id and the number is a signed-in user's; "" otherwise.
    std::string memory = {};
    std::optional<session_registry::lease> lease;
    // Hangs the call up at the provider (the session's own endings: the Realtime session
    // failed, the relay drains); null: the session only closes the stream.
    std::function<void()> hang_up = {};
    // Puts the call through to a number (a person), and the site's staff number for it ("":
    // none); the caller asks for a person by pressing 0.
    std::function<void(const std::string& to)> transfer = {};
    std::string staff_phone = {};
    // The caller's number (caller id): DONNA may text or call it back without the caller
    // spelling it out.
    std::string caller_number = {};
    // Keeps an entry in the call's record: its type ("transcript": {"role","text"};
    // "tool_call": {"name","status","id","error"}) and detail (JSON text); null: not kept.
    std::function<void(std::string_view type, const std::string& detail)> note = {};
};

void run_phone_call_session(std::unique_ptr<websocket_channel> media,
                            const websocket_channel::upgrade_request& upgrade,
                            phone_call_grant grant, const realtime_deps& deps);

} // namespace donna::relay
