// relay_app.hpp: the composition root. The one place that builds a running relay from its
// configuration, in order: the io_context every connection and every upstream call runs on,
// the services (settings, storage, the upstream client on that io_context, the features),
// the job runner, the route table, the listener; and the one place that stops it, in the
// reverse order.
// main.cpp and the tests' relay_harness are its two users. Beast and Asio stay out of this
// header.
//
//   auto app = relay_app::create(std::move(cfg), log);        // fails naming the setting
//   if (auto started = (*app)->start(); !started) fail(started.error().message);
//   ...
//   (*app)->shutdown(std::chrono::seconds(10));               // SIGTERM
//   (*app)->wait();
#pragma once

#include "core/error.hpp"
#include "telephony/phone_providers.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

namespace donna::relay {

struct config;
class job_runner;
class logger;
class services;

class relay_app {
public:
    // Reads the files the settings name (personas, prices, CA, database) and builds every
    // service; nothing listens yet.
    // `phones`: the phone providers the settings may name (phone_providers::with_defaults():
    // Telnyx; a test registers its own through the same seam).
    static result<std::unique_ptr<relay_app>> create(config cfg, logger& log);
    static result<std::unique_ptr<relay_app>> create(config cfg, logger& log,
                                                     phone_providers phones);
    ~relay_app(); // stop() and wait(), if not done yet
    relay_app(const relay_app&) = delete;
    relay_app& operator=(const relay_app&) = delete;

    // Loads the TLS certificate if configured, binds, and starts DONNA_THREADS I/O threads
    // and the job runner; fails with a message naming the address or the file.
    status start();
    // The bound port (useful when the config asked for port 0).
    std::uint16_t port() const;

    // Graceful stop (SIGTERM): no new connections, sessions or jobs; live realtime sessions
    // are told to wind down, and they, the HTTP answers in progress and the jobs running get
    // until the deadline to end by themselves; then the upstream calls still running are
    // stopped (their callers answer "shutting down" at once instead of waiting for the call's
    // own timeout), and everything stops. True when everything ended before the deadline.
    bool shutdown(std::chrono::milliseconds grace);
    // Immediate stop (SIGINT): upstream calls are stopped, connections in flight closed.
    void stop();
    // Blocks until the I/O threads have ended.
    void wait();

    services& svc();
    // The durable jobs: a feature with work to run later registers its kind's handler here
    // before start() (how to add a job: docs/architecture.md).
    job_runner& jobs();

    struct impl;

private:
    explicit relay_app(std::unique_ptr<impl> i);
    std::unique_ptr<impl> impl_;
};

} // namespace donna::relay
