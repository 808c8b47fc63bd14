// chat_history.cpp: the token budget.
#include "chat/chat_history.hpp"

namespace donna::relay {

std::size_t estimate_tokens(std::string_view text)
{
    return (text.size() + 3) / 4 + 4;
}

void chat_history::add(chat_role role, std::string text)
{
    tokens_ += estimate_tokens(text);
    turns_.push_back({role, std::move(text)});
    while (turns_.size() > 1 && tokens_ > max_tokens_) {
        tokens_ -= estimate_tokens(turns_.front().text);
        turns_.pop_front();
    }
}

} // namespace donna::relay
