// session_auth.cpp: bearer session tokens and the admin token.
#include "api/session_auth.hpp"

#include "api/realtime_auth.hpp"
#include "http/router.hpp"
#include "settings/live_settings.hpp"
#include "settings/settings_source.hpp"

#include <sodium.h>

namespace donna::relay {

std::string_view bearer_token(std::string_view authorization)
{
    constexpr std::string_view prefix = "Bearer ";
    if (authorization.size() > prefix.size() && authorization.substr(0, prefix.size()) == prefix)
        return authorization.substr(prefix.size());
    return {};
}

std::variant<session_claims, http_answer>
authenticate_session(std::string_view authorization, const live_settings& settings,
                     std::string_view origin, std::string_view self_origin, std::int64_t now_unix)
{
    const auto token = bearer_token(authorization);
    if (token.empty())
        return json_error(401, "missing_session_token",
                          "present a session token from POST /v1/session as 'Authorization: "
                          "Bearer <token>'");
    return authenticate_session_token(token, settings, origin, self_origin, now_unix);
}

std::variant<session_claims, http_answer> authenticate_session_token(std::string_view token,
                                                                     const live_settings& settings,
                                                                     std::string_view origin,
                                                                     std::string_view self_origin,
                                                                     std::int64_t now_unix)
{
    auto claims = settings.signer.verify(token, now_unix);
    if (!claims)
        return json_error(401,
                          claims.error().code == errc::token_expired ? "session_token_expired"
                                                                     : "invalid_session_token",
                          claims.error().message);
    if (is_relay_own_token_id(claims->token_id))
        return json_error(401, "invalid_session_token",
                          "this token is one of the relay's own (a phone call's media stream, "
                          "an OAuth flow's state), not a session");
    const site* s = settings.cfg.sites.find(claims->site);
    if (s == nullptr)
        return json_error(403, "unknown_site",
                          "the token's site \"" + claims->site + "\" is no longer configured");
    if (!origin.empty() && !settings.cfg.sites.origin_allowed(*s, origin, self_origin))
        return json_error(403, "origin_not_allowed",
                          std::string(origin) + " may not use site \"" + s->id + "\"");
    return std::move(*claims);
}

bool is_admin(std::string_view authorization, const live_settings& settings)
{
    const auto& expected = settings.cfg.admin_token;
    const auto presented = bearer_token(authorization);
    return !expected.empty() && presented.size() == expected.size() &&
           sodium_memcmp(presented.data(), expected.data(), expected.size()) == 0;
}

std::optional<http_answer> admin_refusal(std::string_view authorization,
                                         const live_settings& settings)
{
    if (bearer_token(authorization).empty()) {
        auto answer = json_error(401, "missing_admin_token",
                                 "this needs 'Authorization: Bearer <DONNA_ADMIN_TOKEN>'");
        answer.headers.emplace_back("WWW-Authenticate", "Bearer");
        return answer;
    }
    if (!is_admin(authorization, settings))
        return json_error(403, "admin_token_required",
                          settings.cfg.admin_token.empty()
                              ? "DONNA_ADMIN_TOKEN is not set on the relay: the admin routes "
                                "are off"
                              : "the bearer token is not the relay's admin token");
    return std::nullopt;
}

caller_identifier identify_visitor(const settings_source& settings)
{
    return [&settings](const request_context& head) -> std::optional<request_caller> {
        const auto current = settings.current();
        // Browsers cannot set Authorization on a WebSocket: an upgrade may carry the token as
        // a subprotocol instead (api/realtime_auth).
        const auto token =
            presented_token(head.header("authorization"), head.header("sec-websocket-protocol"));
        if (token.empty())
            return std::nullopt;
        auto who = authenticate_session_token(token, *current, head.header("origin"),
                                              head.self_origin, head.now_unix);
        const auto* claims = std::get_if<session_claims>(&who);
        if (claims == nullptr)
            return std::nullopt;
        return request_caller{caller::visitor, claims->token_id, claims->site};
    };
}

caller_identifier identify_admin(const settings_source& settings)
{
    return [&settings](const request_context& head) -> std::optional<request_caller> {
        if (!is_admin(head.header("authorization"), *settings.current()))
            return std::nullopt;
        return request_caller{caller::admin, "admin", ""};
    };
}

std::function<std::size_t(const request_context&)>
voice_upload_limit(const settings_source& settings, std::string_view method)
{
    return [&settings, method = std::string(method)](const request_context& head) {
        return method.empty() || head.method == method
                   ? static_cast<std::size_t>(settings.current()->cfg.voice_upload_max_bytes)
                   : default_body_limit;
    };
}

} // namespace donna::relay
