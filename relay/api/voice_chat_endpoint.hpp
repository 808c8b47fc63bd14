// voice_chat_endpoint.hpp: POST /v1/voice-chat, the Whisper voice chat over HTTP
// (voice/voice_chat_service): one recorded turn in, server-sent events out.
//
//   POST /v1/voice-chat?persona=receptionist&voice_id=...   (both optional)
//   Authorization: Bearer <session token>
//   Content-Type: audio/wav | application/x-donna-audio-frames   (voice/voice_upload.hpp)
//   <the recording, at most DONNA_VOICE_CHAT_MAX_SECONDS and DONNA_VOICE_UPLOAD_MAX_BYTES>
//   -> 200 text/event-stream, in this order:
//      data: {"type":"donna.voice.transcript","id":"vc_...","text":"what Whisper heard"}
//      data: {"type":"donna.chat.delta","id":"vc_...-reply","delta":"..."}        (per token)
//      data: {"type":"donna.chat.message","id":"vc_...-reply","role":"assistant","text":...,
//             "persona":...,"fallback":false}
//      data: {"type":"donna.voice.audio","id":"vc_...-reply","format":"pcm_24000",
//             "audio":"<base64 PCM16 LE mono 24 kHz>"}                         (per chunk)
//      data: {"type":"donna.error","code":...,"message":...}           (only when a step failed)
//      data: {"type":"donna.voice.done","id":"vc_...","transcript":...,"audio_bytes":N}
//   -> refusals before anything streams: the session refusals, 400 invalid_audio /
//      audio_too_short / unknown_persona / invalid_voice_id, 413 audio_too_long, 415
//      unsupported_media_type, and the first step's failure (503 upstream_not_configured,
//      upstream_* from the transcription, 422 no_speech, a refused message's code).
#pragma once

#include "http/router.hpp"

#include "http/http_answer.hpp"
#include "voice/voice_chat_service.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace donna::relay {

struct relay_metrics;
class settings_source;
class voice_chat_service;

struct voice_chat_http_context {
    std::string_view target; // the request target, for the query
    std::string_view authorization;
    std::string_view content_type;
    std::string_view origin;
    std::string_view self_origin;
    std::int64_t now_unix = 0;
};

struct voice_chat_http_call {
    std::shared_ptr<const live_settings> settings;
    voice_chat_request request;
    std::string turn_id; // "vc_" + 24 hex digits; the reply is "<turn_id>-reply"
};

// What this endpoint uses of the relay, handed over by the composition root.
struct voice_chat_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    voice_chat_service& voice_chat;
};

std::variant<voice_chat_http_call, http_answer>
prepare_voice_chat_call(std::string_view body, const voice_chat_http_context& context,
                        const voice_chat_endpoint_deps& deps);

// The events, each a whole "data: ...\n\n" block.
std::string voice_chat_transcript_event(const voice_chat_http_call& call, std::string_view text);
std::string voice_chat_delta_event(const voice_chat_http_call& call, std::string_view delta);
std::string voice_chat_reply_event(const voice_chat_http_call& call,
                                   const chat_turn_outcome& reply);
std::string voice_chat_audio_event(const voice_chat_http_call& call, std::string_view pcm);
std::string voice_chat_ending(const voice_chat_http_call& call, const voice_chat_outcome& outcome);
// A failure before anything streamed, as a JSON error answer.
http_answer voice_chat_refusal(const voice_chat_outcome& outcome);

// The row of POST /v1/voice-chat.
route voice_chat_route(const voice_chat_endpoint_deps& deps);

} // namespace donna::relay
