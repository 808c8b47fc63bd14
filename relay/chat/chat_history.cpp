// chat_history.cpp: the token budget.
#include "chat/chat_history.hpp"

namespace donna::relay {

namespace {

std::size_t turn_tokens(const chat_turn& turn)
{
    std::size_t tokens = estimate_tokens(turn.text);
    for (const auto& round : turn.tool_rounds) {
        tokens += estimate_tokens(round.text);
        for (const auto& call : round.calls)
            tokens += estimate_tokens(call.name) + estimate_tokens(call.arguments) +
                      estimate_tokens(call.result);
    }
    return tokens;
}

} // namespace

void chat_history::add(chat_role role, std::string text, std::vector<chat_tool_round> tool_rounds)
{
    chat_turn turn{role, std::move(text), std::move(tool_rounds)};
    tokens_ += turn_tokens(turn);
    turns_.push_back(std::move(turn));
    while (turns_.size() > 1 && tokens_ > max_tokens_) {
        tokens_ -= turn_tokens(turns_.front());
        turns_.pop_front();
    }
}

} // namespace donna::relay
