// fake_elevenlabs_http.hpp: a faithful fake of ElevenLabs' REST API (HTTP/1.1, keep-alive,
// optionally HTTPS) on loopback, so that tests can point the relay's text-to-speech client at
// it instead of api.elevenlabs.io.
//
//   donna::fakes::fake_elevenlabs_http fake({.tls = true});
//   ASSERT_TRUE(fake.start());
//   cfg.elevenlabs_base_url = fake.base_url();   // "https://127.0.0.1:<port>"
//   ... drive the relay, then:
//   EXPECT_EQ(fake.voice_list_requests(), 1);     // the relay cached the voice list
//
// What it speaks (elevenlabs-python src/elevenlabs/text_to_speech/raw_client.py,
// voices/raw_client.py, voices/ivc/raw_client.py, types/voice.py, types/voice_settings.py;
// ../shared/API-NOTES.md section 8). Every request needs `xi-api-key: <api_key>`, else 401
// {"detail":{"status":"invalid_api_key","message":"Invalid API key"}}.
//   POST /v1/text-to-speech/{voice_id} and .../{voice_id}/stream: a JSON body with `text`
//   (required, non-empty, at most max_characters), `model_id`, `voice_settings` {stability,
//   similarity_boost, style (numbers in [0, 1]), use_speaker_boost (bool), speed (a number in
//   [0.7, 1.2])}; query `output_format` (default mp3_44100_128). The audio lasts 60 ms per
//   character of `text` (ms_per_character), a deterministic stand-in for speech:
//     pcm_8000 ... pcm_48000: 16-bit little-endian mono PCM (the docs' "S16LE") of a 220 Hz
//       sine at a quarter of full scale, as application/octet-stream (the media type the API's
//       OpenAPI document declares; the live header is unconfirmed).
//     mp3_*: real MPEG audio frames of silence at the format's sample rate and bit rate
//       (mono, no ID3 tag) as audio/mpeg: a decoder plays them, but they carry no tone.
//     ulaw_8000, alaw_8000, opus_*: valid values the fake does not simulate: a 422 whose detail
//       says so. Any other value: a 422 as the API's validation answers.
//   The full variant answers with Content-Length; /stream answers chunked, one HTTP chunk per
//   100 ms of audio (whole frames for MP3), so that a client can play before the end. Both
//   carry `request-id` and `x-character-count`.
//   Refusals: no text -> 422 {"detail":[{"loc":["body","text"],"msg":"field required",
//   "type":"value_error.missing"}]}; an unknown voice -> 404 voice_not_found; text over
//   max_characters -> 400 max_character_limit_exceeded.
//   GET /v1/voices: {"voices":[Voice]} with the DONNA voice (XcXEQzuLXRU9RcfWzEJt, "Donna",
//   cloned), the premade Rachel (21m00Tcm4TlvDq8ikWAM) and Adam (pNInz6obpgDQGcFmaJgB), then
//   every voice added since.
//   POST /v1/voices/add: multipart/form-data with `name` and one or more file parts `files`
//   (each missing one is a 422 detail item), `description`, `labels` (a JSON object of
//   strings, else 422) and `remove_background_noise`; answers {"voice_id": <20 base62
//   characters>, "requires_verification": false}, and the voice is listed and speaks from then
//   on.
//   Any other path is FastAPI's 404 {"detail":"Not Found"}.
//   Faults (http_fault) apply to the POSTs: 429 too_many_concurrent_requests with Retry-After,
//   500 {"detail":{"status":"internal_server_error",...}} (both bodies unconfirmed, see
//   API-NOTES), a stalled or reset audio stream.
//
// Not simulated: the stream-input WebSocket, /with-timestamps, /v2/voices, models, history,
// quotas (quota_exceeded), optimize_streaming_latency and every other body field (accepted
// and ignored), the subscription tiers that gate pcm_44100 and mp3_44100_192.
//
// Thread safety: as fake_http_server's.
#pragma once

#include "fake_http_server.hpp"

#include <cstddef>
#include <string>

namespace donna::fakes {

using elevenlabs_http_fault = http_fault;

// The key every request needs, assembled at run time so that no key-like literal sits in
// the source.
std::string fake_elevenlabs_default_key();

// DONNA's own voice, the relay's default.
inline constexpr const char* donna_voice_id = "XcXEQzuLXRU9RcfWzEJt";

struct fake_elevenlabs_http_options {
    std::string api_key = fake_elevenlabs_default_key(); // xi-api-key, else 401
    http_fault fault = http_fault::none;
    int fault_count = 1;         // see http_fault
    int retry_after_seconds = 1; // the Retry-After value of a 429
    bool tls = false;            // HTTPS with the test PKI's certificate (SAN localhost, 127.0.0.1)
    std::size_t max_characters = 5000; // longer text: 400 max_character_limit_exceeded
    int ms_per_character = 60;         // the synthetic speech's length
};

class fake_elevenlabs_http : public fake_http_server {
public:
    explicit fake_elevenlabs_http(const fake_elevenlabs_http_options& options = {});

    // "http://127.0.0.1:<port>" (https with tls): ElevenLabs' base has no /v1.
    std::string base_url() const;

    // How many times GET /v1/voices was asked (answered or not).
    int voice_list_requests() const;

private:
    struct api; // the handler, in the .cpp
};

} // namespace donna::fakes
