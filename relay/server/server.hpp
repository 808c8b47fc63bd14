// server.hpp: the relay's listener: one port for HTTP, WebSocket and (with a certificate)
// TLS, a small pool of I/O threads, a strand per connection. Beast stays out of this header
// so that callers compile quickly.
//
//   auto services = donna::relay::services::create(cfg, log);
//   donna::relay::server s(*services, relay_routes(*services));   // api/routes.hpp
//   if (auto started = s.start(); !started) fail(started.error().message);
//   ...
//   s.shutdown(std::chrono::seconds(10));   // SIGTERM: drain sessions, then stop
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

namespace donna::relay {

class router;
class services;

class server {
public:
    // Serves the routes of `routes` (the table outlives every connection).
    server(std::shared_ptr<services> services, std::shared_ptr<const router> routes);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Loads the TLS certificate if configured, binds, and starts accepting on the configured
    // number of threads; fails with a message naming the address or the file.
    status start();
    // The bound port (useful when the config asked for port 0).
    std::uint16_t port() const;
    // Graceful stop: no new connections or sessions; live realtime sessions are told to wind
    // down and get until the deadline to end by themselves; then everything stops.
    // Returns true when every session ended before the deadline.
    bool shutdown(std::chrono::milliseconds grace);
    // Immediate stop: connections in flight are closed.
    void stop();
    // Blocks until the I/O threads have ended.
    void wait();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace donna::relay
