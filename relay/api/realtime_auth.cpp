// realtime_auth.cpp: token, origin, limits, options, in that order.
#include "api/realtime_auth.hpp"
#include "api/session_auth.hpp"
#include "metrics/relay_metrics.hpp"
#include "net/websocket_channel.hpp"
#include "realtime/realtime_session.hpp"
#include "server/session_registry.hpp"
#include "settings/settings_source.hpp"

#include <boost/url/parse.hpp>

namespace donna::relay {
namespace {

constexpr std::string_view key_protocol_prefix = "openai-insecure-api-key.";
constexpr std::string_view beta_protocol = "openai-beta.realtime-v1";

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// Calls f on each comma-separated, trimmed offer.
template <class F>
void for_each_protocol(std::string_view protocols, F f)
{
    while (!protocols.empty()) {
        const auto comma = protocols.find(',');
        f(trim(protocols.substr(0, comma)));
        if (comma == std::string_view::npos)
            break;
        protocols.remove_prefix(comma + 1);
    }
}

bool offers(std::string_view protocols, std::string_view wanted)
{
    bool found = false;
    for_each_protocol(protocols, [&](std::string_view p) { found = found || p == wanted; });
    return found;
}

} // namespace

std::string_view presented_token(std::string_view authorization, std::string_view protocols)
{
    constexpr std::string_view bearer = "Bearer ";
    if (authorization.size() > bearer.size() && authorization.substr(0, bearer.size()) == bearer)
        return trim(authorization.substr(bearer.size()));
    std::string_view token;
    for_each_protocol(protocols, [&](std::string_view p) {
        if (token.empty() && p.substr(0, key_protocol_prefix.size()) == key_protocol_prefix)
            token = p.substr(key_protocol_prefix.size());
    });
    return token;
}

std::variant<realtime_grant, http_answer> authorize_realtime(const upgrade_request& request,
                                                             const realtime_endpoint_deps& deps,
                                                             std::int64_t now_unix)
{
    auto& metrics = deps.metrics;
    const auto refuse = [&](int status, std::string_view code, std::string_view message) {
        metrics.error(code).inc();
        return json_error(status, code, message);
    };

    realtime_grant grant;
    grant.settings = deps.settings.current();
    const auto& settings = *grant.settings;

    const auto token = presented_token(request.authorization, request.protocols);
    if (token.empty())
        return refuse(401, "missing_session_token",
                      "present a session token from POST /v1/session as 'Authorization: Bearer "
                      "<token>' or the subprotocol openai-insecure-api-key.<token>");
    // Browsers always send Origin on a WebSocket upgrade; a token carried to another site's
    // page must not work there.
    auto who =
        authenticate_session_token(token, settings, request.origin, request.self_origin, now_unix);
    if (auto* refusal = std::get_if<http_answer>(&who)) {
        metrics.error(refusal->code).inc();
        return std::move(*refusal);
    }
    grant.claims = std::move(std::get<session_claims>(who));
    const site* s = settings.cfg.sites.find(grant.claims.site);
    const auto persona = persona_from_string(grant.claims.persona);
    if (!persona)
        return refuse(401, "invalid_session_token", "the token names an unknown persona");
    grant.persona = *persona;
    grant.greeting = s->greeting.empty() ? settings.personas.get(*persona).greeting : s->greeting;

    const auto url = boost::urls::parse_origin_form(request.target);
    if (!url)
        return refuse(400, "invalid_request", "the request target is not a valid URL");
    for (const auto& param : url->params()) {
        if (param.key == "donna_client")
            grant.donna_client = param.value == "1";
        else if (param.key == "donna_output_audio") {
            if (param.value != "opus" && param.value != "pcm16")
                return refuse(400, "invalid_request", "donna_output_audio must be opus or pcm16");
            grant.opus_output = param.value == "opus";
        }
    }
    grant.spelling = request.openai_beta.find("realtime=v1") != std::string_view::npos ||
                             offers(request.protocols, beta_protocol)
                         ? dialect::beta
                         : dialect::ga;
    if (offers(request.protocols, "realtime"))
        grant.subprotocol = "realtime";

    auto lease = deps.sessions.try_acquire(
        request.client_ip, grant.claims.token_id,
        {settings.cfg.max_sessions_per_ip, settings.cfg.max_sessions_per_token});
    if (!lease)
        return refuse(lease.error().code == errc::rate_limited ? 429 : 503,
                      lease.error().code == errc::rate_limited ? "too_many_sessions"
                                                               : "shutting_down",
                      lease.error().message);
    grant.lease.emplace(std::move(*lease));
    return grant;
}

route realtime_route(const realtime_endpoint_deps& deps)
{
    return {
        .path = realtime_path,
        .methods = {"GET"},
        .who = caller::visitor,
        .websocket = true,
        .identify = identify_visitor(deps.settings),
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            const upgrade_request upgrade{request.target,
                                          request.header("authorization"),
                                          request.header("sec-websocket-protocol"),
                                          request.header("openai-beta"),
                                          request.header("origin"),
                                          request.self_origin,
                                          request.peer_address};
            auto decision = authorize_realtime(upgrade, deps, request.now_unix);
            if (auto* refusal = std::get_if<http_answer>(&decision)) {
                refusal->close = true;
                return reply->send(std::move(*refusal));
            }
            // A std::function must be copyable, and a grant holds its session lease.
            auto grant =
                std::make_shared<realtime_grant>(std::move(std::get<realtime_grant>(decision)));
            reply->accept_websocket([deps, grant](std::unique_ptr<websocket_channel> channel,
                                                  const websocket_upgrade& handed) {
                run_realtime_session(std::move(channel), handed.request, std::move(*grant),
                                     deps.session);
            });
        }};
}

} // namespace donna::relay
