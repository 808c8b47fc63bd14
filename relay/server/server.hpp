// server.hpp: the relay's listener: one port for HTTP, WebSocket and (with a certificate)
// TLS, a strand per connection, on the io_context the composition root (app/relay_app) runs.
// Beast stays out of this header so that callers compile quickly.
//
//   server s(ioc, {settings, metrics, sessions}, relay_routes(parts));   // api/routes.hpp
//   if (auto started = s.start(); !started) fail(started.error().message);
//   ...
//   s.stop_accepting();                                 // shutting down
#pragma once

#include "core/error.hpp"
#include "server/connection_deps.hpp"

#include <cstdint>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace donna::relay {

class router;

class server {
public:
    // Serves the routes of `routes` (the table outlives every connection) on `ioc`; what
    // `deps` refers to must outlive every connection too.
    server(boost::asio::io_context& ioc, connection_deps deps,
           std::shared_ptr<const router> routes);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Loads the TLS certificate if configured, binds and starts accepting (once the
    // io_context runs); fails with a message naming the address or the file.
    status start();
    // The bound port (useful when the config asked for port 0).
    std::uint16_t port() const;
    // No new connections from now on (those open go on).
    void stop_accepting();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace donna::relay
