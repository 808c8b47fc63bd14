// realtime_auth.hpp: who may open WS /v1/realtime, and with which options.
//
// The token comes the ways OpenAI's clients send an API key: `Authorization: Bearer <token>`
// (server-side SDKs) or the subprotocol `openai-insecure-api-key.<token>` (browsers, which
// cannot set headers on a WebSocket). The beta dialect is chosen by `OpenAI-Beta: realtime=v1`
// or the subprotocol `openai-beta.realtime-v1`, as OpenAI does. DONNA's own client adds query
// options: `donna_client=1` (DONNA status events) and `donna_output_audio=opus` (response
// audio as binary Opus frames).
//
//   auto grant = authorize_realtime(upgrade, deps, now);
//   if (auto* refusal = std::get_if<http_answer>(&grant)) return send(*refusal);
#pragma once

#include "http/router.hpp"

#include "http/http_answer.hpp"
#include "protocol/donna_events.hpp"
#include "protocol/realtime_events.hpp"
#include "realtime/realtime_grant.hpp"
#include "realtime/upstream.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace donna::relay {

class session_registry;
class settings_source;
struct live_settings;
struct relay_metrics;

// Where the realtime WebSocket is served (POST /v1/session tells the client).
inline constexpr std::string_view realtime_path = "/v1/realtime";

struct upgrade_request {
    std::string_view target;        // "/v1/realtime?model=..."
    std::string_view authorization; // the Authorization header
    std::string_view protocols;     // Sec-WebSocket-Protocol (comma-separated offers)
    std::string_view openai_beta;   // OpenAI-Beta
    std::string_view origin;        // Origin ("" for non-browser clients)
    std::string_view self_origin;   // this relay's origin
    std::string client_ip;
};

// What this endpoint uses of the relay, handed over by the composition root: the upgrade's
// checks, and what each session it starts uses.
struct realtime_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    session_registry& sessions;
    realtime_deps session;
};

std::variant<realtime_grant, http_answer> authorize_realtime(const upgrade_request& request,
                                                             const realtime_endpoint_deps& deps,
                                                             std::int64_t now_unix);

// The token a client presented, from either place; "" when none.
std::string_view presented_token(std::string_view authorization, std::string_view protocols);

// The row of the WebSocket upgrade to /v1/realtime.
route realtime_route(const realtime_endpoint_deps& deps);

} // namespace donna::relay
