// chat_endpoint.hpp: POST /v1/chat, DONNA's text chat for callers that are not the browser
// client (a CRM, a test script): the same chat as the WebSocket's donna.chat.message.
//
//   POST /v1/chat   Authorization: Bearer <session token from POST /v1/session>
//   {"message":"Do you open on Sundays?","persona":"receptionist","stream":true}
//   -> stream false/absent: 200 {"type":"donna.chat.message","id":"msg_...","role":"assistant",
//                               "text":"...","persona":"receptionist","fallback":false,
//                               "usage":{"prompt_tokens":..,"completion_tokens":..},
//                               "actions":[{"name":"take_message","status":"recorded","id":7}]}
//      ("actions" only when the model called tools: status recorded / queued with the row's
//       id, or invalid / refused / failed with "id":null and an "error")
//      (a failed upstream: 200 with the persona's fallback text, "fallback":true and an
//       "error":{"code","message"} member)
//   -> stream true (or Accept: text/event-stream): 200 text/event-stream, one
//      `data: {donna.chat.delta}` per token, a `data: {donna.error}` if the upstream failed,
//      then `data: {donna.chat.message}` with the whole reply, then the stream ends.
//   -> refusals, before anything streams: 400 invalid_json / missing_field / wrong_type /
//      unknown_persona / empty_message, 401 missing_session_token / invalid_session_token /
//      session_token_expired, 403 origin_not_allowed, 413 message_too_long, 429 rate_limited,
//      503 upstream_not_configured; OpenAI-shaped error bodies.
// History is kept per session token (one token, one conversation).
#pragma once

#include "http/router.hpp"

#include "chat/chat_service.hpp"
#include "http/http_answer.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace donna::relay {

class chat_service;
struct relay_metrics;
class settings_source;

struct chat_http_context {
    std::string_view authorization; // the Authorization header
    std::string_view accept;        // the Accept header
    std::string_view origin;        // Origin ("" for non-browser callers)
    std::string_view self_origin;
    std::int64_t now_unix = 0;
};

struct chat_http_call {
    std::shared_ptr<const live_settings> settings;
    chat_turn_request turn;
    std::string message_id; // of the reply: "msg_" + 24 hex digits
    bool stream = false;
};

// What this endpoint uses of the relay, handed over by the composition root.
struct chat_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    chat_service& chat;
};

// Authorises and parses the request: a call to start, or the answer that refuses it.
std::variant<chat_http_call, http_answer> prepare_chat_call(std::string_view body,
                                                            const chat_http_context& context,
                                                            const chat_endpoint_deps& deps);

// The JSON answer of a whole (non-streamed) turn; refusals become their error answer.
http_answer chat_answer(const chat_http_call& call, const chat_turn_outcome& outcome);

// One server-sent event carrying a JSON text: "data: <json>\n\n".
std::string sse_data(std::string_view json_text);
// The events a streamed turn ends with: an error event when it failed, then the message.
std::string chat_stream_ending(const chat_http_call& call, const chat_turn_outcome& outcome);
std::string chat_stream_delta(const chat_http_call& call, std::string_view delta);

// The row of POST /v1/chat.
route chat_route(const chat_endpoint_deps& deps);

} // namespace donna::relay
