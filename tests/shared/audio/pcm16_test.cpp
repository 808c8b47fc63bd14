#include "audio/pcm16.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace donna {
namespace {

TEST(Pcm16, EveryInt16SurvivesTheFloatRoundTrip)
{
    for (int v = -32768; v <= 32767; ++v) {
        const auto s = static_cast<std::int16_t>(v);
        ASSERT_EQ(float_to_pcm16(pcm16_to_float(s)), s) << v;
    }
}

TEST(Pcm16, ClipsOutOfRangeInsteadOfWrapping)
{
    EXPECT_EQ(float_to_pcm16(1.0f), 32767);
    EXPECT_EQ(float_to_pcm16(1.5f), 32767);
    EXPECT_EQ(float_to_pcm16(1e9f), 32767);
    EXPECT_EQ(float_to_pcm16(-1.0f), -32768);
    EXPECT_EQ(float_to_pcm16(-3.0f), -32768);
    EXPECT_EQ(float_to_pcm16(std::numeric_limits<float>::infinity()), 32767);
    EXPECT_EQ(float_to_pcm16(-std::numeric_limits<float>::infinity()), -32768);
    EXPECT_EQ(float_to_pcm16(std::numeric_limits<float>::quiet_NaN()), 0);
}

TEST(Pcm16, RoundsToNearest)
{
    EXPECT_EQ(float_to_pcm16(0.5f), 16384);
    EXPECT_EQ(float_to_pcm16(-0.5f), -16384);
    EXPECT_EQ(float_to_pcm16(1.4f / 32768.0f), 1);
    EXPECT_EQ(float_to_pcm16(1.6f / 32768.0f), 2);
}

TEST(Pcm16, SpanConversionStopsAtTheShorterSpan)
{
    const float in[] = {0.0f, 0.25f, -0.25f, 2.0f};
    std::int16_t out[3] = {};
    EXPECT_EQ(float_to_pcm16(in, out), 3u);
    EXPECT_EQ(out[0], 0);
    EXPECT_EQ(out[1], 8192);
    EXPECT_EQ(out[2], -8192);
}

TEST(Pcm16, BytesAreLittleEndian)
{
    const std::int16_t samples[] = {0x0102, -2, -32768};
    const auto bytes = pcm16_to_bytes(samples);
    const std::vector<std::uint8_t> expected = {0x02, 0x01, 0xfe, 0xff, 0x00, 0x80};
    EXPECT_EQ(bytes, expected);
    EXPECT_EQ(pcm16_from_bytes(bytes),
              std::vector<std::int16_t>(std::begin(samples), std::end(samples)));
}

TEST(Pcm16, OddTrailingByteIsNotASample)
{
    const std::uint8_t bytes[] = {0x01, 0x00, 0x7f};
    EXPECT_EQ(pcm16_from_bytes(bytes), std::vector<std::int16_t>{1});
}

} // namespace
} // namespace donna
