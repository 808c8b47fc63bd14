// speech_service.cpp: checks, the streamed synthesis, the cached voice list, cloning.
#include "voice/speech_service.hpp"

#include "config/config.hpp"
#include "core/utf8.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "metrics/relay_metrics.hpp"
#include "settings/live_settings.hpp"
#include "upstream/upstream_errors.hpp"
#include "upstream/usage_meter.hpp"

#include <algorithm>

namespace donna::relay {
namespace {

// A non-2xx answer from ElevenLabs as DONNA's code and message.
voice_answer failed_answer(const upstream_response& r)
{
    voice_answer a;
    a.error_code = elevenlabs_error_status(r.body) == "voice_not_found"
                       ? "voice_not_found"
                       : upstream_status_code(r.status);
    const auto why = elevenlabs_error_message(r.body);
    a.error_message =
        "ElevenLabs answered HTTP " + std::to_string(r.status) + (why.empty() ? "" : ": " + why);
    a.http_status = a.error_code == "voice_not_found"    ? 404
                    : r.status == 400 || r.status == 422 ? 400
                                                         : upstream_code_status(a.error_code);
    return a;
}

voice_answer unanswered(const error& e)
{
    voice_answer a;
    a.error_code = upstream_error_code(e);
    a.error_message = e.message;
    a.http_status = upstream_code_status(a.error_code);
    return a;
}

voice_answer not_configured()
{
    return voice_answer{.http_status = 503,
                        .json = {},
                        .error_code = "upstream_not_configured",
                        .error_message =
                            "speech is off: ELEVENLABS_API_KEY is not set on the relay"};
}

} // namespace

speech_service::speech_service(http_client& client, usage_meter& usage, relay_metrics& metrics,
                               logger& log, const config& cfg)
    : client_(client),
      usage_(usage),
      metrics_(metrics),
      log_(log),
      visitor_limiter_({cfg.speech_requests_per_minute, std::chrono::seconds(60)})
{}

void speech_service::apply(const config& cfg)
{
    visitor_limiter_.set_limit({cfg.speech_requests_per_minute, std::chrono::seconds(60)});
}

void speech_service::count(std::string_view operation, std::string_view outcome)
{
    metrics_.registry
        .get_counter("donna_speech_requests_total", "ElevenLabs operations by outcome",
                     {{"operation", std::string(operation)}, {"outcome", std::string(outcome)}})
        .inc();
}

speech_outcome speech_service::refusal(int status, std::string code, std::string message)
{
    count("speak", code);
    metrics_.error(code).inc();
    return speech_outcome{.error_code = std::move(code),
                          .error_message = std::move(message),
                          .http_status = status,
                          .audio_bytes = 0,
                          .characters = 0};
}

std::shared_ptr<upstream_call>
speech_service::speak(const std::shared_ptr<const live_settings>& settings,
                      const speech_request& request, const std::string& visitor_key,
                      speech_events events)
{
    const auto& cfg = settings->cfg;
    const auto refuse = [&](int status, std::string code, std::string message) {
        const auto outcome = refusal(status, std::move(code), std::move(message));
        if (events.on_done)
            events.on_done(outcome);
        return nullptr;
    };
    const auto characters = utf8_length(request.text);
    if (request.text.find_first_not_of(" \t\r\n") == std::string::npos)
        return refuse(400, "empty_text", "there is no text to speak");
    if (characters > static_cast<std::size_t>(cfg.speech_max_characters))
        return refuse(413, "text_too_long",
                      "the text has " + std::to_string(characters) + " characters; the limit is " +
                          std::to_string(cfg.speech_max_characters));
    if (!request.voice_id.empty() && !is_voice_id(request.voice_id))
        return refuse(400, "invalid_voice_id",
                      "a voice id is letters and digits, as GET /v1/voices lists them");
    if (!is_speech_output_format(request.output_format))
        return refuse(400, "unsupported_format",
                      "output_format must be pcm_8000, pcm_16000, pcm_22050, pcm_24000, "
                      "pcm_44100, pcm_48000, mp3_22050_32, mp3_44100_64 or mp3_44100_128");
    if (const auto wait = visitor_limiter_.try_acquire(visitor_key))
        return refuse(429, "rate_limited",
                      "too many speech requests: at most " + visitor_limiter_.describe() +
                          " per visitor; try again in " +
                          std::to_string((wait->count() + 999) / 1000) + " s");
    if (cfg.elevenlabs_api_key.empty())
        return refuse(503, "upstream_not_configured",
                      "speech is off: ELEVENLABS_API_KEY is not set on the relay");

    struct speak_state {
        speech_events events;
        speech_outcome outcome;
        std::string model;
    };
    auto state = std::make_shared<speak_state>();
    state->events = std::move(events);
    state->outcome.characters = characters;
    state->model = cfg.voice_model;
    return client_.stream(
        "elevenlabs", elevenlabs_speech_request(cfg, request),
        stream_callbacks{.on_head = [](const upstream_response&) {},
                         .on_data =
                             [state](std::string_view bytes) {
                                 state->outcome.audio_bytes += bytes.size();
                                 if (state->events.on_audio)
                                     state->events.on_audio(bytes);
                             },
                         .on_done =
                             [this, state](result<upstream_response> r) {
                                 auto& outcome = state->outcome;
                                 voice_answer failure;
                                 if (!r)
                                     failure = unanswered(r.error());
                                 else if (!r->ok())
                                     failure = failed_answer(*r);
                                 if (failure.error_code.empty()) {
                                     count("speak", "ok");
                                     usage_.characters("elevenlabs", state->model,
                                                       static_cast<double>(outcome.characters));
                                 } else {
                                     outcome.error_code = failure.error_code;
                                     outcome.error_message = log_.redact(failure.error_message);
                                     outcome.http_status = failure.http_status;
                                     count("speak", outcome.error_code);
                                     metrics_.error(outcome.error_code).inc();
                                     log_.warn("speech", "text to speech failed (" +
                                                             outcome.error_code +
                                                             "): " + outcome.error_message);
                                 }
                                 auto done = std::move(state->events.on_done);
                                 state->events = {};
                                 if (done)
                                     done(outcome);
                             }});
}

void speech_service::voices(const std::shared_ptr<const live_settings>& settings,
                            std::function<void(const voice_answer&)> done)
{
    const auto& cfg = settings->cfg;
    if (cfg.elevenlabs_api_key.empty()) {
        count("voices", "upstream_not_configured");
        return done(not_configured());
    }
    {
        const std::lock_guard lock(mutex_);
        const auto age = std::chrono::steady_clock::now() - cache_.fetched;
        if (!cache_.json.empty() && cache_.generation == settings->generation &&
            age < std::chrono::seconds(cfg.voices_cache_seconds)) {
            voice_answer cached;
            cached.json = cache_.json;
            count("voices", "cached");
            return done(cached);
        }
        cache_.waiting.push_back(std::move(done));
        if (cache_.fetching)
            return;
        cache_.fetching = true;
    }
    const auto generation = settings->generation;
    client_.request("elevenlabs", elevenlabs_voices_request(cfg),
                    [this, generation](result<upstream_response> r) {
                        voice_answer answer;
                        if (!r)
                            answer = unanswered(r.error());
                        else if (!r->ok())
                            answer = failed_answer(*r);
                        else if (auto list = voice_list_json(r->body))
                            answer.json = std::move(*list);
                        else
                            answer = voice_answer{.http_status = 502,
                                                  .json = {},
                                                  .error_code = "upstream_error",
                                                  .error_message = list.error().message};
                        std::vector<std::function<void(const voice_answer&)>> waiting;
                        {
                            const std::lock_guard lock(mutex_);
                            cache_.fetching = false;
                            if (answer.error_code.empty()) {
                                cache_.json = answer.json;
                                cache_.generation = generation;
                                cache_.fetched = std::chrono::steady_clock::now();
                            }
                            waiting.swap(cache_.waiting);
                        }
                        count("voices", answer.error_code.empty() ? "ok" : answer.error_code);
                        if (!answer.error_code.empty()) {
                            metrics_.error(answer.error_code).inc();
                            log_.warn("speech",
                                      "voice list failed: " + log_.redact(answer.error_message));
                        }
                        for (auto& w : waiting)
                            w(answer);
                    });
}

void speech_service::add_voice(const std::shared_ptr<const live_settings>& settings,
                               std::string content_type, std::string body,
                               std::function<void(const voice_answer&)> done)
{
    const auto& cfg = settings->cfg;
    if (cfg.elevenlabs_api_key.empty()) {
        count("add_voice", "upstream_not_configured");
        return done(not_configured());
    }
    client_.request(
        "elevenlabs", elevenlabs_add_voice_request(cfg, std::move(content_type), std::move(body)),
        [this, done = std::move(done)](result<upstream_response> r) {
            voice_answer answer;
            if (!r)
                answer = unanswered(r.error());
            else if (!r->ok())
                answer = failed_answer(*r);
            else
                answer.json = r->body;
            if (answer.error_code.empty()) {
                const std::lock_guard lock(mutex_);
                cache_.json.clear(); // the new voice is listed from now on
            } else {
                metrics_.error(answer.error_code).inc();
                log_.warn("speech", "voice cloning failed: " + log_.redact(answer.error_message));
            }
            count("add_voice", answer.error_code.empty() ? "ok" : answer.error_code);
            done(answer);
        });
}

} // namespace donna::relay
