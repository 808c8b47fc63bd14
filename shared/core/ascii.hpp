// ascii.hpp: case rules of protocol text (HTTP header names, hosts, codings), which are ASCII
// whatever the locale: 'A'-'Z' fold to 'a'-'z', every other byte stays (UTF-8 included).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace donna {

constexpr char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ascii_lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) { return ascii_lower(c); });
    return out;
}

constexpr bool ascii_equal_ignoring_case(std::string_view a, std::string_view b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

} // namespace donna
