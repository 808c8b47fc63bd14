// moderation.hpp: OpenAI's moderation endpoint (POST /moderations, ../shared/API-NOTES.md
// section 9), free of I/O: the request body and the verdict.
//
//   auto body = moderation_request_body("omni-moderation-latest", text);
//   auto verdict = parse_moderation(response.body);   // flagged + the categories that were
#pragma once

#include "core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

std::string moderation_request_body(std::string_view model, std::string_view text);

struct moderation_verdict {
    bool flagged = false;
    std::vector<std::string> categories; // those set true, e.g. "violence", "harassment"
};

// The first result of a moderation answer. Errors: not JSON, or no results.
result<moderation_verdict> parse_moderation(std::string_view body);

} // namespace donna::relay
