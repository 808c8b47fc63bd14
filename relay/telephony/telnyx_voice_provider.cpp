// telnyx_voice_provider.cpp: dial, command and status through Telnyx Call Control.
#include "telephony/telnyx_voice_provider.hpp"

#include "config/config.hpp"
#include "providers/telnyx/telnyx_call_control.hpp"
#include "settings/settings_source.hpp"
#include "telephony/telnyx_rest.hpp"

namespace donna::relay {
namespace {

// A dial's or a status's answer: the call Telnyx describes, or why there is none.
provider_result<telnyx_call> call_of(const provider_result<upstream_response>& answer)
{
    if (!answer)
        return answer.failure();
    auto call = parse_telnyx_call_answer(answer->body);
    if (!call)
        return telnyx_unreadable(call.error());
    return std::move(*call);
}

provider_failure bad_call_id()
{
    return {.code = "invalid_call_id",
            .message = "a call id is letters, digits, ':', '_', '-' and '.', at most 256",
            .http_status = 400};
}

} // namespace

void telnyx_voice_provider::dial(const dial_request& request,
                                 std::function<void(provider_result<dialed_call>)> done)
{
    const auto live = settings_.current();
    const auto& cfg = live->cfg;
    if (auto missing = telnyx_unconfigured(cfg))
        return done(*missing);
    if (cfg.telnyx_connection_id.empty() ||
        (request.from.empty() && cfg.telnyx_phone_number.empty()))
        return done(provider_failure{
            .code = "phone_not_configured",
            .message = "dialing needs TELNYX_CONNECTION_ID and a number to call from "
                       "(TELNYX_PHONE_NUMBER)",
            .http_status = 503});
    call_telnyx(
        http_,
        telnyx_dial_request(cfg, {.to = request.to,
                                  .from = request.from,
                                  .client_state = request.client_state,
                                  .command_id = request.command_id,
                                  .timeout_secs = request.timeout_secs}),
        [done = std::move(done)](const provider_result<upstream_response>& answer) {
            auto call = call_of(answer);
            if (!call)
                return done(call.failure());
            done(dialed_call{call->call_control_id, call->call_leg_id, call->call_session_id});
        });
}

void telnyx_voice_provider::command(const call_command& command,
                                    std::function<void(provider_result<command_done>)> done)
{
    const auto live = settings_.current();
    if (auto missing = telnyx_unconfigured(live->cfg))
        return done(*missing);
    if (!is_telnyx_call_control_id(command.call_control_id))
        return done(bad_call_id());
    telnyx_command_params params{.command_id = command.command_id,
                                 .client_state = command.client_state};
    if (command.action == call_action::transfer) {
        params.to = command.to;
        params.from = command.from;
        params.target_leg_client_state = command.target_client_state;
        params.timeout_secs = command.ring_seconds;
        params.audio_url = command.whisper_url;
    } else if (command.action == call_action::record_start) {
        params.format = command.record_format;
        params.channels = command.record_channels;
    } else if (command.action == call_action::reject) {
        params.cause = command.reject_cause;
    } else if (command.action == call_action::stream_media) {
        params.stream_url = command.media.url;
        params.stream_auth_token = command.media.auth_token;
        params.stream_codec = command.media.codec;
        params.stream_sampling_rate = command.media.sample_rate;
    }
    call_telnyx(http_,
                telnyx_command_request(live->cfg, command.call_control_id,
                                       call_action_name(command.action), params),
                [done = std::move(done)](const provider_result<upstream_response>& answer) {
                    if (!answer)
                        return done(answer.failure());
                    done(command_done{});
                });
}

void telnyx_voice_provider::status(const std::string& call_control_id,
                                   std::function<void(provider_result<call_status>)> done)
{
    const auto live = settings_.current();
    if (auto missing = telnyx_unconfigured(live->cfg))
        return done(*missing);
    if (!is_telnyx_call_control_id(call_control_id))
        return done(bad_call_id());
    call_telnyx(http_, telnyx_call_status_request(live->cfg, call_control_id),
                [done = std::move(done)](const provider_result<upstream_response>& answer) {
                    auto call = call_of(answer);
                    if (!call)
                        return done(call.failure());
                    done(call_status{.call_control_id = call->call_control_id,
                                     .call_leg_id = call->call_leg_id,
                                     .call_session_id = call->call_session_id,
                                     .is_alive = call->is_alive,
                                     .duration_seconds = call->call_duration,
                                     .start_time = call->start_time,
                                     .end_time = call->end_time});
                });
}

} // namespace donna::relay
