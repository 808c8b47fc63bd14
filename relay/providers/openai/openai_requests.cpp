// openai_requests.cpp: URLs and headers of OpenAI's REST calls.
#include "providers/openai/openai_requests.hpp"

#include "config/config.hpp"
#include "providers/openai/moderation.hpp"

#include <utility>

namespace donna::relay {

upstream_request chat_completions_request(const config& cfg, std::string body)
{
    return {.method = "POST",
            .url = cfg.openai_base_url + "/chat/completions",
            .headers = {{"Authorization", "Bearer " + cfg.openai_api_key},
                        {"Content-Type", "application/json"},
                        {"Accept", "text/event-stream"}},
            .body = std::move(body)};
}

upstream_request moderation_request(const config& cfg, std::string_view text)
{
    return {.method = "POST",
            .url = cfg.openai_base_url + "/moderations",
            .headers = {{"Authorization", "Bearer " + cfg.openai_api_key},
                        {"Content-Type", "application/json"}},
            .body = moderation_request_body(cfg.moderation_model, text)};
}

upstream_request model_list_request(const config& cfg)
{
    return {.method = "GET",
            .url = cfg.openai_base_url + "/models",
            .headers = {{"Authorization", "Bearer " + cfg.openai_api_key}},
            .body = {}};
}

} // namespace donna::relay
