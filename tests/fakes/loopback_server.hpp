// loopback_server.hpp: what every fake's threading shares: a TCP listener on 127.0.0.1 (an
// ephemeral port), the one I/O thread the fake's connections run on, and an orderly stop;
// plus the wait that lets a test block until the fake has seen what it expects.
//
//   loopback_server io;
//   io.start("fake_x", [&](tcp::socket s) { make_connection(std::move(s))->run(); });
//   ...
//   io.stop([&] { for (auto& c : live) c->shutdown(); });   // in the fake's destructor
#pragma once

#include "core/error.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace donna::fakes {

class loopback_server {
public:
    using socket_type = boost::asio::ip::tcp::socket;

    loopback_server() = default;
    // Stops with nothing left to close: call stop() first if connections hold outside state.
    ~loopback_server();
    loopback_server(const loopback_server&) = delete;
    loopback_server& operator=(const loopback_server&) = delete;

    // Listens and starts the I/O thread; on_accept runs on it for every accepted connection.
    // Fails (io_error, naming `name`) if it cannot listen, or if called twice.
    status start(const std::string& name, std::function<void(socket_type)> on_accept);
    // Closes the listener and runs close_all on the I/O thread, then lets run() return once
    // the handlers have drained and joins the thread, so that no connection outlives the
    // state it records into. Does nothing if not started or already stopped.
    void stop(const std::function<void()>& close_all = {});

    std::uint16_t port() const { return port_; }
    boost::asio::io_context& context() { return ioc_; }

private:
    void do_accept();

    boost::asio::io_context ioc_{1};
    boost::asio::ip::tcp::acceptor acceptor_{ioc_};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
        boost::asio::make_work_guard(ioc_);
    std::function<void(socket_type)> on_accept_;
    bool stopping_ = false; // I/O thread only
    std::uint16_t port_ = 0;
    std::thread thread_;
};

// Waits until pred(snapshot()) is true, re-checking whenever `changed` is notified with
// version() moved on (and at least every 50 ms); false if `timeout` passes first. snapshot()
// (a copy of what the fake recorded) and version() run under `mutex`; pred runs unlocked, so
// that it may call the fake's accessors itself.
template <class T, class Snapshot, class Version>
bool wait_for_change(std::mutex& mutex, std::condition_variable& changed, Snapshot snapshot,
                     Version version, const std::function<bool(const T&)>& pred,
                     std::chrono::milliseconds timeout)
{
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    std::unique_lock lock(mutex);
    for (;;) {
        const T seen_state = snapshot();
        const auto seen = version();
        lock.unlock();
        if (pred(seen_state))
            return true;
        lock.lock();
        const auto now = clock::now();
        if (now >= deadline)
            return false;
        changed.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(50)),
                           [&] { return version() != seen; });
    }
}

} // namespace donna::fakes
