// session_registry.cpp: counts under one mutex; sessions are told to drain outside it.
#include "server/session_registry.hpp"

#include <vector>

namespace donna::relay {

session_registry::lease::lease(lease&& other) noexcept : owner_(other.owner_), id_(other.id_)
{
    other.owner_ = nullptr;
}

session_registry::lease::~lease()
{
    if (owner_ != nullptr)
        owner_->release(id_);
}

void session_registry::lease::attach(const std::weak_ptr<drainable>& session)
{
    if (owner_ == nullptr)
        return;
    bool draining = false;
    {
        const std::lock_guard lock(owner_->mutex_);
        owner_->entries_[id_].session = session;
        draining = owner_->shutting_down_;
    }
    if (draining)
        if (auto s = session.lock())
            s->begin_shutdown();
}

result<session_registry::lease> session_registry::try_acquire(const std::string& ip,
                                                              const std::string& token_id,
                                                              session_limits limits)
{
    const std::lock_guard lock(mutex_);
    if (shutting_down_)
        return make_error(errc::upstream_unavailable, "the relay is shutting down");
    if (per_ip_[ip] >= limits.per_ip)
        return make_error(errc::rate_limited, "too many sessions from this address (limit " +
                                                  std::to_string(limits.per_ip) + ")");
    if (per_token_[token_id] >= limits.per_token)
        return make_error(errc::rate_limited, "too many sessions for this session token (limit " +
                                                  std::to_string(limits.per_token) + ")");
    ++per_ip_[ip];
    ++per_token_[token_id];
    const auto id = next_id_++;
    entries_[id] = entry{ip, token_id, {}};
    return lease(this, id);
}

void session_registry::release(std::uint64_t id)
{
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(id);
    if (it == entries_.end())
        return;
    if (--per_ip_[it->second.ip] == 0)
        per_ip_.erase(it->second.ip);
    if (--per_token_[it->second.token_id] == 0)
        per_token_.erase(it->second.token_id);
    entries_.erase(it);
    if (entries_.empty() && answers_ == 0)
        emptied_.notify_all();
}

session_registry::answer_hold::answer_hold(session_registry& owner) : owner_(owner)
{
    const std::lock_guard lock(owner_.mutex_);
    ++owner_.answers_;
}

session_registry::answer_hold::~answer_hold()
{
    const std::lock_guard lock(owner_.mutex_);
    if (--owner_.answers_ == 0 && owner_.entries_.empty())
        owner_.emptied_.notify_all();
}

std::size_t session_registry::active() const
{
    const std::lock_guard lock(mutex_);
    return entries_.size();
}

void session_registry::begin_shutdown()
{
    std::vector<std::shared_ptr<drainable>> live;
    {
        const std::lock_guard lock(mutex_);
        shutting_down_ = true;
        for (auto& [id, e] : entries_)
            if (auto s = e.session.lock())
                live.push_back(std::move(s));
    }
    for (auto& s : live)
        s->begin_shutdown();
}

bool session_registry::wait_until_empty(std::chrono::steady_clock::time_point deadline)
{
    std::unique_lock lock(mutex_);
    return emptied_.wait_until(lock, deadline,
                               [this] { return entries_.empty() && answers_ == 0; });
}

} // namespace donna::relay
