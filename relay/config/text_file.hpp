// text_file.hpp: reads a whole configuration file (.env, sites) with errors that say which
// file and what went wrong; a missing file is errc::not_found so callers can treat it as
// "not configured".
//
//   auto text = read_text_file(".env");
//   if (!text && text.error().code != errc::not_found) return text.error();
#pragma once

#include "core/error.hpp"

#include <filesystem>
#include <string>

namespace donna::relay {

result<std::string> read_text_file(const std::filesystem::path& path);

} // namespace donna::relay
