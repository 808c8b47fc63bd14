// chat_reply_event.hpp: the donna.chat.message that carries DONNA's reply to a chat turn, the
// same on every path (POST /v1/chat, its stream, the voice chat, WS /v1/realtime).
//
//   {"type":"donna.chat.message","id":"m1-reply","role":"assistant","text":"...",
//    "persona":"receptionist","fallback":false,
//    "usage":{"prompt_tokens":52,"completion_tokens":9},            (when the model answered)
//    "actions":[{"name":"take_message","status":"recorded","id":3}]}  (when tools were called)
#pragma once

#include "chat/chat_service.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace donna::relay {

// The fields beyond shared/'s donna_chat_message are extras its parser ignores, so the
// browser client reads this as a plain chat message.
nlohmann::json chat_reply_event(const std::string& id, persona p, const chat_turn_outcome& outcome);

} // namespace donna::relay
