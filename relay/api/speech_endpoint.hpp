// speech_endpoint.hpp: DONNA's voice over HTTP (voice/speech_service):
//
//   POST /v1/speech   Authorization: Bearer <session token>
//   {"text":"Thanks for calling!","voice_id":"XcXEQzuLXRU9RcfWzEJt"?,"output_format":"pcm_24000"?}
//   -> 200, chunked, the audio as ElevenLabs streams it: application/octet-stream (16-bit
//      little-endian mono PCM at the format's rate; X-Donna-Audio-Format names it) or
//      audio/mpeg for mp3_*. A failure after the audio began cuts the stream short (the
//      chunked body ends without its last chunk), so a caller never mistakes it for complete.
//   GET /v1/voices    a session token, or the admin token
//   -> 200 {"voices":[{"voice_id","name","category","description","labels","preview_url"}],
//          "default_voice_id":"..."}   (cached for DONNA_VOICES_CACHE_SECONDS)
//   POST /v1/voices   Authorization: Bearer <DONNA_ADMIN_TOKEN>, multipart/form-data with
//      name, files (one or more samples), description?, labels? (ElevenLabs' /v1/voices/add)
//   -> 200 {"voice_id":"...","requires_verification":false}; audited.
// Refusals: the session refusals (api/session_auth), 400 invalid_json / missing_field /
// wrong_type / empty_text / invalid_voice_id / unsupported_format, 413 text_too_long or a body
// over DONNA_VOICE_UPLOAD_MAX_BYTES, 415 unsupported_media_type, 429 rate_limited, 401/403
// admin_required, 404 voice_not_found, 503 upstream_not_configured, upstream_* (502/503/504).
#pragma once

#include "http/router.hpp"

#include "http/http_answer.hpp"
#include "voice/speech_service.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace donna::relay {

class database;
class logger;
struct relay_metrics;
class settings_source;
class speech_service;

struct voice_http_context {
    std::string_view authorization;
    std::string_view origin;
    std::string_view self_origin;
    std::string_view content_type;
    std::int64_t now_unix = 0;
};

struct speech_http_call {
    std::shared_ptr<const live_settings> settings;
    speech_request request;
    std::string visitor_key; // the session token's id
};

// What this endpoint uses of the relay, handed over by the composition root.
struct speech_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    logger& log;
    database& db;
    speech_service& speech;
};

// POST /v1/speech: authorised and parsed, or the refusal.
std::variant<speech_http_call, http_answer> prepare_speech_call(std::string_view body,
                                                                const voice_http_context& context,
                                                                const speech_endpoint_deps& deps);

// GET /v1/voices and POST /v1/voices: the settings to call with, or the refusal.
std::variant<std::shared_ptr<const live_settings>, http_answer>
authorize_voice_list(const voice_http_context& context, const speech_endpoint_deps& deps);
std::variant<std::shared_ptr<const live_settings>, http_answer>
authorize_add_voice(const voice_http_context& context, std::size_t body_size,
                    const speech_endpoint_deps& deps);

// The headers of a speech stream (content type and X-Donna-Audio-Format).
http_answer speech_stream_head(const speech_http_call& call);
// A refusal or failure of the speech service before any audio went out.
http_answer speech_refusal(const speech_outcome& outcome);
// The answer of GET/POST /v1/voices (default_voice_id added to a voice list).
http_answer voice_list_answer(const voice_answer& answer, const live_settings& settings);
http_answer add_voice_answer(const voice_answer& answer, const speech_endpoint_deps& deps,
                             std::int64_t now_unix);

// The rows of POST /v1/speech and GET/POST /v1/voices.
route speech_route(const speech_endpoint_deps& deps);
route voices_route(const speech_endpoint_deps& deps);

} // namespace donna::relay
