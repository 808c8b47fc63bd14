// voice_actions.hpp: DONNA's tool calls in a Realtime conversation, carried out and answered
// upstream: the one place both voice sessions (the web's realtime/realtime_session and the
// phone's realtime/phone_call_session) turn a step of realtime/realtime_tool_calls into what
// goes back to the model.
//
//   const auto step = turn.on_upstream_event(type, text);
//   auto done = answer_tool_calls(turn, step.ready, context, deps, own_tools,
//                                 [&](std::string e) { upstream->send(std::move(e)); });
//   if (step.continue_response) upstream->send(continue_response_event(turn.tools_final()));
//
// Each call is admitted against the turn's bound (chat/chat_actions' max_tool_calls_per_turn;
// past it, refused), then carried out by the session's own tool of that name if it has one
// (the phone's transfer_call and end_call act on the call itself), else by chat/chat_actions
// (take_message, request_callback, send_email, send_sms), and its result is sent upstream as
// a function_call_output item.
#pragma once

#include "chat/chat_actions.hpp"
#include "providers/openai/chat_completions.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace donna::relay {

class action_store;
class logger;
struct config;
class realtime_tool_calls;
struct relay_metrics;

struct voice_action_deps {
    action_store* store; // null: no database; the stored actions fail (counted)
    relay_metrics& metrics;
    logger& log;
};

// A session's own tools: the call carried out when it names one of them, nullopt when it
// names none (chat/chat_actions then takes it).
using session_tools = std::function<std::optional<executed_tool_call>(const chat_tool_call&)>;

// Whether a voice session offers the model DONNA's actions: only OpenAI's model (the demo
// calls no tools), unless DONNA_CHAT_TOOLS=0 or there is nowhere to keep what they do.
bool voice_actions_offered(const config& cfg, const action_store* store);

std::vector<executed_tool_call>
answer_tool_calls(realtime_tool_calls& turn, const std::vector<chat_tool_call>& calls,
                  const chat_action_context& context, const voice_action_deps& deps,
                  const session_tools& own, const std::function<void(std::string)>& send);

} // namespace donna::relay
