// reconnect_backoff.hpp: how long the client waits before its next attempt to reach the
// relay: exponential from 500 ms, capped at 15 s, each delay spread by +-20% so that a
// relay restart does not bring every visitor back in the same millisecond.
//
//   reconnect_backoff backoff;
//   schedule(backoff.next_delay_ms(random_unit()));   // after each failed attempt
//   backoff.reset();                                    // once a session is up again
#pragma once

#include <algorithm>
#include <cstdint>

namespace donna::client {

class reconnect_backoff {
public:
    static constexpr std::int64_t first_delay_ms = 500;
    static constexpr std::int64_t max_delay_ms = 15000;
    static constexpr double jitter = 0.2;

    // The delay before the next attempt; `unit` is a uniform random number in [0, 1).
    std::int64_t next_delay_ms(double unit)
    {
        const std::int64_t base = std::min(max_delay_ms, first_delay_ms << std::min(failures_, 10));
        ++failures_;
        const double spread = 1.0 + jitter * (2.0 * std::clamp(unit, 0.0, 1.0) - 1.0);
        return static_cast<std::int64_t>(static_cast<double>(base) * spread);
    }
    void reset() noexcept { failures_ = 0; }
    int failures() const noexcept { return failures_; }

private:
    int failures_ = 0;
};

} // namespace donna::client
