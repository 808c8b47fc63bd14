// session_endpoint.hpp: POST /v1/session: a browser on a customer's site asks for a
// short-lived session token. The relay checks the request's Origin against that site's
// allowlist (the browser sets Origin; page scripts cannot forge it), then signs the site,
// persona and expiry into a token the browser presents on WS /v1/realtime.
//
//   POST /v1/session   Origin: https://www.acme.example
//   {"site":"acme","persona":"receptionist"}        (persona optional: the site's default)
//   -> 200 {"token":"dt1....","expires_at":1764057600,"expires_in":300,"site":"acme",
//           "persona":"receptionist","greeting":"...","realtime_path":"/v1/realtime"}
//   -> 400 invalid_json / missing_field / unknown_persona, 403 origin_required /
//      origin_not_allowed, 404 unknown_site: OpenAI-style error body
//
// A business's own server may ask for a signed-in user's token: {"site":"acme","user_id":"u7"}
// with `Authorization: Bearer <DONNA_ADMIN_TOKEN>` (403 admin_token_required without it);
// the user id then unlocks /v1/memory and memories in the chat's prompt. With it, "phone" (the
// user's number in E.164 form, as the business knows it) links that number to the user: a
// call from it, to a site that trusts caller id (sites file `trust_caller_id`), gets the
// user's memories too (400 invalid_argument for a number of another form, or without user_id).
//
// CORS: the answer carries Access-Control-Allow-Origin for an allowed origin only; OPTIONS
// preflights are answered for origins that some site allows.
#pragma once

#include "http/router.hpp"

#include "http/http_answer.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

struct relay_metrics;
class database;
class settings_source;

struct live_settings;

struct session_request_context {
    std::string_view origin;      // the Origin header ("" when absent)
    std::string_view self_origin; // this relay's own origin, e.g. "http://127.0.0.1:8080"
    std::int64_t now_unix = 0;
    std::string_view authorization = {}; // "Bearer <DONNA_ADMIN_TOKEN>" to name a user_id
};

// A signed-in user's number to link (POST /v1/session's "phone").
struct phone_link {
    std::string site, user_id, phone;
};

// `link`, when given, receives the request's phone link once it is answered 200 (its phone
// "" when there is none); the caller stores it.
http_answer issue_session_token(std::string_view body, const session_request_context& context,
                                const live_settings& settings, phone_link* link = nullptr);

http_answer session_preflight(const session_request_context& context,
                              const live_settings& settings);

// What this endpoint uses of the relay, handed over by the composition root.
struct session_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    database* db = nullptr; // where a signed-in user's phone is linked; null: not kept
};

// The row of POST /v1/session (and its CORS preflight, OPTIONS).
route session_route(const session_endpoint_deps& deps);

} // namespace donna::relay
