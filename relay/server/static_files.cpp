// static_files.cpp: safe target -> path mapping and media types.
#include "server/static_files.hpp"

#include <array>
#include <utility>

namespace donna::relay {
namespace {

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Percent-decodes a path; nullopt on malformed escapes or a decoded byte that could change
// the meaning of the path (separator, NUL, backslash).
std::optional<std::string> decode_path(std::string_view path)
{
    std::string out;
    out.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        char c = path[i];
        if (c == '%') {
            if (i + 2 >= path.size())
                return std::nullopt;
            const int hi = hex_value(path[i + 1]);
            const int lo = hex_value(path[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            if (c == '/' || c == '\0' || c == '\\')
                return std::nullopt;
            i += 2;
        } else if (c == '\0' || c == '\\') {
            return std::nullopt;
        }
        out += c;
    }
    return out;
}

} // namespace

std::optional<std::string> resolve_static_path(std::string_view root, std::string_view target)
{
    if (target.empty() || target.front() != '/')
        return std::nullopt;
    if (const auto q = target.find_first_of("?#"); q != std::string_view::npos)
        target = target.substr(0, q);
    auto decoded = decode_path(target);
    if (!decoded)
        return std::nullopt;

    // Every segment must be a plain name: no "..", no ".", no empty segments in the middle.
    std::string_view rest(*decoded);
    rest.remove_prefix(1);
    std::size_t start = 0;
    while (start < rest.size()) {
        const std::size_t slash = rest.find('/', start);
        const std::size_t end = slash == std::string_view::npos ? rest.size() : slash;
        const std::string_view segment = rest.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..")
            return std::nullopt;
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }

    std::string path(root);
    if (path.empty() || path.back() != '/')
        path += '/';
    path += rest;
    if (path.back() == '/')
        path += "index.html";
    return path;
}

std::string_view media_type(std::string_view path)
{
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".wasm", "application/wasm"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".png", "image/png"},
        {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},
        {".wav", "audio/wav"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
    }};
    const auto dot = path.rfind('.');
    const auto slash = path.rfind('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
        return "application/octet-stream";
    const std::string_view ext = path.substr(dot);
    for (const auto& [e, type] : types)
        if (e == ext)
            return type;
    return "application/octet-stream";
}

} // namespace donna::relay
