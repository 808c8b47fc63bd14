// circuit_breaker.hpp: stops calling an upstream that keeps failing, so that visitors get the
// persona's fallback at once instead of waiting out timeouts, and the upstream gets room to
// recover. One breaker per upstream (openai, elevenlabs, ...).
//
//   circuit_breaker breaker({.failure_threshold = 5, .open_for = std::chrono::seconds(30)});
//   if (!breaker.allow(now)) return fail("circuit open");
//   ... call ...
//   ok ? breaker.record_success() : breaker.record_failure(now);
//
// closed: calls pass; `failure_threshold` failures in a row open it. open: calls are refused
// until `open_for` has passed, then one probe call is let through (half-open); its success
// closes the breaker, its failure opens it again for another `open_for`.
// Not thread-safe: the HTTP client touches its breakers on its own I/O thread only.
#pragma once

#include <chrono>
#include <string_view>

namespace donna::relay {

struct circuit_breaker_settings {
    int failure_threshold = 5;
    std::chrono::milliseconds open_for{std::chrono::seconds(30)};
};

class circuit_breaker {
public:
    enum class state { closed, open, half_open };
    using clock = std::chrono::steady_clock;

    explicit circuit_breaker(circuit_breaker_settings settings = {}) : settings_(settings) {}

    // True when a call may go out now (in half-open: only the one probe).
    bool allow(clock::time_point now);
    void record_success();
    void record_failure(clock::time_point now);
    // A call that was let through ended without telling anything about the upstream's health
    // (cancelled by its caller): frees the half-open probe slot.
    void record_abandoned();

    // New thresholds from now on (a reload); the state and history stay.
    void set_settings(circuit_breaker_settings settings) { settings_ = settings; }

    state current() const { return state_; }
    // When an open breaker lets the next probe through.
    clock::time_point retry_at() const { return opened_at_ + settings_.open_for; }

private:
    circuit_breaker_settings settings_;
    state state_ = state::closed;
    int consecutive_failures_ = 0;
    bool probe_in_flight_ = false;
    clock::time_point opened_at_{};
};

std::string_view to_string(circuit_breaker::state s);

} // namespace donna::relay
