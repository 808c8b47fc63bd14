// Token-bucket rate limits (relay/upstream/rate_limiter), on a hand-moved clock.
#include "upstream/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace donna::relay {
namespace {

using namespace std::chrono_literals;
const auto start_time = rate_limiter::clock::time_point{} + 1000s;

TEST(RateLimiter, AllowsTheLimitAtOnceThenRefusesWithTheWaitForOneToken)
{
    rate_limiter limiter({.requests = 60, .window = 60s});
    for (int i = 0; i < 60; ++i)
        EXPECT_FALSE(limiter.try_acquire("openai", start_time)) << i;
    const auto wait = limiter.try_acquire("openai", start_time);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, 1000ms); // one token per second at 60 per minute
}

TEST(RateLimiter, RefillsAtTheAverageRate)
{
    rate_limiter limiter({.requests = 60, .window = 60s});
    for (int i = 0; i < 60; ++i)
        ASSERT_FALSE(limiter.try_acquire("k", start_time));
    EXPECT_TRUE(limiter.try_acquire("k", start_time + 999ms));
    EXPECT_FALSE(limiter.try_acquire("k", start_time + 1001ms));
    EXPECT_TRUE(limiter.try_acquire("k", start_time + 1001ms));
    // 11.5 s of refill later: 11 whole tokens (the half stays in the bucket).
    for (int i = 0; i < 11; ++i)
        EXPECT_FALSE(limiter.try_acquire("k", start_time + 12500ms)) << i;
    EXPECT_TRUE(limiter.try_acquire("k", start_time + 12500ms));
}

TEST(RateLimiter, KeysHaveTheirOwnBuckets)
{
    rate_limiter limiter({.requests = 2, .window = 60s});
    EXPECT_FALSE(limiter.try_acquire("visitor-a", start_time));
    EXPECT_FALSE(limiter.try_acquire("visitor-a", start_time));
    EXPECT_TRUE(limiter.try_acquire("visitor-a", start_time));
    EXPECT_FALSE(limiter.try_acquire("visitor-b", start_time));
}

TEST(RateLimiter, GmailStyleWindowOf100SecondsDescribesItself)
{
    rate_limiter limiter({.requests = 1000, .window = 100s});
    EXPECT_EQ(limiter.describe(), "1000 requests per 100 s");
    for (int i = 0; i < 1000; ++i)
        ASSERT_FALSE(limiter.try_acquire("gmail", start_time));
    EXPECT_EQ(limiter.try_acquire("gmail", start_time), 100ms);
}

TEST(RateLimiter, ZeroRequestsRefusesEverything)
{
    rate_limiter limiter({.requests = 0, .window = 60s});
    EXPECT_EQ(limiter.try_acquire("k", start_time), 60000ms);
}

TEST(RateLimiter, ANewLimitAppliesToBucketsAlreadyInUse)
{
    rate_limiter limiter({.requests = 10, .window = 10s});
    ASSERT_FALSE(limiter.try_acquire("k", start_time));
    limiter.set_limit({.requests = 1, .window = 10s});
    EXPECT_FALSE(limiter.try_acquire("k", start_time));
    EXPECT_TRUE(limiter.try_acquire("k", start_time));
}

TEST(RateLimiter, ForgetsRefilledKeysWhenOverItsKeyBudget)
{
    rate_limiter limiter({.requests = 1, .window = 1s}, 2);
    ASSERT_FALSE(limiter.try_acquire("a", start_time));
    ASSERT_FALSE(limiter.try_acquire("b", start_time));
    // "a" and "b" are full again a second later and may be forgotten for "c"; a forgotten
    // key starts with a full bucket, so nobody is refused wrongly.
    EXPECT_FALSE(limiter.try_acquire("c", start_time + 2s));
    EXPECT_FALSE(limiter.try_acquire("a", start_time + 2s));
}

TEST(RateLimiter, ConcurrentCallersNeverGetMoreThanTheLimit)
{
    rate_limiter limiter({.requests = 1000, .window = 3600s});
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i)
                if (!limiter.try_acquire("shared", start_time))
                    ++allowed;
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(allowed.load(), 1000);
}

} // namespace
} // namespace donna::relay
