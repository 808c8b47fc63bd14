// pcm16.cpp: sample format conversion with clipping.
#include "audio/pcm16.hpp"

#include <algorithm>
#include <cmath>

namespace donna {

std::int16_t float_to_pcm16(float sample) noexcept
{
    if (std::isnan(sample))
        return 0;
    const float scaled = std::clamp(sample * 32768.0f, -32768.0f, 32767.0f);
    return static_cast<std::int16_t>(std::lrintf(scaled));
}

float pcm16_to_float(std::int16_t sample) noexcept
{
    return static_cast<float>(sample) * (1.0f / 32768.0f);
}

std::size_t float_to_pcm16(std::span<const float> in, std::span<std::int16_t> out) noexcept
{
    const std::size_t n = std::min(in.size(), out.size());
    for (std::size_t i = 0; i < n; ++i)
        out[i] = float_to_pcm16(in[i]);
    return n;
}

std::size_t pcm16_to_float(std::span<const std::int16_t> in, std::span<float> out) noexcept
{
    const std::size_t n = std::min(in.size(), out.size());
    for (std::size_t i = 0; i < n; ++i)
        out[i] = pcm16_to_float(in[i]);
    return n;
}

std::vector<std::uint8_t> pcm16_to_bytes(std::span<const std::int16_t> samples)
{
    std::vector<std::uint8_t> bytes(samples.size() * 2);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto u = static_cast<std::uint16_t>(samples[i]);
        bytes[2 * i] = static_cast<std::uint8_t>(u & 0xff);
        bytes[2 * i + 1] = static_cast<std::uint8_t>(u >> 8);
    }
    return bytes;
}

std::vector<std::int16_t> pcm16_from_bytes(std::span<const std::uint8_t> bytes)
{
    std::vector<std::int16_t> samples(bytes.size() / 2);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto u = static_cast<std::uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
        samples[i] = static_cast<std::int16_t>(u);
    }
    return samples;
}

} // namespace donna
