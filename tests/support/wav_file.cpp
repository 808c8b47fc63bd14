// wav_file.cpp: a minimal RIFF/WAVE reader for 16-bit PCM test fixtures.
#include "wav_file.hpp"

#include "audio/pcm16.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

namespace donna::test {
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

} // namespace

std::string audio_path(const std::string& name)
{
    return std::string(DONNA_TEST_AUDIO_DIR) + "/" + name;
}

result<wav_audio> read_wav(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(errc::invalid_argument, "cannot open " + path);
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 ||
        std::memcmp(bytes.data() + 8, "WAVE", 4) != 0)
        return make_error(errc::invalid_argument, path + " is not a RIFF/WAVE file");

    wav_audio wav;
    int channels = 0;
    int bits = 0;
    std::size_t pos = 12;
    while (pos + 8 <= bytes.size()) {
        const std::uint32_t size = le32(&bytes[pos + 4]);
        const std::uint8_t* body = &bytes[pos + 8];
        const std::size_t available = bytes.size() - pos - 8;
        if (std::memcmp(&bytes[pos], "fmt ", 4) == 0 && size >= 16 && available >= 16) {
            if (le16(body) != 1 && le16(body) != 0xfffe)
                return make_error(errc::invalid_argument, path + " is not PCM");
            channels = le16(body + 2);
            wav.sample_rate = static_cast<int>(le32(body + 4));
            bits = le16(body + 14);
        } else if (std::memcmp(&bytes[pos], "data", 4) == 0) {
            if (channels <= 0 || bits != 16)
                return make_error(errc::invalid_argument, path + ": need 16-bit PCM before data");
            const std::size_t n =
                std::min<std::size_t>(size, available) / (2 * static_cast<std::size_t>(channels));
            wav.samples.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                const auto* s = body + 2 * i * static_cast<std::size_t>(channels);
                wav.samples[i] = pcm16_to_float(static_cast<std::int16_t>(le16(s)));
            }
            return wav;
        }
        pos += 8 + size + (size & 1);
    }
    return make_error(errc::invalid_argument, path + " has no data chunk");
}

} // namespace donna::test
