// chat_reply_event.cpp: DONNA's reply as a donna.chat.message with the turn's extras.
#include "chat/chat_reply_event.hpp"

#include "protocol/donna_events.hpp"

namespace donna::relay {

nlohmann::json chat_reply_event(const std::string& id, persona p, const chat_turn_outcome& outcome)
{
    using nlohmann::json;
    json m = donna_chat_message{id, chat_role::assistant, outcome.reply}.to_json();
    m["persona"] = std::string(to_string(p));
    m["fallback"] = outcome.fallback;
    if (outcome.completion.prompt_tokens > 0 || outcome.completion.completion_tokens > 0)
        m["usage"] = {{"prompt_tokens", outcome.completion.prompt_tokens},
                      {"completion_tokens", outcome.completion.completion_tokens}};
    if (!outcome.actions.empty()) {
        json actions = json::array();
        for (const auto& a : outcome.actions) {
            json action = {{"name", a.name},
                           {"status", a.status},
                           {"id", a.id > 0 ? json(a.id) : json(nullptr)}};
            if (!a.error.empty())
                action["error"] = a.error;
            actions.push_back(std::move(action));
        }
        m["actions"] = std::move(actions);
    }
    return m;
}

} // namespace donna::relay
