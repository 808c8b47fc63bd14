// elevenlabs_api.hpp: DONNA's side of ElevenLabs' REST API (the seed's
// voice_system/elevenlabs_client.php), free of I/O: the requests for text to speech, the voice
// list and voice cloning, and readers for what comes back (../shared/API-NOTES.md section 8).
//
//   auto req = elevenlabs_speech_request(cfg, {.text = "Hello!", .voice_id = "",
//                                              .output_format = "pcm_24000"});
//   client.stream("elevenlabs", std::move(req), {...});   // raw audio bytes as they come
//
// The key travels in the xi-api-key header and nowhere else (not in the URL, not in a body).
#pragma once

#include "core/error.hpp"
#include "upstream/http_client.hpp"

#include <string>
#include <string_view>

namespace donna::relay {

struct config;

// The seed's voice settings (voice_system/elevenlabs_client.php).
struct voice_settings {
    double stability = 0.5;
    double similarity_boost = 0.5;
    double style = 0.0;
    bool use_speaker_boost = true;
};

struct speech_request {
    std::string text;
    std::string voice_id;                    // "" = DEFAULT_VOICE_ID
    std::string output_format = "pcm_24000"; // what the browser client plays directly
};

// The output formats the relay asks for: 16-bit PCM at the rates the client and phone lines
// use, and MP3 for callers that want a file. (ElevenLabs' opus_48000_* is not offered: it comes
// as an Ogg stream, not the client's Opus frames.)
bool is_speech_output_format(std::string_view format);
// "audio/mpeg" for mp3_*, "application/octet-stream" for raw PCM.
std::string speech_content_type(std::string_view format);
// The sample rate of a pcm_* format, 0 for others.
int pcm_format_rate(std::string_view format);

// A voice id as ElevenLabs writes them (letters and digits, at most 64): checked before it
// goes into a URL path.
bool is_voice_id(std::string_view id);

// POST {base}/v1/text-to-speech/{voice}/stream?output_format=... with {text, model_id,
// voice_settings}. The text and voice id are the caller's to check first.
upstream_request elevenlabs_speech_request(const config& cfg, const speech_request& request,
                                           const voice_settings& settings = {});
// GET {base}/v1/voices
upstream_request elevenlabs_voices_request(const config& cfg);
// POST {base}/v1/voices/add with the admin's multipart body as it came.
upstream_request elevenlabs_add_voice_request(const config& cfg, std::string content_type,
                                              std::string body);

// ElevenLabs' error message: {"detail":{"status","message"}} or FastAPI's
// {"detail":[{"loc","msg"}]} or {"detail":"..."}; "" when the body has none.
std::string elevenlabs_error_message(std::string_view body);
// {"detail":{"status":"voice_not_found",...}} -> "voice_not_found"; "" when absent.
std::string elevenlabs_error_status(std::string_view body);

// GET /v1/voices' answer cut to what a voice picker needs:
// {"voices":[{"voice_id","name","category","description","labels","preview_url"}]}.
// Errors: invalid_json when the answer is not the documented shape.
result<std::string> voice_list_json(std::string_view upstream_body);

} // namespace donna::relay
