// wav_file.cpp: fixture files read through the project's own WAV reader (shared/audio/wav).
#include "wav_file.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace donna::test {

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
    auto wav = decode_wav(bytes);
    if (!wav)
        return make_error(errc::invalid_argument, path + ": " + wav.error().message);
    return wav;
}

int peak(const std::vector<std::int16_t>& pcm)
{
    int p = 0;
    for (std::int16_t s : pcm)
        p = std::max(p, std::abs(int{s}));
    return p;
}

} // namespace donna::test
