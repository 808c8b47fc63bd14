// Backoff arithmetic and Retry-After parsing (relay/upstream/retry_policy).
#include "upstream/retry_policy.hpp"

#include <gtest/gtest.h>

#include <set>

namespace donna::relay {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicy, RetriesTimeoutsConflictsRateLimitsAndServerErrorsOnly)
{
    for (const unsigned s : {408U, 409U, 429U, 500U, 502U, 503U, 504U})
        EXPECT_TRUE(retryable_status(s)) << s;
    for (const unsigned s : {200U, 201U, 301U, 400U, 401U, 403U, 404U, 413U, 422U})
        EXPECT_FALSE(retryable_status(s)) << s;
}

TEST(RetryPolicy, BackoffDoublesWithHalfOfEachStepRandom)
{
    const retry_policy policy{
        .max_attempts = 3, .base_delay = 100ms, .max_delay = 100000ms, .max_total = 60s};
    std::mt19937_64 random(7);
    for (int failed = 1; failed <= 5; ++failed) {
        const long long step = 100LL << (failed - 1);
        for (int i = 0; i < 200; ++i) {
            const auto wait = backoff_delay(policy, failed, random).count();
            EXPECT_GE(wait, step / 2) << "attempt " << failed;
            EXPECT_LE(wait, step) << "attempt " << failed;
        }
    }
}

TEST(RetryPolicy, BackoffIsSpreadNotConstant)
{
    const retry_policy policy{
        .max_attempts = 3, .base_delay = 1000ms, .max_delay = 8000ms, .max_total = 60s};
    std::mt19937_64 random(11);
    std::set<long long> seen;
    for (int i = 0; i < 50; ++i)
        seen.insert(backoff_delay(policy, 1, random).count());
    EXPECT_GT(seen.size(), 20U);
}

TEST(RetryPolicy, BackoffNeverExceedsTheCapEvenAfterManyFailures)
{
    const retry_policy policy{
        .max_attempts = 3, .base_delay = 250ms, .max_delay = 8000ms, .max_total = 60s};
    std::mt19937_64 random(3);
    for (int failed = 1; failed < 100; ++failed)
        EXPECT_LE(backoff_delay(policy, failed, random), 8000ms);
}

TEST(RetryPolicy, RetryAfterReadsDeltaSeconds)
{
    EXPECT_EQ(parse_retry_after("", "2"), 2000ms);
    EXPECT_EQ(parse_retry_after("", " 0 "), 0ms);
    EXPECT_EQ(parse_retry_after("", "1.5"), 1500ms);
}

TEST(RetryPolicy, RetryAfterMsWinsOverRetryAfter)
{
    EXPECT_EQ(parse_retry_after("250", "20"), 250ms);
}

TEST(RetryPolicy, RetryAfterReadsAnHttpDateRelativeToNow)
{
    const auto now = std::chrono::system_clock::from_time_t(1445412480); // 07:28:00 GMT
    EXPECT_EQ(parse_retry_after("", "Wed, 21 Oct 2015 07:28:05 GMT", now), 5000ms);
    EXPECT_EQ(parse_retry_after("", "Wed, 21 Oct 2015 07:27:00 GMT", now), 0ms);
}

TEST(RetryPolicy, UnreadableOrMissingRetryAfterIsNullopt)
{
    EXPECT_FALSE(parse_retry_after("", ""));
    EXPECT_FALSE(parse_retry_after("", "soon"));
    EXPECT_FALSE(parse_retry_after("", "12abc"));
    EXPECT_EQ(parse_retry_after("", "-3"), 0ms);
}

} // namespace
} // namespace donna::relay
