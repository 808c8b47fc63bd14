// http_session.hpp: serves one connection: detects TLS when the relay has a certificate,
// then HTTP/1.1 keep-alive requests until the peer closes, or hands the connection to a
// realtime session on a WebSocket upgrade to /v1/realtime.
//
// Routes:  GET  /healthz                       liveness ("ok")
//          GET  /readyz                        features and upstream reachability (JSON)
//          GET  /metrics                       Prometheus text format
//          POST /v1/session, OPTIONS (CORS)    session token for a browser on a site
//          GET  /v1/realtime (upgrade)         the proxied OpenAI Realtime session
//          GET/HEAD /embed?site=<id>            index.html framed only by the site's origins
//          GET/HEAD anything else              the built client's static files
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace boost::asio::ssl {
class context;
}

namespace donna::relay {

class services;

// `tls` may be null (plain HTTP only). With a context, a connection that starts with a TLS
// ClientHello is served as https/wss and any other as plain http, on the same port.
void run_connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<services> services,
                    std::shared_ptr<boost::asio::ssl::context> tls);

// Lets go of every connection still waiting on an upstream call for these services. The
// server calls it after its threads stopped and before its io_context goes, so a call that
// ends later (on the upstream client's thread) finds nothing to post to.
void release_upstream_waits(const services& services);

} // namespace donna::relay
