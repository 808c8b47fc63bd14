// phone_media_route.hpp: WS /v1/phone/media, where Telnyx streams the audio of a call the
// relay answered (phone/call_answering asked for the stream, with the URL's `call` and the
// auth token). The upgrade is accepted only with `x-telnyx-streaming-auth-token` carrying a
// genuine, unexpired media token made for that call, for a call that has not ended, and one
// stream a call at a time; every refusal is a JSON error, counted. The call's session then
// runs in realtime/phone_call_session.
#pragma once

#include "http/router.hpp"
#include "realtime/upstream.hpp"

#include <string_view>

namespace donna::relay {

class database;
class phone_providers;
class session_registry;
class settings_source;
struct relay_metrics;

inline constexpr std::string_view phone_media_path = "/v1/phone/media";
inline constexpr std::string_view media_token_header = "x-telnyx-streaming-auth-token";

struct phone_media_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    session_registry& sessions;    // a call's stream holds a slot: one a call, drained at SIGTERM
    database& db;                  // the call, by the id its token names
    const phone_providers& phones; // hangs the call up when its session ends it
    realtime_deps session;
};

route phone_media_route(const phone_media_endpoint_deps& deps);

} // namespace donna::relay
