// Realtime server events as the demo and the tests' fake build them (shared/protocol/
// realtime_server_events): each checked against the API reference's shapes, in both dialects,
// and read back by the relay's own parser.
#include "protocol/realtime_server_events.hpp"

#include <gtest/gtest.h>

#include <string>

namespace donna {
namespace {

using json = nlohmann::json;

std::function<std::string()> counting_ids()
{
    auto n = std::make_shared<int>(0);
    return [n] {
        return "event_" + std::to_string(++*n);
    };
}

TEST(AssistantMessage, AnAudioReplyInGaHasTheRenamedEventsAndOutputAudioContent)
{
    const assistant_message reply(dialect::ga, "resp_1", "item_1", false, counting_ids());
    EXPECT_EQ(reply.transcript_delta("Hi")["type"], "response.output_audio_transcript.delta");
    EXPECT_EQ(reply.audio_delta("AAAA")["type"], "response.output_audio.delta");
    EXPECT_EQ(reply.audio_done()["type"], "response.output_audio.done");
    const auto done = reply.transcript_done("Hi there");
    EXPECT_EQ(done["type"], "response.output_audio_transcript.done");
    EXPECT_EQ(done["transcript"], "Hi there");
    EXPECT_EQ(done["response_id"], "resp_1");
    EXPECT_EQ(done["item_id"], "item_1");
    EXPECT_EQ(done["output_index"], 0);
    EXPECT_EQ(done["content_index"], 0);
    const auto item = reply.output_item_done("Hi there")["item"];
    EXPECT_EQ(item["status"], "completed");
    EXPECT_EQ(item["role"], "assistant");
    EXPECT_EQ(item["content"], json::parse(R"([{"type":"output_audio","transcript":"Hi there"}])"));
    EXPECT_EQ(reply.content_part_added()["part"],
              json::parse(R"({"type":"audio","transcript":""})"));
}

TEST(AssistantMessage, ATextReplyInBetaHasTheOldNamesAndNoItemDone)
{
    const assistant_message reply(dialect::beta, "resp_2", "item_2", true, counting_ids());
    EXPECT_EQ(reply.transcript_delta("Hi")["type"], "response.text.delta");
    EXPECT_EQ(reply.transcript_done("Hi")["type"], "response.text.done");
    EXPECT_EQ(reply.transcript_done("Hi")["text"], "Hi");
    EXPECT_EQ(reply.conversation_item_added(std::nullopt)["type"], "conversation.item.created");
    EXPECT_TRUE(reply.conversation_item_added(std::nullopt)["previous_item_id"].is_null());
    EXPECT_FALSE(reply.conversation_item_done("item_0", "Hi"));
    EXPECT_EQ(reply.item_completed("Hi")["content"],
              json::parse(R"([{"type":"text","text":"Hi"}])"));
}

TEST(AssistantMessage, EveryEventGetsTheNextIdAndParsesAsTheRelayReadsIt)
{
    const assistant_message reply(dialect::ga, "resp_3", "item_3", false, counting_ids());
    const auto first = reply.output_item_added();
    const auto second = reply.audio_delta("AAAA");
    EXPECT_EQ(first["event_id"], "event_1");
    EXPECT_EQ(second["event_id"], "event_2");
    const auto parsed = parse_realtime_event(second.dump());
    ASSERT_TRUE(parsed) << parsed.error().message;
    const auto* delta = std::get_if<audio_delta>(&parsed->event);
    ASSERT_NE(delta, nullptr);
    EXPECT_EQ(delta->item_id, "item_3");
    EXPECT_EQ(delta->delta, "AAAA");
}

TEST(ConversationEvents, ANewItemIsAddedThenDoneInGaAndCreatedInBeta)
{
    const auto item = user_audio_item("item_9");
    EXPECT_EQ(item["content"], json::parse(R"([{"type":"input_audio","transcript":null}])"));
    const auto ga = item_announcements(item, std::string("item_8"), dialect::ga, counting_ids());
    ASSERT_EQ(ga.size(), 2U);
    EXPECT_EQ(ga[0]["type"], "conversation.item.added");
    EXPECT_EQ(ga[1]["type"], "conversation.item.done");
    EXPECT_EQ(ga[1]["previous_item_id"], "item_8");
    EXPECT_EQ(ga[1]["item"], item);
    const auto beta = item_announcements(item, std::nullopt, dialect::beta, counting_ids());
    ASSERT_EQ(beta.size(), 1U);
    EXPECT_EQ(beta[0]["type"], "conversation.item.created");
}

TEST(ConversationEvents, CommitAndTruncateCarryTheirItemAndPositions)
{
    const auto committed = audio_committed("event_1", "item_2", std::nullopt);
    EXPECT_EQ(committed["type"], "input_audio_buffer.committed");
    EXPECT_TRUE(committed["previous_item_id"].is_null());
    EXPECT_EQ(committed["item_id"], "item_2");
    const auto truncated = item_truncated("event_2", "item_3", 0, 1500);
    EXPECT_EQ(truncated["type"], "conversation.item.truncated");
    EXPECT_EQ(truncated["audio_end_ms"], 1500);
    EXPECT_EQ(truncated["content_index"], 0);
}

} // namespace
} // namespace donna
