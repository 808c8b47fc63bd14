// phone_media_route.cpp: the media stream's upgrade: token, call, one stream a call.
#include "api/phone_media_route.hpp"

#include "api/phone_whisper_route.hpp"

#include "auth/random_id.hpp"
#include "http/http_answer.hpp"
#include "metrics/relay_metrics.hpp"
#include "phone/call_answering.hpp"
#include "phone/call_events.hpp"
#include "protocol/donna_events.hpp"
#include "protocol/json_fields.hpp"
#include "realtime/phone_call_session.hpp"
#include "settings/live_settings.hpp"
#include "settings/settings_source.hpp"
#include "store/call_store.hpp"
#include "store/memory_store.hpp"
#include "telephony/phone_providers.hpp"

#include <boost/url/parse.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <memory>

namespace donna::relay {
namespace {

// Enough for every call Telnyx may stream at once; the per-call limit is one.
constexpr int max_media_streams = 100000;

// How long the person's phone rings when DONNA puts a caller through; then she takes the
// caller back (phone/call_answering's after_transfer).
constexpr int transfer_ring_seconds = 25;

// `after`: why the stream opens again (busy, no_answer), "" for a call's first stream.
std::string after_param(std::string_view target)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return {};
    for (const auto& param : url->params())
        if (param.key == "after" && (param.value == "busy" || param.value == "no_answer"))
            return param.value;
    return {};
}

std::int64_t call_param(std::string_view target)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return 0;
    for (const auto& param : url->params()) {
        if (param.key != "call")
            continue;
        std::int64_t id = 0;
        const auto& v = param.value;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
        return ec == std::errc() && end == v.data() + v.size() && id > 0 ? id : 0;
    }
    return 0;
}

} // namespace

route phone_media_route(const phone_media_endpoint_deps& deps)
{
    return {
        .path = phone_media_path,
        .methods = {"GET"},
        .who = caller::anyone, // the token is checked here, in the handler
        .websocket = true,
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            const auto refuse = [&](int status, std::string_view code, std::string_view message) {
                deps.metrics.error(code).inc();
                auto answer = json_error(status, code, message);
                answer.close = true;
                reply->send(std::move(answer));
            };
            const auto call_id = call_param(request.target);
            if (call_id == 0)
                return refuse(400, "invalid_request",
                              "the media stream's URL must name its call: ?call=<id>");
            const auto token = request.header(media_token_header);
            if (token.empty())
                return refuse(401, "missing_media_token",
                              "the media stream must present its call's token in " +
                                  std::string(media_token_header));
            phone_call_grant grant;
            grant.settings = deps.settings.current();
            auto claims = grant.settings->signer.verify(token, request.now_unix);
            if (!claims)
                return refuse(401, "invalid_media_token",
                              "the media token is not valid: " + claims.error().message);
            if (claims->token_id != std::string(media_token_prefix) + std::to_string(call_id))
                return refuse(401, "invalid_media_token", "the media token is for another call");
            call_store calls(deps.db);
            auto call = calls.get(call_id);
            if (!call)
                return refuse(call.error().code == errc::not_found ? 404 : 503,
                              call.error().code == errc::not_found ? "unknown_call"
                                                                   : "storage_error",
                              call.error().message);
            if (call->status == "ended" || call->status == "failed")
                return refuse(410, "call_ended",
                              "call #" + std::to_string(call_id) +
                                  " has ended; its audio cannot stream");
            auto lease = deps.sessions.try_acquire(request.peer_address, claims->token_id,
                                                   {max_media_streams, 1});
            if (!lease)
                return refuse(lease.error().code == errc::rate_limited ? 409 : 503,
                              lease.error().code == errc::rate_limited ? "media_stream_open"
                                                                       : "shutting_down",
                              lease.error().code == errc::rate_limited
                                  ? "call #" + std::to_string(call_id) +
                                        " already streams its audio to the relay"
                                  : lease.error().message);
            grant.call_id = call_id;
            grant.after_transfer = after_param(request.target);
            grant.call_control_id = call->call_control_id;
            grant.site = call->site;
            grant.persona = persona_from_string(claims->persona).value_or(persona::general);
            const auto* site = grant.settings->cfg.sites.find(call->site);
            grant.greeting = site != nullptr && !site->greeting.empty()
                                 ? site->greeting
                                 : grant.settings->personas.get(grant.persona).greeting;
            grant.lease.emplace(std::move(*lease));
            grant.hang_up = [phones = &deps.phones, settings = grant.settings,
                             call_control_id = call->call_control_id, call_id] {
                auto* voice = phones->voice(settings->cfg);
                if (voice == nullptr || call_control_id.empty())
                    return;
                // Its failure changes nothing here: a call that has ended already is fine,
                // and one that has not ends when the caller hangs up on the silence.
                voice->command({.action = call_action::hangup,
                                .call_control_id = call_control_id,
                                .command_id = "donna-hangup-" + std::to_string(call_id)},
                               [](const provider_result<command_done>&) {});
            };
            // Each transfer its own command id (a caller may be put through again after a
            // transfer rang out); the new leg's events name our call, so that one ringing out
            // brings DONNA back.
            grant.transfer = [phones = &deps.phones, settings = grant.settings,
                              call_control_id = call->call_control_id,
                              call_id](const std::string& to) {
                auto* voice = phones->voice(settings->cfg);
                if (voice == nullptr || call_control_id.empty())
                    return;
                voice->command({.action = call_action::transfer,
                                .call_control_id = call_control_id,
                                .command_id = "donna-transfer-" + std::to_string(call_id) + "-" +
                                              random_hex(6),
                                .to = to,
                                .target_client_state = transfer_client_state(call_id),
                                .ring_seconds = transfer_ring_seconds,
                                .whisper_url = phone_whisper_url(*settings, call_id)},
                               [](const provider_result<command_done>&) {});
            };
            if (site != nullptr && !site->staff_phones.empty())
                grant.staff_phone = site->staff_phones.front();
            if (site != nullptr && site->trust_caller_id && !call->from.empty()) {
                memory_store memories(deps.db);
                // A lookup that fails leaves the caller unknown: the call goes on.
                if (auto user = memories.user_by_phone(site->id, call->from); !user)
                    deps.metrics.error("storage_error").inc();
                else if (!user->empty())
                    grant.memory = memories.prompt(
                        site->id, *user,
                        static_cast<std::size_t>(grant.settings->cfg.memory_prompt_tokens));
            }
            if (site != nullptr && site->hours) {
                grant.hours = site->hours->describe();
                grant.closed = !site->hours->open_at(request.now_unix);
                grant.closed_takes_messages =
                    site->hours->after_hours == business_hours::after::message;
            }
            grant.caller_number = call->from;
            grant.note = [db = &deps.db, metrics = &deps.metrics,
                          call_id](std::string_view type, const std::string& detail) {
                const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
                call_store record(*db);
                // An entry the database cannot take is missing from the record (and counted);
                // the call goes on.
                if (!record.note(call_id, std::string(type), detail, now_ms))
                    metrics->error("storage_error").inc();
            };
            auto shared = std::make_shared<phone_call_grant>(std::move(grant));
            reply->accept_websocket([deps, shared](std::unique_ptr<websocket_channel> channel,
                                                   const websocket_upgrade& handed) {
                run_phone_call_session(std::move(channel), handed.request, std::move(*shared),
                                       deps.session);
            });
        }};
}

} // namespace donna::relay
