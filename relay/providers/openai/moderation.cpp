// moderation.cpp: request and verdict.
#include "providers/openai/moderation.hpp"
#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {

std::string moderation_request_body(std::string_view model, std::string_view text)
{
    const nlohmann::json body = {{"model", model}, {"input", text}};
    return dump_json(body);
}

result<moderation_verdict> parse_moderation(std::string_view body)
{
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return make_error(errc::invalid_json, "the moderation answer is not a JSON object");
    const auto results = doc.find("results");
    if (results == doc.end() || !results->is_array() || results->empty() ||
        !(*results)[0].is_object())
        return make_error(errc::missing_field, "the moderation answer has no results");
    const auto& first = (*results)[0];
    moderation_verdict verdict;
    const auto flagged = first.find("flagged");
    verdict.flagged = flagged != first.end() && flagged->is_boolean() && flagged->get<bool>();
    const auto categories = first.find("categories");
    if (categories != first.end() && categories->is_object())
        for (const auto& [name, value] : categories->items())
            if (value.is_boolean() && value.get<bool>())
                verdict.categories.push_back(name);
    return verdict;
}

} // namespace donna::relay
