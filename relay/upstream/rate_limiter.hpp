// rate_limiter.hpp: "at most N requests per window" per key, as token buckets: a full bucket
// holds N tokens and refills at N per window, so a quiet key may burst to N at once and a busy
// one is held to the average. Used per upstream service (the seed's limits: openai 60 per
// minute, elevenlabs 100 per minute, gmail 1000 per 100 s) and per visitor.
//
//   rate_limiter limiter({.requests = 60, .window = std::chrono::seconds(60)});
//   if (auto wait = limiter.try_acquire("visitor-42", now))
//       return refuse("rate limited, retry in " + seconds(*wait));
//
// Thread-safe (one mutex). Memory stays bounded: keys whose bucket has refilled completely are
// forgotten once there are more than `max_keys`.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace donna::relay {

struct rate_limit {
    int requests = 60;
    std::chrono::milliseconds window{std::chrono::seconds(60)};
};

class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    explicit rate_limiter(rate_limit limit, std::size_t max_keys = 100000);

    // nullopt: allowed (one token taken). Otherwise: refused, and how long until a token is
    // back. A limit of 0 requests refuses everything (with the whole window as the wait).
    std::optional<std::chrono::milliseconds> try_acquire(std::string_view key,
                                                         clock::time_point now = clock::now());

    // A new limit from now on (a reload); buckets keep their tokens, capped at the new size.
    void set_limit(rate_limit limit);
    rate_limit limit() const;
    // "60 requests per 60 s", for error messages.
    std::string describe() const;

private:
    struct bucket {
        double tokens = 0;
        clock::time_point updated{};
    };
    void refill(bucket& b, clock::time_point now) const;
    void forget_full_buckets(clock::time_point now);

    rate_limit limit_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, bucket> buckets_;
};

} // namespace donna::relay
