// chat_completion.hpp: DONNA's side of OpenAI's chat completions API (POST /chat/completions),
// free of I/O: the request body from a persona and a history, and a decoder for the streamed
// answer (server-sent chat.completion.chunk events, ../shared/API-NOTES.md section 9).
//
//   auto body = chat_request_body(persona, history, {.stream = true, .extra_system = "",
//                                 .offer_tools = true, .tools_final = false, .pending = {}});
//   chat_stream_decoder decoder;
//   sse.feed(bytes, [&](const sse_event& e) {
//       auto step = decoder.on_event(e);         // an error event, a broken chunk: an error
//       if (step && !step->empty()) send_delta(*step);
//   });
//   if (decoder.done()) use(decoder.result());
#pragma once

#include "chat/chat_history.hpp"
#include "core/error.hpp"
#include "persona/persona_catalog.hpp"
#include "upstream/sse_parser.hpp"

#include <string>
#include <string_view>
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

// {"model", "messages": [system, ...history, ...pending], "temperature", "max_tokens",
//  "stream", "stream_options": {"include_usage": true}, "tools"?, "tool_choice"?} with the
// persona's settings. A history turn with tool rounds becomes the same messages as pending
// ones, before the turn's text.
std::string chat_request_body(const persona_profile& persona, const chat_history& history,
                              const chat_request_options& options);

struct chat_tool_call {
    std::string id;
    std::string name;
    std::string arguments; // JSON text, as the model wrote it
};

struct chat_completion_result {
    std::string text;
    std::string finish_reason; // "stop", "length", "tool_calls", "content_filter"
    std::string model;
    long prompt_tokens = 0, completion_tokens = 0; // 0 when the API did not say
    long cached_prompt_tokens = 0;                 // usage.prompt_tokens_details.cached_tokens
    std::vector<chat_tool_call> tool_calls;
};

// A whole (non-streamed) chat.completion.
result<chat_completion_result> parse_chat_completion(std::string_view body);

// The human message of OpenAI's error body ({"error":{"message":...}}), or "" when absent.
std::string openai_error_message(std::string_view body);

class chat_stream_decoder {
public:
    // One server-sent event. Returns the text delta it carried ("" for none). Errors: a chunk
    // that is not JSON (invalid_json), an error event or error object (upstream_unavailable,
    // with OpenAI's message). After "[DONE]", done() is true.
    result<std::string> on_event(const sse_event& event);

    bool done() const { return done_; }
    const chat_completion_result& result_so_far() const { return result_; }

private:
    chat_completion_result result_;
    bool done_ = false;
};

} // namespace donna::relay
