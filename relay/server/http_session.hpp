// http_session.hpp: serves one connection: detects TLS when the relay has a certificate,
// then HTTP/1.1 keep-alive requests until the peer closes, or hands the connection to a
// realtime session on a WebSocket upgrade to /v1/realtime.
//
// What is served where is the route table's (api/routes.cpp): this file only reads each
// request under its deadlines (DONNA_HTTP_*_SECONDS), looks it up and answers through an
// http_reply.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace boost::asio::ssl {
class context;
}

namespace donna::relay {

class router;
struct connection_deps;

// `tls` may be null (plain HTTP only). With a context, a connection that starts with a TLS
// ClientHello is served as https/wss and any other as plain http, on the same port.
void run_connection(boost::asio::ip::tcp::socket socket, const connection_deps& deps,
                    std::shared_ptr<const router> routes,
                    std::shared_ptr<boost::asio::ssl::context> tls);

} // namespace donna::relay
