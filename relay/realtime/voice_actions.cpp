// voice_actions.cpp: admit, carry out, answer.
#include "realtime/voice_actions.hpp"

#include "config/config.hpp"
#include "realtime/realtime_tool_calls.hpp"

namespace donna::relay {

bool voice_actions_offered(const config& cfg, const action_store* store)
{
    return cfg.realtime() == realtime_mode::openai && cfg.chat_tools && store != nullptr;
}

std::vector<executed_tool_call>
answer_tool_calls(realtime_tool_calls& turn, const std::vector<chat_tool_call>& calls,
                  const chat_action_context& context, const voice_action_deps& deps,
                  const session_tools& own, const std::function<void(std::string)>& send)
{
    std::vector<executed_tool_call> answered;
    answered.reserve(calls.size());
    for (const auto& call : calls) {
        std::optional<executed_tool_call> done;
        if (!turn.admit_call())
            done = refuse_tool_call(call,
                                    "at most " + std::to_string(max_tool_calls_per_turn) +
                                        " actions are carried out per turn",
                                    context, deps.metrics, deps.log);
        else if (own)
            done = own(call);
        if (!done)
            done = execute_tool_call(call, context, deps.store, deps.metrics, deps.log);
        send(function_call_output_event(call.id, done->exchange.result));
        answered.push_back(std::move(*done));
    }
    return answered;
}

} // namespace donna::relay
