// phone_whisper_route.cpp: the token, the call's reason, espeak-ng, a WAV.
#include "api/phone_whisper_route.hpp"

#include "audio/pcm16.hpp"
#include "audio/resampler.hpp"
#include "audio/wav.hpp"
#include "core/unix_time.hpp"
#include "demo/speech_synth.hpp"
#include "http/http_answer.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/json_fields.hpp"
#include "settings/live_settings.hpp"
#include "settings/settings_source.hpp"
#include "store/call_store.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <nlohmann/json.hpp>

#include <charconv>

namespace donna::relay {
namespace {

constexpr std::string_view whisper_token_prefix = "phone-whisper-";
// Telephone audio: what every phone plays without converting.
constexpr int whisper_rate = 8000;

// The query's `name`, decoded ("" when absent).
std::string query_param(std::string_view target, std::string_view name)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return {};
    for (const auto& param : url->params())
        if (param.key == name)
            return param.value;
    return {};
}

std::int64_t positive_id(const std::string& text)
{
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    return ec == std::errc() && end == text.data() + text.size() && id > 0 ? id : 0;
}

// The caller's reason, from the newest "transfer" entry of the call's timeline.
std::string transfer_reason(call_store& calls, std::int64_t call_id)
{
    auto timeline = calls.timeline(call_id);
    if (!timeline)
        return {};
    std::string reason;
    for (const auto& e : *timeline)
        if (e.event_type == "transfer") {
            const auto detail = nlohmann::json::parse(e.detail, nullptr, false);
            if (detail.is_object())
                reason = json_string_member(detail, "reason");
        }
    return reason;
}

std::string whisper_words(const std::string& reason)
{
    std::string words = "Hello, this is DONNA. I have a caller for you.";
    if (!reason.empty())
        words += " " + reason;
    return words + " Connecting you now.";
}

} // namespace

std::string phone_whisper_url(const live_settings& live, std::int64_t call_id)
{
    const auto origin = live.cfg.public_origin();
    if (origin.empty())
        return {};
    const auto now = unix_now();
    const auto token =
        live.signer.issue({.site = {},
                           .persona = {},
                           .user_id = {},
                           .token_id = std::string(whisper_token_prefix) + std::to_string(call_id),
                           .issued_at = now,
                           .expires_at = now + whisper_token_seconds});
    return origin + std::string(phone_whisper_path) + "?call=" + std::to_string(call_id) +
           "&token=" + boost::urls::encode(token, boost::urls::unreserved_chars);
}

route phone_whisper_route(const phone_whisper_endpoint_deps& deps)
{
    return {
        .path = phone_whisper_path,
        .methods = {"GET"},
        .who = caller::anyone, // the token is checked here: Telnyx sends no headers of ours
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            const auto refuse = [&](int status, std::string_view code, std::string_view message) {
                deps.metrics.error(code).inc();
                reply->send(json_error(status, code, message));
            };
            const auto call_id = positive_id(query_param(request.target, "call"));
            if (call_id == 0)
                return refuse(400, "invalid_request",
                              "the whisper's URL must name its call: ?call=<id>&token=<token>");
            const auto live = deps.settings.current();
            auto claims =
                live->signer.verify(query_param(request.target, "token"), request.now_unix);
            if (!claims ||
                claims->token_id != std::string(whisper_token_prefix) + std::to_string(call_id))
                return refuse(401, "invalid_whisper_token",
                              "the whisper token is missing, not valid, expired or for another "
                              "call");
            call_store calls(deps.db);
            if (auto call = calls.get(call_id); !call)
                return refuse(call.error().code == errc::not_found ? 404 : 503,
                              call.error().code == errc::not_found ? "unknown_call"
                                                                   : "storage_error",
                              call.error().message);
            auto* voice = deps.session.demo_voice ? deps.session.demo_voice() : nullptr;
            auto speech = voice != nullptr
                              ? voice->synthesize(whisper_words(transfer_reason(calls, call_id)))
                              : result<std::vector<std::int16_t>>(make_error(
                                    errc::upstream_unavailable, "espeak-ng is not available"));
            auto down = resampler::create(speech_synth::sample_rate, whisper_rate);
            if (!speech || !down)
                return refuse(503, "speech_unavailable",
                              "the relay cannot speak the whisper: " +
                                  (speech ? down.error().message : speech.error().message));
            std::vector<float> in(speech->size());
            pcm16_to_float(*speech, in);
            std::vector<float> out;
            down->process(in, out);
            down->flush(out);
            const auto wav = encode_wav(out, whisper_rate);
            http_answer answer{.status = 200,
                               .body = std::string(wav.begin(), wav.end()),
                               .content_type = "audio/wav",
                               .headers = {{"Cache-Control", "no-store"}}};
            reply->send(std::move(answer));
        }};
}

} // namespace donna::relay
