#include "audio/framer.hpp"

#include <gtest/gtest.h>

#include <numeric>

namespace donna {
namespace {

TEST(Framer, FrameSamplesIsTwentyMillisecondsAtEachRate)
{
    EXPECT_EQ(frame_samples(48000), 960u);
    EXPECT_EQ(frame_samples(44100), 882u);
    EXPECT_EQ(frame_samples(24000), 480u);
    EXPECT_EQ(frame_samples(16000), 320u);
    EXPECT_EQ(frame_samples(16000, 10), 160u);
}

TEST(Framer, ChunksOfAnySizeBecomeWholeFramesInOrder)
{
    std::vector<float> stream(480 * 7 + 123);
    std::iota(stream.begin(), stream.end(), 0.0f);
    framer f(480);
    std::vector<float> seen;
    std::size_t frames = 0;
    const std::size_t chunk_sizes[] = {1, 479, 1000, 3, 960, 7, 2000};
    std::size_t pos = 0;
    for (std::size_t i = 0; pos < stream.size(); ++i) {
        const std::size_t n = std::min(chunk_sizes[i % 7], stream.size() - pos);
        f.push(std::span<const float>(stream).subspan(pos, n), [&](std::span<const float> frame) {
            EXPECT_EQ(frame.size(), 480u);
            seen.insert(seen.end(), frame.begin(), frame.end());
            ++frames;
        });
        pos += n;
    }
    EXPECT_EQ(frames, 7u);
    EXPECT_EQ(f.pending(), 123u);
    ASSERT_EQ(seen.size(), 480u * 7);
    EXPECT_TRUE(std::equal(seen.begin(), seen.end(), stream.begin()));
}

TEST(Framer, ResetDropsThePartialFrame)
{
    framer f(10);
    int frames = 0;
    f.push(std::vector<float>(7, 1.0f), [&](auto) { ++frames; });
    f.reset();
    f.push(std::vector<float>(7, 1.0f), [&](auto) { ++frames; });
    EXPECT_EQ(frames, 0);
    EXPECT_EQ(f.pending(), 7u);
}

} // namespace
} // namespace donna
