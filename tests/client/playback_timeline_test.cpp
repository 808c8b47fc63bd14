// Barge-in accounting: how much of which item the visitor heard.
#include "client/playback_timeline.hpp"

#include <gtest/gtest.h>

namespace donna::client {
namespace {

TEST(PlaybackTimeline, CutInsideTheSecondItemCountsFromThatItemsFirstSample)
{
    playback_timeline t(48000);
    t.queued("a", 48000); // 1 s
    t.queued("b", 24000); // 0.5 s
    t.queued("b", 24000); // + 0.5 s of the same item
    const auto cut = t.cut_at(48000 + 36000);
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->item_id, "b");
    EXPECT_EQ(cut->audio_end_ms, 750);
}

TEST(PlaybackTimeline, NothingToCutOnceEverythingQueuedWasPlayed)
{
    playback_timeline t(24000);
    t.queued("a", 2400);
    EXPECT_TRUE(t.audible(1200));
    EXPECT_FALSE(t.audible(2400));
    EXPECT_FALSE(t.cut_at(2400));
}

TEST(PlaybackTimeline, AfterAFlushNewAudioStartsAtThePlayedCount)
{
    playback_timeline t(48000);
    t.queued("a", 96000);
    t.dropped_after(4800);
    EXPECT_FALSE(t.audible(4800));
    EXPECT_EQ(t.queued_end(), 4800u);
    t.queued("c", 4800);
    const auto cut = t.cut_at(4800 + 2400);
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->item_id, "c");
    EXPECT_EQ(cut->audio_end_ms, 50);
}

} // namespace
} // namespace donna::client
