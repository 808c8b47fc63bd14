// connection_deps.hpp: what a connection uses of the rest of the relay, and nothing more: the
// settings (its deadlines, the upload limit), the metrics it counts, and the registry a
// graceful stop waits on. The composition root (app/relay_app) builds it and keeps what it
// refers to alive until every connection is gone.
#pragma once

#include "metrics/relay_metrics.hpp"
#include "server/session_registry.hpp"
#include "settings/settings_source.hpp"

namespace donna::relay {

struct connection_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    session_registry& sessions;
};

} // namespace donna::relay
