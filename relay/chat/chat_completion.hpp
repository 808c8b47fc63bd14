// chat_completion.hpp: what the chat asks OpenAI's chat completions for: the persona's model
// and settings, its prompt (with what DONNA remembers), the history and this turn's tool
// rounds, as a request body (the wire format is providers/openai/chat_completions').
//
//   auto body = chat_request_body(persona, history, {.stream = true, .extra_system = "",
//                                 .offer_tools = true, .tools_final = false, .pending = {}});
#pragma once

#include "chat/chat_history.hpp"
#include "persona/persona_catalog.hpp"
#include "providers/openai/chat_completions.hpp"

#include <string>
#include <vector>

namespace donna::relay {

struct chat_request_options {
    bool stream = true;
    std::string extra_system; // e.g. what DONNA remembers of an authenticated user ("" = none)
    bool offer_tools = false; // the actions' `tools` (chat/chat_tools)
    bool tools_final = false; // with offer_tools: "tool_choice":"none", the model must answer
    // This turn's tool rounds so far, sent after the history (each: the assistant message with
    // its tool_calls, then one "tool" message per call).
    std::vector<chat_tool_round> pending = {};
};

// The messages [system, ...history, ...pending] with the persona's model, reasoning effort,
// temperature and max_tokens. A history turn with tool rounds becomes the same messages as
// pending ones, before the turn's text.
std::string chat_request_body(const persona_profile& persona, const chat_history& history,
                              const chat_request_options& options);

} // namespace donna::relay
