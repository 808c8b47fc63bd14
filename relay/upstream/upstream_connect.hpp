// upstream_connect.hpp: the one way the relay opens a connection to an upstream, for REST
// (http_client) and WebSocket (the Realtime upstream) alike: resolve, TCP connect within the
// connect timeout, TCP_NODELAY, then on TLS the server's name for SNI and certificate
// verification (the client TLS context: the system store plus DONNA_UPSTREAM_CA_FILE) and the
// handshake. Failures come in the relay's one error vocabulary (core/error.hpp):
//
//   upstream_unavailable  cannot resolve, refused, reset        retryable
//   upstream_timeout      connect or handshake took too long    retryable
//   upstream_tls_failed   untrusted certificate, wrong name      not retryable (it will not
//                                                                heal by itself)
//
//   async_connect_upstream(*channel, resolver, endpoint, 10s, [self](connect_outcome failed) {
//       if (failed) return self->attempt_failed(std::move(*failed));
//       self->write_request();
//   });
//
// The channel and the resolver must outlive the operation (keep them in the object `done`
// holds alive). `done` runs on the channel's executor, exactly once.
#pragma once

#include "core/error.hpp"
#include "upstream/upstream_endpoint.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <optional>

namespace donna::relay {

class http_client_channel;
class websocket_channel;

struct connect_failure {
    error why;              // code from the table above; the message names the host
    bool retryable = false; // worth another attempt after a backoff
};

// Empty when connected (and, on TLS, the handshake done).
using connect_outcome = std::optional<connect_failure>;

void async_connect_upstream(http_client_channel& channel, boost::asio::ip::tcp::resolver& resolver,
                            const upstream_endpoint& at, std::chrono::milliseconds timeout,
                            std::function<void(connect_outcome)> done);
void async_connect_upstream(websocket_channel& channel, boost::asio::ip::tcp::resolver& resolver,
                            const upstream_endpoint& at, std::chrono::milliseconds timeout,
                            std::function<void(connect_outcome)> done);

} // namespace donna::relay
