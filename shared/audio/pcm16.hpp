// pcm16.hpp: float32 samples <-> signed 16-bit PCM, little-endian on the wire.
//
// Scale is 32768: -1.0 maps to -32768 exactly and int16 -> float -> int16 is lossless.
// Values outside [-1, 1) clip to the int16 range (and NaN to 0) instead of wrapping.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace donna {

std::int16_t float_to_pcm16(float sample) noexcept;
float pcm16_to_float(std::int16_t sample) noexcept;

// Converts min(in.size(), out.size()) samples; returns how many were converted.
std::size_t float_to_pcm16(std::span<const float> in, std::span<std::int16_t> out) noexcept;
std::size_t pcm16_to_float(std::span<const std::int16_t> in, std::span<float> out) noexcept;

// Little-endian byte images, as the Realtime API's audio/pcm format expects.
std::vector<std::uint8_t> pcm16_to_bytes(std::span<const std::int16_t> samples);
// An odd trailing byte is ignored (a partial sample is not a sample).
std::vector<std::int16_t> pcm16_from_bytes(std::span<const std::uint8_t> bytes);

} // namespace donna
