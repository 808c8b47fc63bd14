// session_registry.hpp: every live realtime session, for per-IP and per-token limits and for
// a graceful shutdown (tell each session, then wait for them to end, up to a deadline); and
// how many HTTP answers are in progress, which a graceful shutdown also waits for.
//
//   auto lease = registry.try_acquire(ip, claims.token_id, {cfg.max_sessions_per_ip, ...});
//   if (!lease) return refuse(429, lease.error().message);
//   lease->attach(session);          // session implements drainable
//   ...                              // the lease releases the slots when destroyed
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace donna::relay {

// A session that can be asked to wind down (finish what it is doing, then close).
class drainable {
public:
    virtual ~drainable() = default;
    virtual void begin_shutdown() = 0;
};

struct session_limits {
    int per_ip = 8;
    int per_token = 2;
};

class session_registry {
public:
    class lease {
    public:
        lease(lease&& other) noexcept;
        lease& operator=(lease&&) = delete;
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        ~lease();
        void attach(const std::weak_ptr<drainable>& session);

    private:
        friend class session_registry;
        lease(session_registry* owner, std::uint64_t id) : owner_(owner), id_(id) {}
        session_registry* owner_;
        std::uint64_t id_;
    };

    // Held by a connection from a request's head until its answer is written (or the
    // connection ends): a graceful shutdown lets the answer finish.
    class answer_hold {
    public:
        explicit answer_hold(session_registry& owner);
        ~answer_hold();
        answer_hold(const answer_hold&) = delete;
        answer_hold& operator=(const answer_hold&) = delete;

    private:
        session_registry& owner_;
    };

    // errc::rate_limited when the IP or the token already has its limit of sessions.
    result<lease> try_acquire(const std::string& ip, const std::string& token_id,
                              session_limits limits);
    std::size_t active() const;
    // Asks every live session to wind down (new acquisitions are refused from now on).
    void begin_shutdown();
    // Blocks until no session and no HTTP answer is left, or the deadline passes; true when
    // none is left.
    bool wait_until_empty(std::chrono::steady_clock::time_point deadline);

private:
    struct entry {
        std::string ip, token_id;
        std::weak_ptr<drainable> session;
    };
    void release(std::uint64_t id);

    mutable std::mutex mutex_;
    std::condition_variable emptied_;
    std::map<std::uint64_t, entry> entries_;
    std::map<std::string, int> per_ip_, per_token_;
    std::uint64_t next_id_ = 1;
    std::size_t answers_ = 0;
    bool shutting_down_ = false;
};

} // namespace donna::relay
