// openai_requests.hpp: the OpenAI REST calls DONNA makes, each built from the settings (base
// URL, key, models), free of I/O: the features hand them to the HTTP client and never write
// an OpenAI URL or header themselves. Bodies and answers of each call live beside this file
// (moderation.hpp, transcription.hpp; the chat's body is chat/chat_completion's).
//
//   client.stream("openai", chat_completions_request(cfg, chat_request_body(...)), {...});
//   client.request("openai", moderation_request(cfg, text), on_answer);
//   client.request("openai", model_list_request(cfg), on_answer);
#pragma once

#include "upstream/http_client.hpp"

#include <string>
#include <string_view>

namespace donna::relay {

struct config;

// POST <base>/chat/completions, answered as server-sent events.
upstream_request chat_completions_request(const config& cfg, std::string body);
// POST <base>/moderations with DONNA_MODERATION_MODEL.
upstream_request moderation_request(const config& cfg, std::string_view text);
// GET <base>/models: every model the key may use, with its shutdown date.
upstream_request model_list_request(const config& cfg);

} // namespace donna::relay
