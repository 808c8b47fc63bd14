// retry_policy.hpp: when and how long to wait before calling an upstream again. Shared by the
// HTTP client (relay/upstream/http_client) and the Realtime WebSocket upstream.
//
//   donna::relay::retry_policy policy{.max_attempts = 3};
//   if (retryable_status(429) && attempts < policy.max_attempts)
//       wait(retry_after(head).value_or(backoff_delay(policy, attempts, rng)));
//
// Exponential backoff with "equal jitter" (half the step fixed, half random), so that many
// clients retrying after an outage spread out instead of arriving together; Retry-After from
// the upstream wins when it asks for a wait we can afford (the OpenAI SDK does the same).
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace donna::relay {

struct retry_policy {
    int max_attempts = 3;                                          // first try included
    std::chrono::milliseconds base_delay{250};                     // the first wait's step
    std::chrono::milliseconds max_delay{8000};                     // no single wait is longer
    std::chrono::milliseconds max_total{std::chrono::seconds(30)}; // whole call, waits included
};

// Whether another attempt may start after `attempts` tries, `elapsed` into the call: fewer
// than max_attempts so far and still within max_total. (A wait that would not fit is the
// caller's to check: it knows the wait.)
bool may_retry(const retry_policy& policy, int attempts,
               std::chrono::steady_clock::duration elapsed);

// 408, 409, 429 and every 5xx: worth another try (as the OpenAI SDK retries).
bool retryable_status(unsigned status);

// The wait before attempt `failed_attempts + 1`: step = base * 2^(failed_attempts - 1), capped
// at max_delay; the wait is step/2 plus a uniform random part of up to step/2.
std::chrono::milliseconds backoff_delay(const retry_policy& policy, int failed_attempts,
                                        std::mt19937_64& random);

// The wait an answer asks for: `retry-after-ms` (milliseconds) first, else `Retry-After` as
// delta-seconds or an HTTP date (RFC 9110 section 10.2.3). nullopt when absent or unreadable;
// negative waits read as zero.
std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view retry_after_ms, std::string_view retry_after,
                  std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

} // namespace donna::relay
