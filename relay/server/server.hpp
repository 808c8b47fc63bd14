// server.hpp: the relay's HTTP server: one port, a small pool of I/O threads, a strand per
// connection. Beast stays out of this header so that callers compile quickly.
//
//   donna::relay::server s(config);
//   if (auto started = s.start(); !started) fail(started.error().message);
//   s.wait();          // until stop() (e.g. from SIGTERM)
#pragma once

#include "config/config.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <memory>

namespace donna::relay {

class server {
public:
    explicit server(config cfg);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and starts accepting on cfg.threads threads; fails if the address cannot be bound.
    status start();
    // The bound port (useful when the config asked for port 0).
    std::uint16_t port() const;
    // Stops accepting and ends the I/O threads; connections in flight are closed.
    void stop();
    // Blocks until the server has stopped.
    void wait();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace donna::relay
