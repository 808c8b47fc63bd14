// wav_file.hpp: reads the 16-bit PCM WAV files the test fixtures generate (espeak-ng + sox),
// mono or the first channel of several, as float samples in [-1, 1).
#pragma once

#include "core/error.hpp"

#include <string>
#include <vector>

namespace donna::test {

struct wav_audio {
    int sample_rate = 0;
    std::vector<float> samples;

    double seconds() const { return static_cast<double>(samples.size()) / sample_rate; }
};

result<wav_audio> read_wav(const std::string& path);

// Path of a generated fixture file, e.g. audio_path("turn_24000.wav").
std::string audio_path(const std::string& name);

} // namespace donna::test
