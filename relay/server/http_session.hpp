// http_session.hpp: serves one HTTP/1.1 connection (keep-alive) until it closes.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>

namespace donna::relay {

struct config;

// Starts reading requests on `socket`; the session keeps itself alive until the peer
// closes or a timeout expires.
void run_http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<const config> cfg);

} // namespace donna::relay
