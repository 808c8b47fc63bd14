// realtime_tool_calls.hpp: the model's function calls in a Realtime session, read from the
// upstream's events, and the events that answer them. Pure logic: no sockets, no clock; the
// session (realtime/realtime_session) carries the calls out with chat/chat_actions, the same
// executor the text chat uses.
//
//   realtime_tool_calls calls;
//   auto step = calls.on_upstream_event(type, text);     // every upstream event, in order
//   for (auto& call : step.ready)                         // each call once, when complete
//       upstream.send(function_call_output_event(call.id, execute(call)));
//   if (step.continue_response)                           // the response that called is done
//       upstream.send(continue_response_event(calls.tools_final()));
//
// Where a call is read from, whichever comes first (its call_id is remembered, so it is
// carried out once): response.function_call_arguments.done (GA names the function in the
// event; beta does not, so the name comes from the response.output_item.added that opened
// the item), response.output_item.done with a function_call item, and, as a last resort, the
// function_call items in response.done's output. The event names are the same in both
// dialects (openai-node src/resources/realtime/realtime.ts and .../beta/realtime).
//
// Bounds, as in the text chat (chat/chat_actions): at most max_tool_calls_per_turn calls are
// carried out between two turns of the visitor (the rest are refused), and after
// max_tool_rounds responses that called tools the next continuation says tool_choice "none".
#pragma once

#include "providers/openai/chat_completions.hpp" // chat_tool_call: the executor's input

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace donna::relay {

class realtime_tool_calls {
public:
    struct step {
        // Calls complete with this event, each once: id is the call_id; name is "" when the
        // upstream never named it (the executor refuses it).
        std::vector<chat_tool_call> ready;
        bool response_started = false;  // response.created
        bool response_finished = false; // response.done
        // response.done of a response whose calls were answered: ask for the next one.
        bool continue_response = false;
    };

    step on_upstream_event(std::string_view type, std::string_view text);

    // The visitor spoke or wrote again: the turn's counts start over.
    void visitor_turn();
    // Counts one call as carried out in this turn; false when the turn's bound is reached
    // (the call is to be refused).
    bool admit_call();
    // After max_tool_rounds responses that called tools, the continuation may call no more.
    bool tools_final() const;
    // A response.created not yet followed by its response.done.
    bool response_in_progress() const { return responses_open_ > 0; }

private:
    void complete(step& out, chat_tool_call call);

    // call_id -> name from response.output_item.added (beta's arguments.done has no name).
    std::vector<std::pair<std::string, std::string>> opened_;
    std::unordered_set<std::string> seen_; // call_ids carried out (bounded: see .cpp)
    std::size_t calls_this_turn_ = 0;
    std::size_t rounds_this_turn_ = 0;
    bool called_in_response_ = false;
    int responses_open_ = 0;
};

// {"type":"conversation.item.create","item":{"type":"function_call_output","call_id",
// "output"}}: the result the model reads (the same in both dialects).
std::string function_call_output_event(const std::string& call_id, const std::string& output);
// {"type":"response.create"} (with "response":{"tool_choice":"none"} when `tools_final`).
std::string continue_response_event(bool tools_final);

} // namespace donna::relay
