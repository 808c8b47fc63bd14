// DONNA's voice from the relay's Opus frames and PCM16 deltas to samples at 48 kHz.
#include "client/playback_pipeline.hpp"

#include "audio/base64.hpp"
#include "audio/opus_codec.hpp"
#include "audio/pcm16.hpp"
#include "protocol/audio_frame.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace donna::client {
namespace {

std::vector<std::vector<std::uint8_t>>
opus_frames(int count, audio_frame_kind kind = audio_frame_kind::opus_output)
{
    auto encoder = opus_encoder::create({.sample_rate = 24000});
    EXPECT_TRUE(encoder);
    std::vector<std::vector<std::uint8_t>> frames;
    std::vector<float> pcm(480);
    std::vector<std::uint8_t> packet(opus_max_packet);
    for (int f = 0; f < count; ++f) {
        for (std::size_t i = 0; i < pcm.size(); ++i)
            pcm[i] = 0.4f * static_cast<float>(std::sin(
                                2 * M_PI * 440.0 *
                                static_cast<double>(f * 480 + static_cast<int>(i)) / 24000.0));
        const auto size = encoder->encode(pcm, packet);
        EXPECT_TRUE(size);
        std::vector<std::uint8_t> frame;
        EXPECT_TRUE(encode_audio_frame({.kind = kind,
                                        .sequence = static_cast<std::uint16_t>(f),
                                        .timestamp = static_cast<std::uint32_t>(f * 480)},
                                       std::span(packet.data(), *size), frame));
        frames.push_back(std::move(frame));
    }
    return frames;
}

TEST(PlaybackPipeline, OpusFramesBecomeTwiceAsManySamplesAt48k)
{
    auto playback = playback_pipeline::create(48000);
    ASSERT_TRUE(playback) << playback.error().message;
    std::vector<float> out;
    std::size_t total = 0;
    for (const auto& frame : opus_frames(50)) {
        const auto n = playback->decode_frame(frame, out);
        ASSERT_TRUE(n) << n.error().message;
        total += *n;
    }
    EXPECT_EQ(total, out.size());
    // The resampler holds back its filter delay; everything else is there.
    EXPECT_NEAR(static_cast<double>(out.size()), 48000.0, 100.0);
}

TEST(PlaybackPipeline, AShortGapIsConcealedSoTimingIsKept)
{
    auto playback = playback_pipeline::create(48000);
    ASSERT_TRUE(playback);
    const auto frames = opus_frames(10);
    std::vector<float> with_gap;
    for (std::size_t i = 0; i < frames.size(); ++i)
        if (i != 4 && i != 5) {
            ASSERT_TRUE(playback->decode_frame(frames[i], with_gap));
        }
    auto reference = playback_pipeline::create(48000);
    std::vector<float> all;
    for (const auto& f : frames)
        ASSERT_TRUE(reference->decode_frame(f, all));
    EXPECT_EQ(with_gap.size(), all.size());
}

TEST(PlaybackPipeline, DuplicateFrameIsIgnored)
{
    auto playback = playback_pipeline::create(48000);
    ASSERT_TRUE(playback);
    const auto frames = opus_frames(2);
    std::vector<float> out;
    ASSERT_TRUE(playback->decode_frame(frames[0], out));
    ASSERT_TRUE(playback->decode_frame(frames[1], out));
    const auto again = playback->decode_frame(frames[1], out);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0u);
}

TEST(PlaybackPipeline, MicrophoneKindFromTheRelayIsRefusedByName)
{
    auto playback = playback_pipeline::create(48000);
    ASSERT_TRUE(playback);
    std::vector<float> out;
    const auto r = playback->decode_frame(opus_frames(1, audio_frame_kind::opus_input)[0], out);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::unknown_frame_kind);
    EXPECT_NE(r.error().message.find("opus_input"), std::string::npos);
}

TEST(PlaybackPipeline, Pcm16DeltaIsResampledTo48k)
{
    auto playback = playback_pipeline::create(48000);
    ASSERT_TRUE(playback);
    std::vector<std::int16_t> samples(2400, 1000); // 100 ms
    std::vector<float> out;
    const auto n = playback->decode_pcm16(base64_encode(pcm16_to_bytes(samples)), out);
    ASSERT_TRUE(n);
    EXPECT_NEAR(static_cast<double>(*n), 4800.0, 100.0);
    const auto bad = playback->decode_pcm16("not base64!", out);
    EXPECT_FALSE(bad);
}

} // namespace
} // namespace donna::client
