// session_auth.hpp: checking the session token an HTTP API call presents as
// `Authorization: Bearer <token>` (POST /v1/chat, /v1/memory): genuine, not expired, its site
// still configured, and, from a browser, called from one of the site's origins.
//
//   auto who = authenticate_session(req.authorization, settings, origin, self_origin, now);
//   if (auto* refusal = std::get_if<http_answer>(&who)) return *refusal;   // 401 / 403
//   const session_claims& claims = std::get<session_claims>(who);
#pragma once

#include "auth/session_token.hpp"
#include "http/http_answer.hpp"
#include "http/request_context.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <variant>

namespace donna::relay {

class settings_source;
struct live_settings;

// Refusals: 401 missing_session_token / invalid_session_token / session_token_expired,
// 403 unknown_site / origin_not_allowed.
std::variant<session_claims, http_answer>
authenticate_session(std::string_view authorization, const live_settings& settings,
                     std::string_view origin, std::string_view self_origin, std::int64_t now_unix);

// The same checks on a token already taken from wherever it came (WS /v1/realtime also
// accepts it as a subprotocol); no 401 missing_session_token.
std::variant<session_claims, http_answer> authenticate_session_token(std::string_view token,
                                                                     const live_settings& settings,
                                                                     std::string_view origin,
                                                                     std::string_view self_origin,
                                                                     std::int64_t now_unix);

// "Bearer <token>" -> "<token>"; "" when the header has another form.
std::string_view bearer_token(std::string_view authorization);

// True when `authorization` is "Bearer <DONNA_ADMIN_TOKEN>" and an admin token is configured
// (compared in constant time).
bool is_admin(std::string_view authorization, const live_settings& settings);

// For an admin route: nullopt when `authorization` is the admin's; else the refusal: 401
// missing_admin_token (with WWW-Authenticate: Bearer) when there is no bearer token, 403
// admin_token_required when it is not DONNA_ADMIN_TOKEN or none is configured.
std::optional<http_answer> admin_refusal(std::string_view authorization,
                                         const live_settings& settings);

// A route row's identify(): who the head's credentials name, checked as above against the
// settings of the moment. Visitors: the session token in Authorization (or, on a WebSocket
// upgrade, the subprotocol), with its Origin; admins: DONNA_ADMIN_TOKEN.
using caller_identifier = std::function<std::optional<request_caller>(const request_context&)>;
caller_identifier identify_visitor(const settings_source& settings);
caller_identifier identify_admin(const settings_source& settings);

// A route row's upload_limit for voice uploads: DONNA_VOICE_UPLOAD_MAX_BYTES, read from the
// settings of the moment, for requests of `method` only (empty: every method).
std::function<std::size_t(const request_context&)>
voice_upload_limit(const settings_source& settings, std::string_view method = {});

} // namespace donna::relay
