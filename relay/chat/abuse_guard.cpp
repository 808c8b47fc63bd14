// abuse_guard.cpp: throttling after a flag, and repeated messages.
#include "chat/abuse_guard.hpp"

#include <cctype>

namespace donna::relay {

std::string normalise_message(std::string_view text)
{
    std::string out;
    bool space = false;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isspace(u)) {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += static_cast<char>(std::tolower(u));
    }
    return out;
}

void abuse_guard::set_cooldown(std::chrono::seconds cooldown)
{
    const std::lock_guard lock(mutex_);
    cooldown_ = cooldown;
}

abuse_guard::visitor_state& abuse_guard::find(const std::string& visitor)
{
    auto it = visitors_.find(visitor);
    if (it != visitors_.end()) {
        lru_.splice(lru_.end(), lru_, it->second.lru_position);
        return it->second;
    }
    if (visitors_.size() >= max_visitors_ && !lru_.empty()) {
        visitors_.erase(lru_.front());
        lru_.pop_front();
    }
    lru_.push_back(visitor);
    visitor_state state;
    state.lru_position = std::prev(lru_.end());
    return visitors_.emplace(visitor, std::move(state)).first->second;
}

std::optional<abuse_refusal> abuse_guard::check(const std::string& visitor, std::string_view text,
                                                clock::time_point now)
{
    const std::lock_guard lock(mutex_);
    auto& v = find(visitor);
    if (now < v.throttled_until) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(v.throttled_until - now).count();
        return abuse_refusal{429, "throttled",
                             "a recent message was flagged by moderation; messages are paused "
                             "for " +
                                 std::to_string(left) + " s more"};
    }
    auto normalised = normalise_message(text);
    const bool same = normalised == v.last_text && now - v.last_seen < repeat_window;
    v.repeats = same ? v.repeats + 1 : 1;
    v.last_text = std::move(normalised);
    v.last_seen = now;
    if (v.repeats >= max_repeats)
        return abuse_refusal{429, "repeated_message",
                             "the same message was sent " + std::to_string(v.repeats) +
                                 " times in a row; say something else or wait a moment"};
    return std::nullopt;
}

void abuse_guard::flag(const std::string& visitor, clock::time_point now)
{
    const std::lock_guard lock(mutex_);
    find(visitor).throttled_until = now + cooldown_;
}

} // namespace donna::relay
