// wav.cpp: a RIFF/WAVE reader and writer.
#include "audio/wav.hpp"

#include "audio/pcm16.hpp"

#include <cstring>
#include <string>

namespace donna {
namespace {

std::uint32_t le32(const std::uint8_t* p)
{
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
           std::uint32_t{p[3]} << 24;
}
std::uint16_t le16(const std::uint8_t* p)
{
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
float le_float(const std::uint8_t* p)
{
    const std::uint32_t bits = le32(p);
    float f = 0;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}
// Writes little-endian values at a position of a buffer already sized for them.
void put32(std::uint8_t* at, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        at[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put16(std::uint8_t* at, std::uint16_t v)
{
    at[0] = static_cast<std::uint8_t>(v);
    at[1] = static_cast<std::uint8_t>(v >> 8);
}

constexpr std::uint16_t format_pcm = 1;
constexpr std::uint16_t format_ieee_float = 3;
constexpr std::uint16_t format_extensible = 0xfffe;

} // namespace

result<wav_audio> decode_wav(std::span<const std::uint8_t> bytes)
{
    const auto bad = [](const std::string& why) {
        return make_error(errc::invalid_argument, why);
    };
    if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 ||
        std::memcmp(bytes.data() + 8, "WAVE", 4) != 0)
        return bad("not a WAV file: it does not start with RIFF....WAVE");

    wav_audio wav;
    std::uint16_t format = 0, channels = 0, bits = 0;
    std::size_t pos = 12;
    while (pos + 8 <= bytes.size()) {
        const std::uint32_t size = le32(&bytes[pos + 4]);
        const std::uint8_t* body = &bytes[pos + 8];
        const std::size_t available = bytes.size() - pos - 8;
        if (std::memcmp(&bytes[pos], "fmt ", 4) == 0) {
            if (size < 16 || available < 16)
                return bad("the WAV file's fmt chunk is cut short");
            format = le16(body);
            channels = le16(body + 2);
            wav.sample_rate = static_cast<int>(le32(body + 4));
            bits = le16(body + 14);
            if (format == format_extensible && size >= 26 && available >= 26)
                format = le16(body + 24); // the sub-format GUID starts with the format tag
        } else if (std::memcmp(&bytes[pos], "data", 4) == 0) {
            if (channels == 0)
                return bad("the WAV file has no fmt chunk before its data");
            if (wav.sample_rate < 8000 || wav.sample_rate > 192000)
                return bad("the WAV file's rate " + std::to_string(wav.sample_rate) +
                           " Hz is outside 8000..192000");
            const bool pcm16 = format == format_pcm && bits == 16;
            const bool float32 = format == format_ieee_float && bits == 32;
            if (!pcm16 && !float32)
                return bad("the WAV file is " + std::to_string(bits) + "-bit format " +
                           std::to_string(format) + "; send 16-bit PCM or 32-bit float");
            const std::size_t width = bits / 8;
            const std::size_t frame = width * channels;
            const std::size_t n = std::min<std::size_t>(size, available) / frame;
            wav.samples.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                float sum = 0;
                for (std::size_t c = 0; c < channels; ++c) {
                    const auto* s = body + i * frame + c * width;
                    sum += pcm16 ? pcm16_to_float(static_cast<std::int16_t>(le16(s))) : le_float(s);
                }
                wav.samples[i] = sum / static_cast<float>(channels);
            }
            return wav;
        }
        pos += 8 + std::size_t{size} + (size & 1U);
    }
    return bad("the WAV file has no data chunk");
}

std::vector<std::uint8_t> encode_wav(std::span<const float> samples, int sample_rate)
{
    const auto data_bytes = static_cast<std::uint32_t>(samples.size() * 2);
    const auto rate = static_cast<std::uint32_t>(sample_rate);
    std::vector<std::uint8_t> out(44 + std::size_t{data_bytes});
    std::uint8_t* p = out.data();
    // Four-character chunk tags, not strings: no terminator belongs in the file.
    std::memcpy(p, "RIFF", 4); // NOLINT(bugprone-not-null-terminated-result)
    put32(p + 4, 36 + data_bytes);
    std::memcpy(p + 8, "WAVEfmt ", 8); // NOLINT(bugprone-not-null-terminated-result)
    put32(p + 16, 16);
    put16(p + 20, format_pcm);
    put16(p + 22, 1); // mono
    put32(p + 24, rate);
    put32(p + 28, rate * 2);        // bytes per second
    put16(p + 32, 2);               // bytes per frame
    put16(p + 34, 16);              // bits per sample
    std::memcpy(p + 36, "data", 4); // NOLINT(bugprone-not-null-terminated-result)
    put32(p + 40, data_bytes);
    for (std::size_t i = 0; i < samples.size(); ++i)
        put16(p + 44 + 2 * i, static_cast<std::uint16_t>(float_to_pcm16(samples[i])));
    return out;
}

} // namespace donna
