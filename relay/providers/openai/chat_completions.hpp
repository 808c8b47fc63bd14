// chat_completions.hpp: OpenAI's chat completions API (POST /chat/completions) as DONNA
// speaks it, free of I/O: the request body from plain parameters, and a decoder for the
// streamed answer (server-sent chat.completion.chunk events, ../shared/API-NOTES.md section 9).
// What to ask (which persona, which history) is the chat feature's (chat/chat_completion).
//
//   auto body = chat_completions_body({.model = "gpt-6-luna", .messages = {...}, ...});
//   chat_stream_decoder decoder;
//   sse.feed(bytes, [&](const sse_event& e) {
//       auto step = decoder.on_event(e);         // an error event, a broken chunk: an error
//       if (step && !step->empty()) send_delta(*step);
//   });
//   if (decoder.done()) use(decoder.result());
#pragma once

#include "core/error.hpp"
#include "upstream/sse_parser.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

struct chat_tool_call {
    std::string id;
    std::string name;
    std::string arguments; // JSON text, as the model wrote it
};

// One message of the request: a system, user or assistant text, an assistant's tool calls
// (its content sent as null when empty), or a tool's result for one call.
struct chat_message {
    std::string role; // "system", "user", "assistant", "tool"
    std::string content;
    std::vector<chat_tool_call> tool_calls = {}; // an assistant's
    std::string tool_call_id = {};               // a tool's: the call it answers
};

struct chat_completions_params {
    std::string model;
    std::vector<chat_message> messages;
    int max_completion_tokens = 1024;
    // Sent when not empty. Temperature is sent only without an effort or with "none": a
    // reasoning model that thinks refuses it ("When reasoning effort is not none, remove
    // temperature": OpenAI's deployment checklist).
    std::string reasoning_effort;
    double temperature = 1.0;
    bool stream = true; // with stream_options.include_usage
    // The function tools offered (a JSON array the caller keeps until the body is built;
    // null: none), and whether the model may call them ("auto") or must answer in text
    // ("none").
    const nlohmann::json* tools = nullptr;
    bool tools_final = false;
};

// {"model", "messages", "max_completion_tokens", "stream", "stream_options"?,
//  "reasoning_effort"?, "temperature"?, "tools"?, "tool_choice"?}. Not max_tokens: reasoning
// models refuse it, and every chat model since 2024 takes max_completion_tokens.
std::string chat_completions_body(const chat_completions_params& params);

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
