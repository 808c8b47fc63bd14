// voice_chat_service.cpp: transcription -> chat -> speech for one recorded turn.
#include "voice/voice_chat_service.hpp"

#include "chat/chat_completion.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "metrics/relay_metrics.hpp"
#include "providers/openai/transcription.hpp"
#include "settings/live_settings.hpp"
#include "upstream/call_chain.hpp"
#include "upstream/upstream_errors.hpp"
#include "upstream/usage_meter.hpp"
#include "voice/speech_service.hpp"

namespace donna::relay {

// One turn in flight: its steps (cancellable as one), what came so far, and an odd byte of
// audio held back so every chunk the caller gets is whole samples.
struct voice_chat_service::turn final : call_chain {
    std::shared_ptr<const live_settings> settings;
    voice_chat_request request;
    voice_chat_events events;
    voice_chat_outcome outcome;
    std::string odd_byte;
    bool finished = false;
};

voice_chat_service::voice_chat_service(http_client& client, chat_service& chat,
                                       speech_service& speech, usage_meter& usage,
                                       relay_metrics& metrics, logger& log)
    : client_(client), chat_(chat), speech_(speech), usage_(usage), metrics_(metrics), log_(log)
{}

std::shared_ptr<upstream_call>
voice_chat_service::start(std::shared_ptr<const live_settings> settings, voice_chat_request request,
                          voice_chat_events events)
{
    auto t = std::make_shared<turn>();
    t->settings = std::move(settings);
    t->request = std::move(request);
    t->events = std::move(events);
    const auto& cfg = t->settings->cfg;
    if (cfg.openai_api_key.empty()) {
        finish(t, "upstream_not_configured",
               "voice chat is off: OPENAI_API_KEY is not set on the relay", 503);
        return nullptr;
    }
    t->run([&] {
        return client_.request("openai", transcription_request(cfg, t->request.audio.wav),
                               [this, t](result<upstream_response> r) {
                                   t->done();
                                   transcribed(t, std::move(r));
                               });
    });
    return t;
}

void voice_chat_service::transcribed(const std::shared_ptr<turn>& t,
                                     result<upstream_response> answer)
{
    if (!answer)
        return finish(t, upstream_error_code(answer.error()),
                      "transcription failed: " + answer.error().message,
                      upstream_code_status(upstream_error_code(answer.error())));
    if (!answer->ok()) {
        const auto code = upstream_status_code(answer->status);
        const auto why = openai_error_message(answer->body);
        return finish(t, code,
                      "transcription failed: OpenAI answered HTTP " +
                          std::to_string(answer->status) + (why.empty() ? "" : ": " + why),
                      upstream_code_status(code));
    }
    const auto& cfg = t->settings->cfg;
    usage_.audio_seconds("openai", cfg.transcription_model, t->request.audio.seconds);
    auto text = parse_transcription(answer->body);
    if (!text)
        return finish(t, "upstream_error", "transcription failed: " + text.error().message, 502);
    if (text->empty())
        return finish(t, "no_speech",
                      "nothing was heard in the recording: speak, then send the turn again", 422);
    t->outcome.transcript = *text;
    if (t->events.on_transcript)
        t->events.on_transcript(*text);

    auto request = t->request.turn;
    request.text = *text;
    chat_turn_events chat_events;
    chat_events.on_delta = [t](std::string_view delta) {
        if (t->events.on_delta)
            t->events.on_delta(delta);
    };
    chat_events.on_done = [this, t](const chat_turn_outcome& reply) {
        t->done();
        if (t->events.on_reply)
            t->events.on_reply(reply);
        if (!reply.error_code.empty() && !reply.fallback) // counted by chat_service
            return finish(t, reply.error_code, reply.error_message, reply.http_status, false);
        speak(t, reply.reply);
    };
    t->run(
        [&] { return chat_.start_turn(t->settings, std::move(request), std::move(chat_events)); });
}

void voice_chat_service::speak(const std::shared_ptr<turn>& t, const std::string& reply)
{
    speech_events events;
    events.on_audio = [t](std::string_view bytes) {
        std::string whole = t->odd_byte;
        whole.append(bytes);
        t->odd_byte.clear();
        if (whole.size() % 2 != 0) {
            t->odd_byte = whole.substr(whole.size() - 1);
            whole.pop_back();
        }
        t->outcome.audio_bytes += whole.size();
        if (!whole.empty() && t->events.on_audio)
            t->events.on_audio(whole);
    };
    events.on_done = [this, t](const speech_outcome& spoken) {
        t->done();
        finish(t, spoken.error_code, spoken.error_message, spoken.http_status,
               false); // counted by speech_service
    };
    t->run([&] {
        return speech_.speak(t->settings,
                             speech_request{.text = reply,
                                            .voice_id = t->request.voice_id,
                                            .output_format = "pcm_24000"},
                             t->request.turn.visitor_key, std::move(events));
    });
}

void voice_chat_service::finish(const std::shared_ptr<turn>& t, std::string code,
                                const std::string& message, int status, bool count_error)
{
    if (t->finished)
        return;
    t->finished = true;
    auto& outcome = t->outcome;
    outcome.error_code = std::move(code);
    outcome.error_message = log_.redact(message);
    outcome.http_status = outcome.error_code.empty() ? 200 : status;
    metrics_.registry
        .get_counter("donna_voice_chat_turns_total", "Whisper voice-chat turns by outcome",
                     {{"outcome", outcome.error_code.empty() ? "ok" : outcome.error_code}})
        .inc();
    if (!outcome.error_code.empty() && count_error) {
        metrics_.error(outcome.error_code).inc();
        log_.warn("voice_chat",
                  "turn ended (" + outcome.error_code + "): " + outcome.error_message);
    }
    auto done = std::move(t->events.on_done);
    t->events = {};
    if (done)
        done(outcome);
}

} // namespace donna::relay
