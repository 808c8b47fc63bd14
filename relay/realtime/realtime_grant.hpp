// realtime_grant.hpp: what an accepted WS /v1/realtime upgrade grants the session it starts:
// the settings snapshot it keeps, the caller's claims, its persona and dialect, its options
// and its place in the session registry (api/realtime_auth decides it; the session uses it).
#pragma once

#include "auth/session_token.hpp"
#include "protocol/donna_events.hpp"
#include "protocol/realtime_events.hpp"
#include "server/session_registry.hpp"

#include <memory>
#include <optional>
#include <string>

namespace donna::relay {

struct live_settings;

struct realtime_grant {
    std::shared_ptr<const live_settings> settings; // the snapshot this session keeps
    session_claims claims;
    donna::persona persona = donna::persona::general;
    std::string greeting;
    donna::dialect spelling = donna::dialect::ga;
    bool donna_client = false;
    bool opus_output = false;
    std::string subprotocol; // answered to the client: "realtime" when offered, else ""
    std::optional<session_registry::lease> lease;
};

} // namespace donna::relay
