// response.done's usage read as token counts (relay/realtime/realtime_usage).
#include "realtime/realtime_usage.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

TEST(RealtimeUsage, ResponseDoneUsageSplitsTextAudioAndCachedTokens)
{
    const auto used = response_done_usage(
        R"({"type":"response.done","event_id":"e1","response":{"id":"resp_1","usage":{)"
        R"("total_tokens":390,"input_tokens":300,"output_tokens":90,)"
        R"("input_token_details":{"text_tokens":100,"audio_tokens":200,"image_tokens":0,)"
        R"("cached_tokens":150,"cached_tokens_details":{"text_tokens":50,"audio_tokens":100}},)"
        R"("output_token_details":{"text_tokens":30,"audio_tokens":60}}}})");
    ASSERT_TRUE(used);
    EXPECT_EQ(used->text_input, 100);
    EXPECT_EQ(used->audio_input, 200);
    EXPECT_EQ(used->cached_text_input, 50);
    EXPECT_EQ(used->cached_audio_input, 100);
    EXPECT_EQ(used->text_output, 30);
    EXPECT_EQ(used->audio_output, 60);
}

TEST(RealtimeUsage, OtherEventsAndResponsesWithoutUsageGiveNothing)
{
    EXPECT_FALSE(response_done_usage(R"({"type":"response.output_audio.delta","delta":"AAAA"})"));
    // A transcript that quotes the event name is not the event.
    EXPECT_FALSE(response_done_usage(
        R"({"type":"response.output_audio_transcript.delta","delta":"\"response.done\""})"));
    EXPECT_FALSE(response_done_usage(R"({"type":"response.done","response":{"usage":null}})"));
    EXPECT_FALSE(response_done_usage(R"({"type":"response.done"})"));
    EXPECT_FALSE(response_done_usage("not json \"response.done\""));
}

TEST(RealtimeUsage, NegativeOrMissingCountsAreZero)
{
    const auto used = response_done_usage(
        R"({"type":"response.done","response":{"usage":{"input_tokens":-5,"output_tokens":"7"}}})");
    ASSERT_TRUE(used);
    EXPECT_EQ(used->text_input, 0);
    EXPECT_EQ(used->text_output, 0);
}

} // namespace
} // namespace donna::relay
