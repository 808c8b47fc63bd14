// wav_file.hpp: reads the WAV files the test fixtures generate (espeak-ng + sox) as mono float
// samples in [-1, 1), through shared/audio/wav.
#pragma once

#include "audio/wav.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace donna::test {

using donna::wav_audio;

result<wav_audio> read_wav(const std::string& path);

// Path of a generated fixture file, e.g. audio_path("turn_24000.wav").
std::string audio_path(const std::string& name);

// The largest absolute sample of PCM16 audio (0 for silence, 32768 at most).
int peak(const std::vector<std::int16_t>& pcm);

} // namespace donna::test
