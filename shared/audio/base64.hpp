// base64.hpp: RFC 4648 base64 (standard alphabet, padded), as the OpenAI Realtime API
// carries audio in input_audio_buffer.append and response.output_audio.delta.
//
// Decoding is strict: only the standard alphabet, padding exactly where RFC 4648 puts it,
// zero trailing bits, no whitespace. Anything else is errc::invalid_base64 with the
// offending offset in the message, never a best-effort guess.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace donna {

std::string base64_encode(std::span<const std::uint8_t> bytes);

result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// Size of the decoded bytes for a well-formed input of this length (for reserving).
constexpr std::size_t base64_decoded_size_max(std::size_t text_size) noexcept
{
    return text_size / 4 * 3;
}

} // namespace donna
