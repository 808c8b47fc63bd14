// static_files.hpp: maps a request target to a file under the web root, safely, and names
// its media type. Pure functions: no sockets, so every hostile path is unit-tested.
//
//   auto path = donna::relay::resolve_static_path("/srv/site", "/donna.wasm?v=2");
//   if (!path) -> 404;   else serve *path with media_type(*path)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

// The file a GET for `target` should serve, or nullopt when the target is not a plain path
// inside `root` (".." segments, backslashes, NUL, encoded separators, absolute tricks).
// "/" and paths ending in "/" serve index.html. The query string is ignored.
std::optional<std::string> resolve_static_path(std::string_view root, std::string_view target);

// Content-Type for a file name by extension; application/octet-stream when unknown.
std::string_view media_type(std::string_view path);

} // namespace donna::relay
