// wav_file.hpp: reads the WAV files the test fixtures generate (espeak-ng + sox) as mono float
// samples in [-1, 1), through shared/audio/wav.
#pragma once

#include "audio/wav.hpp"
#include "core/error.hpp"

#include <string>

namespace donna::test {

using donna::wav_audio;

result<wav_audio> read_wav(const std::string& path);

// Path of a generated fixture file, e.g. audio_path("turn_24000.wav").
std::string audio_path(const std::string& name);

} // namespace donna::test
