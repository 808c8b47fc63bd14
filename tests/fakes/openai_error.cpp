// openai_error.cpp
#include "openai_error.hpp"

#include <utility>

namespace donna::fakes {

using json = nlohmann::json;

namespace {

std::string json_kind(const json& value)
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

} // namespace

json optional_string(const std::optional<std::string>& s)
{
    return s ? json(*s) : json(nullptr);
}

json error_body(const api_error& e)
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

api_error wrong_type(const std::string& param, std::string_view expected, const json& got)
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

} // namespace donna::fakes
