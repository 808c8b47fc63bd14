// chat_history.hpp: one conversation's turns as sent to chat completions, bounded by an
// estimate of tokens so that a long conversation neither grows without limit nor overflows
// the model's context: the oldest turns go first, the newest is always kept.
//
//   chat_history history(4000);
//   history.add(chat_role::user, "Do you open on Sundays?");
//   for (const auto& turn : history.turns()) messages.push_back({role, turn.text});
#pragma once

#include "core/token_estimate.hpp"

#include "protocol/donna_events.hpp"

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

// estimate_tokens (core/token_estimate.hpp) budgets the history.
using donna::estimate_tokens;

// A tool call the model made during a turn, and the result the relay gave it.
struct chat_tool_exchange {
    std::string id;        // the model's tool call id ("call_...")
    std::string name;      // the function
    std::string arguments; // JSON text, as the model wrote it
    std::string result;    // the tool message's content (JSON text)
};

// One assistant message that called tools, and the answers to its calls.
struct chat_tool_round {
    std::string text; // content the model wrote along with its calls ("" for none)
    std::vector<chat_tool_exchange> calls;
};

struct chat_turn {
    chat_role role = chat_role::user;
    std::string text;
    // An assistant turn's tool calls and results, before its text. Kept with the turn (and
    // forgotten with it) so that a request never carries a call without its result.
    std::vector<chat_tool_round> tool_rounds = {};
};

class chat_history {
public:
    explicit chat_history(std::size_t max_tokens) : max_tokens_(max_tokens) {}

    void add(chat_role role, std::string text, std::vector<chat_tool_round> tool_rounds = {});
    const std::deque<chat_turn>& turns() const { return turns_; }
    std::size_t tokens() const { return tokens_; }
    std::size_t max_tokens() const { return max_tokens_; }

private:
    std::size_t max_tokens_;
    std::size_t tokens_ = 0;
    std::deque<chat_turn> turns_;
};

} // namespace donna::relay
