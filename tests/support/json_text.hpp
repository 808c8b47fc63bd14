// json_text.hpp: JSON text to a value in tests, never throwing (shared/ code runs without
// exceptions, in WASM too): unparseable text gives a discarded value that tests can compare.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace donna::test {

inline nlohmann::json parse_json(std::string_view text)
{
    return nlohmann::json::parse(text, nullptr, false);
}

} // namespace donna::test
