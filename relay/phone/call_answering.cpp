// call_answering.cpp: answer and stream, or reject.
#include "phone/call_answering.hpp"

#include "config/config.hpp"
#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "phone/call_events.hpp"
#include "protocol/donna_events.hpp"
#include "settings/settings_source.hpp"
#include "store/call_store.hpp"
#include "telephony/phone_providers.hpp"

#include <algorithm>
#include <memory>
#include <optional>

namespace donna::relay {
namespace {

// The names in an offer, upper-cased, in order ("pcmu, G722" -> PCMU G722).
std::vector<std::string> offered_names(std::string_view offered)
{
    std::vector<std::string> names;
    std::string current;
    const auto flush = [&] {
        if (!current.empty())
            names.push_back(current);
        current.clear();
    };
    for (const char c : offered) {
        if (c == ',' || c == ' ' || c == ';') {
            flush();
            continue;
        }
        current.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    flush();
    return names;
}

bool offers(const std::vector<std::string>& names, std::string_view codec)
{
    return std::find(names.begin(), names.end(), codec) != names.end();
}

} // namespace

phone_codec_choice choose_phone_codec(std::string_view offered_codecs, bool g711_through)
{
    const auto names = offered_names(offered_codecs);
    const auto first_g711 = [&]() -> std::optional<phone_codec_choice> {
        for (const auto& name : names)
            if (name == "PCMA" || name == "PCMU")
                return phone_codec_choice{name, 8000};
        return std::nullopt;
    };
    if (g711_through)
        if (auto g711 = first_g711())
            return *g711;
    if (offers(names, "G722"))
        return {"G722", 16000};
    if (offers(names, "L16"))
        return {"L16", 16000};
    return first_g711().value_or(phone_codec_choice{});
}

void call_answering::count(const char* outcome)
{
    deps_.metrics.registry
        .get_counter("donna_calls_answered_total", "Incoming calls, by what the relay did",
                     {{"outcome", outcome}})
        .inc();
}

void call_answering::reject(const call_record& call, const std::string& why,
                            job_runner::settle done)
{
    const auto live = deps_.settings.current();
    auto* voice = deps_.phones.voice(live->cfg);
    deps_.log.warn("phone",
                   "call #" + std::to_string(call.id) + " to " + call.to + " rejected: " + why);
    if (voice == nullptr) {
        count("failed");
        return done(job_outcome::fail("no voice provider to reject the call with"));
    }
    call_command command{.action = call_action::reject,
                         .call_control_id = call.call_control_id,
                         .command_id = "donna-reject-" + std::to_string(call.id)};
    voice->command(command, [this, done = std::move(done)](const provider_result<command_done>& r) {
        if (r) {
            count("rejected");
            return done(job_outcome::done());
        }
        settle_failure(r.failure(), done);
    });
}

// A command that did not go through: a call that ended first, or a provider with no
// credentials, is done with (nothing can change it: the call rings out); a passing failure
// is tried again; any other fails the job.
void call_answering::settle_failure(const provider_failure& f, const job_runner::settle& done)
{
    if (f.code == "telnyx_call_ended") {
        count("ended_first");
        return done(job_outcome::done());
    }
    if (f.code == "phone_not_configured") {
        count("unanswered");
        deps_.log.warn("phone", "an incoming call is not answered: " + f.message);
        return done(job_outcome::done());
    }
    if (f.retry)
        return done(job_outcome::retry(f.message, f.retry_after));
    count("failed");
    done(job_outcome::fail(f.message));
}

call_command call_answering::stream_command(const live_settings& live, const call_record& call,
                                            const std::string& offered_codecs,
                                            std::string command_id, std::string_view after)
{
    const auto* site = live.cfg.sites.find(call.site);
    const auto now = unix_now();
    const auto token = live.signer.issue(
        {.site = call.site,
         .persona = std::string(to_string(site != nullptr ? site->persona : persona::general)),
         .user_id = {},
         .token_id = std::string(media_token_prefix) + std::to_string(call.id),
         .issued_at = now,
         .expires_at = now + media_token_seconds});
    const auto codec = choose_phone_codec(offered_codecs, live.cfg.phone_passes_g711());
    call_command stream{.action = call_action::stream_media,
                        .call_control_id = call.call_control_id,
                        .command_id = std::move(command_id)};
    auto url = live.cfg.phone_media_url() + "?call=" + std::to_string(call.id);
    if (!after.empty())
        url += "&after=" + std::string(after);
    stream.media = {.url = std::move(url),
                    .auth_token = token,
                    .codec = codec.codec,
                    .sample_rate = codec.sample_rate};
    return stream;
}

void call_answering::after_transfer(const call_record& call, const std::string& offered_codecs,
                                    const std::string& leg_id, const std::string& hangup_cause,
                                    job_runner::settle done)
{
    const auto live = deps_.settings.current();
    auto* voice = deps_.phones.voice(live->cfg);
    if (voice == nullptr || live->cfg.phone_media_url().empty() ||
        live->cfg.realtime() == realtime_mode::off)
        return done(job_outcome::done()); // nobody to come back: the caller hears silence
    const std::string_view after = hangup_cause == "user_busy" ? "busy" : "no_answer";
    deps_.log.info("phone", "call #" + std::to_string(call.id) +
                                ": the transfer was not answered (" + hangup_cause +
                                "); DONNA comes back");
    const auto stream = stream_command(
        *live, call, offered_codecs,
        "donna-stream-" + std::to_string(call.id) + "-" + leg_id.substr(0, 64), after);
    voice->command(stream, [this, done = std::move(done)](const provider_result<command_done>& r) {
        if (r) {
            deps_.metrics.registry
                .get_counter("donna_phone_transfer_returns_total",
                             "Calls DONNA took back after the person did not answer")
                .inc();
            return done(job_outcome::done());
        }
        if (r.failure().code == "telnyx_call_ended")
            return done(job_outcome::done()); // the caller hung up meanwhile
        if (r.failure().retry)
            return done(job_outcome::retry(r.failure().message, r.failure().retry_after));
        done(job_outcome::fail(r.failure().message));
    });
}

void call_answering::on_incoming(const call_record& call, const std::string& offered_codecs,
                                 job_runner::settle done)
{
    const auto live = deps_.settings.current();
    const auto& cfg = live->cfg;
    // Answering is on when the media stream has somewhere to connect and DONNA can speak;
    // otherwise the relay keeps the call's record and leaves the call to the rest of the
    // operator's set-up (it rings out).
    const auto media_url = cfg.phone_media_url();
    if (media_url.empty() || cfg.realtime() == realtime_mode::off) {
        count("not_answered");
        deps_.log.info("phone", "call #" + std::to_string(call.id) + " to " + call.to +
                                    " is not answered: " +
                                    (media_url.empty() ? "DONNA_PUBLIC_URL is not set"
                                                       : "voice is off (no OPENAI_API_KEY)"));
        return done(job_outcome::done());
    }
    if (call.site.empty())
        return reject(call, "no site claims the number " + call.to + " (sites file, phone_numbers)",
                      std::move(done));
    auto* voice = deps_.phones.voice(cfg);
    if (voice == nullptr) {
        count("failed");
        return done(job_outcome::fail("no voice provider (VOICE_PROVIDER) to answer with"));
    }
    const auto stream =
        stream_command(*live, call, offered_codecs, "donna-stream-" + std::to_string(call.id), "");
    call_command answer{.action = call_action::answer,
                        .call_control_id = call.call_control_id,
                        .command_id = "donna-answer-" + std::to_string(call.id),
                        .client_state = call_client_state(call.id)};
    const auto settle = std::make_shared<job_runner::settle>(std::move(done));
    const auto fail = [this, settle](const provider_failure& f) {
        settle_failure(f, *settle);
    };
    const auto id = call.id;
    voice->command(answer, [this, voice, stream, fail, settle,
                            id](const provider_result<command_done>& answered) {
        if (!answered)
            return fail(answered.failure());
        voice->command(stream, [this, fail, settle,
                                id](const provider_result<command_done>& streaming) {
            if (!streaming)
                return fail(streaming.failure());
            count("answered");
            deps_.log.info("phone", "call #" + std::to_string(id) + " answered; its audio streams");
            (*settle)(job_outcome::done());
        });
    });
}

} // namespace donna::relay
