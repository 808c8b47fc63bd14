// utf8.hpp: lengths of UTF-8 text as a person counts them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace donna {

// Code points in UTF-8 text: every byte that is not a continuation byte (10xxxxxx) starts
// one, so a limit in characters gives German or Japanese text the same budget as English.
// Invalid UTF-8 is counted the same way (callers that care have refused it already).
inline std::size_t utf8_length(std::string_view text)
{
    return static_cast<std::size_t>(std::ranges::count_if(
        text, [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

} // namespace donna
