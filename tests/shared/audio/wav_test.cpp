// shared/audio/wav: the WAV reader and writer.
#include "audio/wav.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace donna {
namespace {

// A WAV image written byte by byte here, independently of encode_wav.
std::vector<std::uint8_t> wav_image(std::uint16_t format, std::uint16_t channels,
                                    std::uint32_t rate, std::uint16_t bits,
                                    const std::vector<std::uint8_t>& data)
{
    std::vector<std::uint8_t> out(44 + data.size());
    const auto put = [&](std::size_t at, std::uint32_t v, int bytes) {
        for (int i = 0; i < bytes; ++i)
            out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    };
    std::memcpy(out.data(), "RIFF", 4);
    put(4, 36 + static_cast<std::uint32_t>(data.size()), 4);
    std::memcpy(out.data() + 8, "WAVEfmt ", 8);
    put(16, 16, 4);
    put(20, format, 2);
    put(22, channels, 2);
    put(24, rate, 4);
    const std::uint32_t frame_bytes = std::uint32_t{channels} * bits / 8U;
    put(28, rate * frame_bytes, 4);
    put(32, frame_bytes, 2);
    put(34, bits, 2);
    std::memcpy(out.data() + 36, "data", 4);
    put(40, static_cast<std::uint32_t>(data.size()), 4);
    std::memcpy(out.data() + 44, data.data(), data.size());
    return out;
}

TEST(Wav, EncodedAudioDecodesToTheSameSamplesAndRate)
{
    std::vector<float> tone(1600);
    for (std::size_t i = 0; i < tone.size(); ++i)
        tone[i] = 0.5F * static_cast<float>(std::sin(0.05 * static_cast<double>(i)));
    const auto bytes = encode_wav(tone, 16000);
    ASSERT_EQ(bytes.size(), 44U + 3200U);
    const auto wav = decode_wav(bytes);
    ASSERT_TRUE(wav) << wav.error().message;
    EXPECT_EQ(wav->sample_rate, 16000);
    ASSERT_EQ(wav->samples.size(), tone.size());
    for (std::size_t i = 0; i < tone.size(); ++i)
        ASSERT_NEAR(wav->samples[i], tone[i], 1.0 / 32768);
    EXPECT_DOUBLE_EQ(wav->seconds(), 0.1);
}

TEST(Wav, StereoPcm16IsMixedToMono)
{
    // Two frames: (16384, 0) and (-16384, -16384).
    const std::vector<std::uint8_t> data{0x00, 0x40, 0x00, 0x00, 0x00, 0xC0, 0x00, 0xC0};
    const auto wav = decode_wav(wav_image(1, 2, 44100, 16, data));
    ASSERT_TRUE(wav) << wav.error().message;
    EXPECT_EQ(wav->sample_rate, 44100);
    ASSERT_EQ(wav->samples.size(), 2U);
    EXPECT_FLOAT_EQ(wav->samples[0], 0.25F);
    EXPECT_FLOAT_EQ(wav->samples[1], -0.5F);
}

TEST(Wav, Float32SamplesAreRead)
{
    std::vector<std::uint8_t> data(8);
    const float a = 0.75F, b = -0.125F;
    std::memcpy(data.data(), &a, 4);
    std::memcpy(data.data() + 4, &b, 4);
    const auto wav = decode_wav(wav_image(3, 1, 48000, 32, data));
    ASSERT_TRUE(wav) << wav.error().message;
    ASSERT_EQ(wav->samples.size(), 2U);
    EXPECT_FLOAT_EQ(wav->samples[0], 0.75F);
    EXPECT_FLOAT_EQ(wav->samples[1], -0.125F);
}

TEST(Wav, FilesThatAreNotUsableWavAreRefusedWithTheReason)
{
    const std::vector<std::uint8_t> text{'h', 'e', 'l', 'l', 'o', ' ',
                                         'w', 'o', 'r', 'l', 'd', '!'};
    const auto not_wav = decode_wav(text);
    ASSERT_FALSE(not_wav);
    EXPECT_NE(not_wav.error().message.find("RIFF"), std::string::npos);

    const auto eight_bit = decode_wav(wav_image(1, 1, 8000, 8, {1, 2, 3}));
    ASSERT_FALSE(eight_bit);
    EXPECT_NE(eight_bit.error().message.find("16-bit PCM or 32-bit float"), std::string::npos);

    const auto slow = decode_wav(wav_image(1, 1, 4000, 16, {0, 0}));
    ASSERT_FALSE(slow);
    EXPECT_NE(slow.error().message.find("4000 Hz"), std::string::npos);

    auto cut = wav_image(1, 1, 16000, 16, {0, 0});
    cut.resize(30); // inside the fmt chunk
    EXPECT_FALSE(decode_wav(cut));
}

} // namespace
} // namespace donna
