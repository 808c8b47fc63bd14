// wav.hpp: RIFF/WAVE in memory, both ways: what a recorded voice-chat turn may be uploaded as,
// and what Whisper is sent. Reads 16-bit PCM and 32-bit float, any rate, mixing several
// channels down to mono; writes 16-bit mono PCM.
//
//   auto wav = donna::decode_wav(upload);            // errors say what is wrong with the file
//   if (!wav) return refuse(wav.error().message);
//   auto bytes = donna::encode_wav(wav->samples, wav->sample_rate);
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace donna {

struct wav_audio {
    int sample_rate = 0;
    std::vector<float> samples; // mono, in [-1, 1)

    double seconds() const
    {
        return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0;
    }
};

// Errors (errc::invalid_argument): not RIFF/WAVE, no fmt or data chunk, a format other than
// PCM 16-bit or IEEE float 32-bit, no channels, a rate outside 8000..192000.
result<wav_audio> decode_wav(std::span<const std::uint8_t> bytes);

// A 44-byte header and the samples as 16-bit little-endian PCM.
std::vector<std::uint8_t> encode_wav(std::span<const float> samples, int sample_rate);

} // namespace donna
