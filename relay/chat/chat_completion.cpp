// chat_completion.cpp: a persona, a history and a turn's tool rounds as chat messages.
#include "chat/chat_completion.hpp"

#include "chat/chat_tools.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

// Each round: the assistant message that made the calls, then one tool message per call
// (the API refuses a tool message whose id no preceding assistant message called).
void add_tool_rounds(const std::vector<chat_tool_round>& rounds,
                     std::vector<chat_message>& messages)
{
    for (const auto& round : rounds) {
        chat_message asked{.role = "assistant", .content = round.text};
        for (const auto& call : round.calls)
            asked.tool_calls.push_back({call.id, call.name, call.arguments});
        messages.push_back(std::move(asked));
        for (const auto& call : round.calls)
            messages.push_back({.role = "tool", .content = call.result, .tool_call_id = call.id});
    }
}

} // namespace

std::string chat_request_body(const persona_profile& persona, const chat_history& history,
                              const chat_request_options& options)
{
    chat_completions_params params;
    params.model = persona.chat_model;
    std::string system = persona.instructions;
    if (options.offer_tools)
        system += actions_instructions(); // what the tools can and cannot do
    if (!options.extra_system.empty())
        system += "\n\n" + options.extra_system;
    params.messages.push_back({.role = "system", .content = std::move(system)});
    for (const auto& turn : history.turns()) {
        add_tool_rounds(turn.tool_rounds, params.messages);
        params.messages.push_back(
            {.role = std::string(to_string(turn.role)), .content = turn.text});
    }
    add_tool_rounds(options.pending, params.messages);
    params.max_completion_tokens = persona.max_tokens;
    params.reasoning_effort = persona.reasoning_effort;
    params.temperature = persona.temperature;
    params.stream = options.stream;
    const auto tools = options.offer_tools ? chat_tools_json() : nlohmann::json();
    if (options.offer_tools) {
        params.tools = &tools;
        params.tools_final = options.tools_final;
    }
    return chat_completions_body(params);
}

} // namespace donna::relay
