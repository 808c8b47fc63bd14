// speech_service.hpp: DONNA's voice through ElevenLabs: text to speech streamed as it is
// synthesised, the voice list (cached), and voice cloning for staff. Shared by POST
// /v1/speech, GET and POST /v1/voices, and the Whisper voice chat.
//
//   auto call = services.speech().speak(settings, {.text = reply, .voice_id = "",
//                                                  .output_format = "pcm_24000"}, visitor,
//       {.on_audio = [](std::string_view bytes) { ... },      // as ElevenLabs sends them
//        .on_done = [](const speech_outcome& o) { ... }});    // exactly once
//
// Refused before any call (on_done at once, nullptr returned): empty text (empty_text), text
// over DONNA_SPEECH_MAX_CHARACTERS (text_too_long), a visitor over
// DONNA_SPEECH_REQUESTS_PER_MINUTE (rate_limited), a malformed voice id (invalid_voice_id), an
// output format the relay does not offer (unsupported_format), no ELEVENLABS_API_KEY
// (upstream_not_configured). Upstream trouble: voice_not_found, upstream_* codes
// (upstream/upstream_errors.hpp), with ElevenLabs' own message. Characters are metered
// (donna_upstream_usage_total{unit="characters"}) when the audio is complete.
//
// Callbacks run on the upstream client's strand: post to your own.
#pragma once

#include "providers/elevenlabs/elevenlabs_api.hpp"
#include "upstream/http_client.hpp"
#include "upstream/rate_limiter.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

struct live_settings;
struct config;
class usage_meter;
struct relay_metrics;
class logger;

struct speech_outcome {
    std::string error_code;    // "" when the audio is complete
    std::string error_message; // for people
    int http_status = 200;     // for a refusal before any audio
    std::size_t audio_bytes = 0;
    std::size_t characters = 0;
};

struct speech_events {
    std::function<void(std::string_view bytes)> on_audio;
    std::function<void(const speech_outcome& outcome)> on_done;
};

// An answer for the voice endpoints: a JSON text, or an error code with its message.
struct voice_answer {
    int http_status = 200;
    std::string json; // on success
    std::string error_code, error_message;
};

class speech_service {
public:
    speech_service(http_client& client, usage_meter& usage, relay_metrics& metrics, logger& log,
                   const config& cfg);

    void apply(const config& cfg); // limits, at start and on reload

    std::shared_ptr<upstream_call> speak(const std::shared_ptr<const live_settings>& settings,
                                         const speech_request& request,
                                         const std::string& visitor_key, speech_events events);

    // The voice list, from the cache while younger than DONNA_VOICES_CACHE_SECONDS; callers
    // arriving while it is being fetched share that one request.
    void voices(const std::shared_ptr<const live_settings>& settings,
                std::function<void(const voice_answer&)> done);

    // Clones a voice from the admin's multipart upload (name, files...) as it came; the voice
    // list cache is dropped when it succeeds.
    void add_voice(const std::shared_ptr<const live_settings>& settings, std::string content_type,
                   std::string body, std::function<void(const voice_answer&)> done);

private:
    void count(std::string_view operation, std::string_view outcome);
    speech_outcome refusal(int status, std::string code, std::string message);

    http_client& client_;
    usage_meter& usage_;
    relay_metrics& metrics_;
    logger& log_;
    rate_limiter visitor_limiter_;

    std::mutex mutex_;
    struct voice_cache {
        std::uint64_t generation = 0; // the settings it was fetched with (a reload may change keys)
        std::chrono::steady_clock::time_point fetched;
        std::string json; // "" = nothing cached
        bool fetching = false;
        std::vector<std::function<void(const voice_answer&)>> waiting;
    } cache_;
};

} // namespace donna::relay
