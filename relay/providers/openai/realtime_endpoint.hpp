// realtime_endpoint.hpp: where the relay opens an OpenAI Realtime WebSocket:
// <OPENAI_BASE_URL>/realtime?model=<OPENAI_REALTIME_MODEL>, split into what a connect and an
// upgrade need. Free of I/O.
//
//   auto at = realtime_endpoint(cfg);   // {tls, host, port, host_header, target}
#pragma once

#include "core/error.hpp"
#include "upstream/upstream_endpoint.hpp"

namespace donna::relay {

struct config;

// Errors: invalid_argument when OPENAI_BASE_URL is not an absolute URL.
result<upstream_endpoint> realtime_endpoint(const config& cfg);

} // namespace donna::relay
