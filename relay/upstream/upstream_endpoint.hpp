// upstream_endpoint.hpp: an absolute http(s) or ws(s) URL split into what a connection needs:
// where to connect (host, port, TLS or not), the Host header and the request target. One
// reading for every upstream, REST and WebSocket alike. Free of I/O.
//
//   auto at = parse_upstream_url("https://api.openai.com/v1/chat/completions");
//   // {tls = true, host = "api.openai.com", port = "443", host_header = "api.openai.com",
//   //  target = "/v1/chat/completions"}
#pragma once

#include "core/error.hpp"

#include <string>
#include <string_view>

namespace donna::relay {

struct upstream_endpoint {
    bool tls = false;
    std::string host, port, host_header, target;

    // Connections to the same key are interchangeable (the HTTP client's pool).
    std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

// http, https, ws and wss; the default ports when none is given; "/" for an empty path.
// Errors: invalid_argument for anything else (relative, another scheme, no host).
result<upstream_endpoint> parse_upstream_url(std::string_view url);

} // namespace donna::relay
