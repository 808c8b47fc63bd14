// dotenv.hpp: reads a `.env` file (KEY=VALUE lines) into a map, so that a developer can keep
// the relay's keys out of the shell history and the process list.
//
//   auto env = donna::relay::read_dotenv_file(".env");
//   if (!env && env.error().code != donna::errc::not_found) fail(env.error().message);
//   if (env) lookup((*env)["OPENAI_API_KEY"]);
//
// Syntax: blank lines and `#` comments; an optional `export ` prefix; keys match
// [A-Za-z_][A-Za-z0-9_]*; values are unquoted (trailing whitespace and an inline ` #comment`
// stripped), 'single quoted' (literal) or "double quoted" (escapes \n \" \\). A later line
// overrides an earlier one, as in a shell. Errors name the line and what is wrong, never the
// value: the value is usually a key.
#pragma once

#include "core/error.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace donna::relay {

using env_map = std::map<std::string, std::string>;

// errc::invalid_argument, e.g. "line 3: expected KEY=VALUE".
result<env_map> parse_dotenv(std::string_view text);

// errc::not_found when the file does not exist (a .env is optional), errc::io_error when it
// cannot be read; parse errors are prefixed with the path.
result<env_map> read_dotenv_file(const std::filesystem::path& path);

} // namespace donna::relay
