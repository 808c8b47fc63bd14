// call_audio.hpp: the phone tests' audio: espeak-ng speech from the test fixtures, and the
// envelope comparison that says two renderings of it (any rate, any codec) are the same words.
#pragma once

#include "wav_file.hpp"

#include "audio/pcm16.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace donna::relay {

inline std::vector<std::int16_t> speech_at(int rate)
{
    auto wav =
        donna::test::read_wav(donna::test::audio_path("speech_" + std::to_string(rate) + ".wav"));
    EXPECT_TRUE(wav) << "speech_" << rate;
    std::vector<std::int16_t> pcm(wav ? wav->samples.size() : 0);
    if (wav)
        float_to_pcm16(wav->samples, pcm);
    return pcm;
}

// The loudness of each 50 ms of a signal: its envelope, for comparing two renderings of the
// same speech whatever their rate and codec.
inline std::vector<double> envelope(const std::vector<std::int16_t>& pcm, int rate)
{
    const auto block = static_cast<std::size_t>(rate / 20);
    std::vector<double> out;
    for (std::size_t at = 0; at + block <= pcm.size(); at += block) {
        double sum = 0;
        for (std::size_t i = at; i < at + block; ++i)
            sum += static_cast<double>(pcm[i]) * pcm[i];
        out.push_back(std::sqrt(sum / static_cast<double>(block)));
    }
    return out;
}

// The best correlation of two envelopes over shifts of up to `max_shift` blocks (the path adds
// a little delay), and the shift it was found at.
inline double envelope_match(const std::vector<double>& a, const std::vector<double>& b,
                             int max_shift = 10)
{
    double best = -1;
    for (int shift = -max_shift; shift <= max_shift; ++shift) {
        double ab = 0, aa = 0, bb = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const auto j = static_cast<std::ptrdiff_t>(i) + shift;
            if (j < 0 || j >= static_cast<std::ptrdiff_t>(b.size()))
                continue;
            const double x = a[i];
            const double y = b[static_cast<std::size_t>(j)];
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        if (aa > 0 && bb > 0)
            best = std::max(best, ab / std::sqrt(aa * bb));
    }
    return best;
}

} // namespace donna::relay
