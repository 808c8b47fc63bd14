// The three-state circuit breaker (relay/upstream/circuit_breaker), on a hand-moved clock.
#include "upstream/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

using namespace std::chrono_literals;
using state = circuit_breaker::state;

const auto t0 = circuit_breaker::clock::time_point{} + 1000s;

TEST(CircuitBreaker, StaysClosedBelowTheFailureThreshold)
{
    circuit_breaker b({.failure_threshold = 3, .open_for = 10s});
    b.record_failure(t0);
    b.record_failure(t0);
    EXPECT_EQ(b.current(), state::closed);
    EXPECT_TRUE(b.allow(t0));
}

TEST(CircuitBreaker, ASuccessResetsTheCountOfFailuresInARow)
{
    circuit_breaker b({.failure_threshold = 3, .open_for = 10s});
    b.record_failure(t0);
    b.record_failure(t0);
    b.record_success();
    b.record_failure(t0);
    b.record_failure(t0);
    EXPECT_EQ(b.current(), state::closed);
}

TEST(CircuitBreaker, OpensAtTheThresholdAndRefusesUntilTheOpenTimePasses)
{
    circuit_breaker b({.failure_threshold = 3, .open_for = 10s});
    for (int i = 0; i < 3; ++i)
        b.record_failure(t0);
    EXPECT_EQ(b.current(), state::open);
    EXPECT_FALSE(b.allow(t0));
    EXPECT_FALSE(b.allow(t0 + 9999ms));
    EXPECT_EQ(b.retry_at(), t0 + 10s);
}

TEST(CircuitBreaker, LetsExactlyOneProbeThroughWhenHalfOpen)
{
    circuit_breaker b({.failure_threshold = 1, .open_for = 10s});
    b.record_failure(t0);
    EXPECT_TRUE(b.allow(t0 + 10s));
    EXPECT_EQ(b.current(), state::half_open);
    EXPECT_FALSE(b.allow(t0 + 10s));
    EXPECT_FALSE(b.allow(t0 + 11s));
}

TEST(CircuitBreaker, ASuccessfulProbeClosesIt)
{
    circuit_breaker b({.failure_threshold = 1, .open_for = 10s});
    b.record_failure(t0);
    ASSERT_TRUE(b.allow(t0 + 10s));
    b.record_success();
    EXPECT_EQ(b.current(), state::closed);
    EXPECT_TRUE(b.allow(t0 + 10s));
    EXPECT_TRUE(b.allow(t0 + 10s));
}

TEST(CircuitBreaker, AFailedProbeOpensItForAnotherPeriod)
{
    circuit_breaker b({.failure_threshold = 5, .open_for = 10s});
    for (int i = 0; i < 5; ++i)
        b.record_failure(t0);
    ASSERT_TRUE(b.allow(t0 + 10s));
    b.record_failure(t0 + 12s);
    EXPECT_EQ(b.current(), state::open);
    EXPECT_FALSE(b.allow(t0 + 21s));
    EXPECT_TRUE(b.allow(t0 + 22s));
}

TEST(CircuitBreaker, AnAbandonedProbeFreesTheSlotForAnother)
{
    circuit_breaker b({.failure_threshold = 1, .open_for = 10s});
    b.record_failure(t0);
    ASSERT_TRUE(b.allow(t0 + 10s));
    b.record_abandoned();
    EXPECT_TRUE(b.allow(t0 + 10s));
}

} // namespace
} // namespace donna::relay
