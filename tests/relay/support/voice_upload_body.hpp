// voice_upload_body.hpp: test recordings for the voice-chat upload (relay/voice/voice_upload):
// a sine tone, and the client's framed Opus upload (application/x-donna-audio-frames: each
// shared/ audio frame behind its 16-bit big-endian length).
#pragma once

#include "audio/opus_codec.hpp"
#include "protocol/audio_frame.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <string>
#include <vector>

namespace donna::relay::test {

inline std::vector<float> tone(int rate, double seconds, double hz = 440, float amplitude = 0.4F)
{
    std::vector<float> s(static_cast<std::size_t>(rate * seconds));
    for (std::size_t i = 0; i < s.size(); ++i)
        s[i] = amplitude * static_cast<float>(
                               std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate));
    return s;
}

// 24 kHz audio as 20 ms Opus input frames, framed for upload; the frame numbered
// `skip_sequence` is left out, as if lost on the way.
inline std::string opus_frames_upload(std::span<const float> audio,
                                      std::uint16_t skip_sequence = 0xFFFF)
{
    auto encoder = opus_encoder::create({.sample_rate = 24000});
    EXPECT_TRUE(encoder);
    std::string body;
    if (!encoder)
        return body;
    std::array<std::uint8_t, opus_max_packet> packet{};
    std::vector<std::uint8_t> frame;
    std::uint16_t sequence = 0;
    for (std::size_t at = 0; at + 480 <= audio.size(); at += 480, ++sequence) {
        const auto size = encoder->encode(audio.subspan(at, 480), packet);
        EXPECT_TRUE(size);
        if (!size || sequence == skip_sequence)
            continue;
        EXPECT_TRUE(encode_audio_frame(
            {audio_frame_kind::opus_input, sequence, static_cast<std::uint32_t>(at)},
            std::span(packet).first(*size), frame));
        body.push_back(static_cast<char>(frame.size() >> 8));
        body.push_back(static_cast<char>(frame.size() & 0xFF));
        body.append(frame.begin(), frame.end());
    }
    return body;
}

} // namespace donna::relay::test
