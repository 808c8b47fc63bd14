// realtime_endpoint.hpp: where the relay opens an OpenAI Realtime WebSocket:
// <OPENAI_BASE_URL>/realtime?model=<OPENAI_REALTIME_MODEL>, split into what a connect and an
// upgrade need. Free of I/O.
//
//   auto at = realtime_endpoint(cfg);   // {tls, host, port, host_header, target}
#pragma once

#include "core/error.hpp"

#include <string>

namespace donna::relay {

struct config;

struct endpoint_info {
    bool tls = false;
    std::string host, port, host_header, target;
};

// Errors: invalid_argument when OPENAI_BASE_URL is not an absolute URL.
result<endpoint_info> realtime_endpoint(const config& cfg);

} // namespace donna::relay
