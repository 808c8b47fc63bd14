// abuse_guard.hpp: the local checks on a visitor's messages that need no upstream: a visitor
// whose message moderation flagged is throttled for a while, and the same message sent again
// and again (a stuck script, a flood) is refused. Length and rate are checked by the chat
// service itself (DONNA_CHAT_MAX_CHARACTERS, DONNA_CHAT_MESSAGES_PER_MINUTE).
//
//   abuse_guard guard(std::chrono::seconds(60));
//   if (auto refusal = guard.check(visitor, text, now)) return refuse(*refusal);
//   ... moderation flagged it: guard.flag(visitor, now);
//
// Thread-safe; memory is bounded (the least recently seen visitors are forgotten).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace donna::relay {

struct abuse_refusal {
    int status = 429;
    std::string code; // "throttled" | "repeated_message"
    std::string message;
};

class abuse_guard {
public:
    using clock = std::chrono::steady_clock;

    // The same text this many times in a row within repeat_window is refused from the last.
    static constexpr int max_repeats = 3;
    static constexpr std::chrono::seconds repeat_window{120};

    explicit abuse_guard(std::chrono::seconds cooldown, std::size_t max_visitors = 100000)
        : cooldown_(cooldown), max_visitors_(max_visitors)
    {}

    void set_cooldown(std::chrono::seconds cooldown);
    // Counts the message and refuses it when the visitor is throttled or repeating.
    std::optional<abuse_refusal> check(const std::string& visitor, std::string_view text,
                                       clock::time_point now = clock::now());
    // Moderation flagged the visitor's message: refuse their messages for the cooldown.
    void flag(const std::string& visitor, clock::time_point now = clock::now());

private:
    struct visitor_state {
        std::string last_text; // normalised
        int repeats = 0;
        clock::time_point last_seen{};
        clock::time_point throttled_until{};
        std::list<std::string>::iterator lru_position;
    };
    visitor_state& find(const std::string& visitor);

    std::mutex mutex_;
    std::chrono::seconds cooldown_;
    std::size_t max_visitors_;
    std::list<std::string> lru_;
    std::unordered_map<std::string, visitor_state> visitors_;
};

// Lower-case ASCII, whitespace runs collapsed, ends trimmed: "Hi  THERE " == "hi there".
std::string normalise_message(std::string_view text);

} // namespace donna::relay
