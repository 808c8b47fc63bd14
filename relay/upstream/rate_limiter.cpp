// rate_limiter.cpp: token buckets keyed by name.
#include "upstream/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace donna::relay {

rate_limiter::rate_limiter(rate_limit limit, std::size_t max_keys)
    : limit_(limit), max_keys_(std::max<std::size_t>(max_keys, 1))
{}

void rate_limiter::refill(bucket& b, clock::time_point now) const
{
    const double window_ms = static_cast<double>(std::max<long long>(limit_.window.count(), 1));
    const double elapsed_ms = std::chrono::duration<double, std::milli>(now - b.updated).count();
    if (elapsed_ms > 0) {
        b.tokens = std::min(static_cast<double>(limit_.requests),
                            b.tokens + elapsed_ms * limit_.requests / window_ms);
        b.updated = now;
    }
}

void rate_limiter::forget_full_buckets(clock::time_point now)
{
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        refill(it->second, now);
        it = it->second.tokens >= limit_.requests ? buckets_.erase(it) : std::next(it);
    }
}

std::optional<std::chrono::milliseconds> rate_limiter::try_acquire(std::string_view key,
                                                                   clock::time_point now)
{
    const std::lock_guard lock(mutex_);
    if (limit_.requests <= 0)
        return limit_.window;
    auto it = buckets_.find(std::string(key));
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_keys_)
            forget_full_buckets(now);
        it = buckets_.emplace(std::string(key), bucket{static_cast<double>(limit_.requests), now})
                 .first;
    }
    auto& b = it->second;
    refill(b, now);
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    const double window_ms = static_cast<double>(std::max<long long>(limit_.window.count(), 1));
    const double wait_ms = (1.0 - b.tokens) * window_ms / limit_.requests;
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_ms)));
}

void rate_limiter::set_limit(rate_limit limit)
{
    const std::lock_guard lock(mutex_);
    limit_ = limit;
    for (auto& [key, b] : buckets_)
        b.tokens = std::min(b.tokens, static_cast<double>(limit_.requests));
}

rate_limit rate_limiter::limit() const
{
    const std::lock_guard lock(mutex_);
    return limit_;
}

std::string rate_limiter::describe() const
{
    const std::lock_guard lock(mutex_);
    const auto ms = limit_.window.count();
    const std::string window =
        ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
    return std::to_string(limit_.requests) + " requests per " + window;
}

} // namespace donna::relay
