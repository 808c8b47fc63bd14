// openai_error.cpp
#include "openai_error.hpp"

#include <utility>

namespace donna::fakes {

namespace {

std::string json_kind(const nlohmann::json& value)
{
    if (value.is_number_integer())
        return "an integer";
    if (value.is_number())
        return "a decimal";
    if (value.is_string())
        return "a string";
    if (value.is_boolean())
        return "a boolean";
    if (value.is_object())
        return "an object";
    if (value.is_array())
        return "an array";
    return "null";
}

// "sk-fake-wrong-key-123" -> "sk-fake-*********-123", the way the API echoes a wrong key.
std::string masked(std::string_view key)
{
    if (key.size() <= 12)
        return std::string(key.size(), '*');
    return std::string(key.substr(0, 8)) + std::string(key.size() - 12, '*') +
           std::string(key.substr(key.size() - 4));
}

} // namespace

nlohmann::json optional_string(const std::optional<std::string>& s)
{
    return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

nlohmann::json error_body(const api_error& e)
{
    return {{"error",
             {{"message", e.message},
              {"type", e.type},
              {"param", optional_string(e.param)},
              {"code", optional_string(e.code)}}}};
}

api_error missing(const std::string& param)
{
    return {.code = "missing_required_parameter",
            .message = "Missing required parameter: '" + param + "'.",
            .param = param};
}

api_error wrong_type(const std::string& param, std::string_view expected, const nlohmann::json& got)
{
    return {.code = "invalid_type",
            .message = "Invalid type for '" + param + "': expected " + std::string(expected) +
                       ", but got " + json_kind(got) + " instead.",
            .param = param};
}

api_error invalid_value(const std::string& param, std::string message)
{
    return {.code = "invalid_value", .message = std::move(message), .param = param};
}

api_error no_api_key()
{
    return {.message = "You didn't provide an API key. You need to provide your API key in an "
                       "Authorization header using Bearer auth (i.e. Authorization: Bearer "
                       "YOUR_KEY), or as the password field (with blank username) if you're "
                       "accessing the API from your browser and are prompted for a username and "
                       "password. You can obtain an API key from "
                       "https://platform.openai.com/account/api-keys."};
}

api_error incorrect_api_key(std::string_view given)
{
    return {.code = "invalid_api_key",
            .message = "Incorrect API key provided: " + masked(given) +
                       ". You can find your API key at "
                       "https://platform.openai.com/account/api-keys."};
}

std::vector<std::string> split_words(const std::string& text)
{
    std::vector<std::string> pieces;
    std::size_t start = 0;
    while (start < text.size()) {
        auto next = text.find(' ', start + 1);
        if (next == std::string::npos)
            next = text.size();
        pieces.push_back(text.substr(start, next - start));
        start = next;
    }
    return pieces;
}

} // namespace donna::fakes
