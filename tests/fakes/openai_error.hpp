// openai_error.hpp: OpenAI's error object, as the fakes send it in HTTP error bodies
// ({"error":{...}}) and in Realtime error events, with the API's own wording for the common
// refusals (the key refusals included), and how both OpenAI fakes cut a reply into deltas.
// openai-node src/core/error.ts reads the error's four fields.
//
//   return reject(http::status::bad_request, missing("model"));   // body: error_body(e)
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace donna::fakes {

struct api_error {
    std::string type = "invalid_request_error";
    std::optional<std::string> code = std::nullopt;
    std::string message = {};
    std::optional<std::string> param = std::nullopt;
};

// A string, or JSON null where the API writes null for an absent code or param.
nlohmann::json optional_string(const std::optional<std::string>& s);
// {"error":{"message","type","param","code"}}
nlohmann::json error_body(const api_error& e);

// "Missing required parameter: 'model'."
api_error missing(const std::string& param);
// "Invalid type for 'session': expected an object, but got a string instead."
api_error wrong_type(const std::string& param, std::string_view expected,
                     const nlohmann::json& got);
api_error invalid_value(const std::string& param, std::string message);

// "You didn't provide an API key. ..." (no Authorization, or an empty Bearer).
api_error no_api_key();
// "Incorrect API key provided: sk-fake-*********-123. ...", the given key masked as the API
// masks it.
api_error incorrect_api_key(std::string_view given);

// "Hello there, visitor." -> "Hello", " there,", " visitor.": each piece with its leading
// space, as the API's content and transcript deltas carry them.
std::vector<std::string> split_words(const std::string& text);

} // namespace donna::fakes
