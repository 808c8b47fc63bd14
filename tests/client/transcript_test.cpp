// The chat as the visitor reads it, built from real Realtime event texts (GA and beta).
#include "client/transcript.hpp"

#include <gtest/gtest.h>

namespace donna::client {
namespace {

void apply(transcript& chat, std::string_view text)
{
    auto parsed = parse_realtime_event(text);
    ASSERT_TRUE(parsed) << parsed.error().message << " in " << text;
    chat.apply(*parsed);
}

TEST(Transcript, AssistantLineGrowsWithTranscriptDeltasAndEndsWithTheDoneText)
{
    transcript chat;
    apply(
        chat,
        R"({"type":"response.output_item.added","response_id":"r1","output_index":0,"item":{"id":"i1","type":"message","role":"assistant","content":[]}})");
    apply(
        chat,
        R"({"type":"response.output_audio_transcript.delta","response_id":"r1","item_id":"i1","output_index":0,"content_index":0,"delta":"Hel"})");
    ASSERT_EQ(chat.lines().size(), 1u);
    EXPECT_EQ(chat.lines()[0].who, speaker::donna);
    EXPECT_EQ(chat.lines()[0].text, "Hel");
    EXPECT_TRUE(chat.lines()[0].streaming);
    apply(
        chat,
        R"({"type":"response.output_audio_transcript.delta","response_id":"r1","item_id":"i1","output_index":0,"content_index":0,"delta":"lo"})");
    EXPECT_EQ(chat.lines()[0].text, "Hello");
    apply(
        chat,
        R"({"type":"response.output_audio_transcript.done","response_id":"r1","item_id":"i1","output_index":0,"content_index":0,"transcript":"Hello there."})");
    EXPECT_EQ(chat.lines()[0].text, "Hello there.");
    EXPECT_FALSE(chat.lines()[0].streaming);
}

TEST(Transcript, BetaTextDeltasLandOnTheSameKindOfLine)
{
    transcript chat;
    apply(
        chat,
        R"({"type":"response.text.delta","response_id":"r1","item_id":"i9","output_index":0,"content_index":0,"delta":"Hi"})");
    apply(
        chat,
        R"({"type":"response.text.done","response_id":"r1","item_id":"i9","output_index":0,"content_index":0,"text":"Hi!"})");
    ASSERT_EQ(chat.lines().size(), 1u);
    EXPECT_EQ(chat.lines()[0].who, speaker::donna);
    EXPECT_EQ(chat.lines()[0].text, "Hi!");
}

TEST(Transcript, SpokenTurnKeepsItsPlaceAboveTheAnswerWhenTheTranscriptArrivesLate)
{
    transcript chat;
    apply(chat,
          R"({"type":"input_audio_buffer.committed","item_id":"u1","previous_item_id":null})");
    apply(
        chat,
        R"({"type":"response.output_audio_transcript.delta","response_id":"r1","item_id":"a1","output_index":0,"content_index":0,"delta":"Sure"})");
    apply(
        chat,
        R"({"type":"conversation.item.input_audio_transcription.delta","item_id":"u1","content_index":0,"delta":"Open "})");
    apply(
        chat,
        R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,"transcript":"Open today?"})");
    ASSERT_EQ(chat.lines().size(), 2u);
    EXPECT_EQ(chat.lines()[0].who, speaker::visitor);
    EXPECT_EQ(chat.lines()[0].text, "Open today?");
    EXPECT_EQ(chat.lines()[1].who, speaker::donna);
    EXPECT_EQ(chat.lines()[1].text, "Sure");
}

TEST(Transcript, CommittedTurnShowsAPlaceholderUntilTranscribed)
{
    transcript chat;
    apply(chat, R"({"type":"input_audio_buffer.committed","item_id":"u1"})");
    EXPECT_EQ(chat.lines()[0].text, transcript::pending_speech);
    apply(
        chat,
        R"({"type":"conversation.item.input_audio_transcription.delta","item_id":"u1","content_index":0,"delta":"Hi"})");
    EXPECT_EQ(chat.lines()[0].text, "Hi");
}

TEST(Transcript, TruncatedItemIsMarkedInterrupted)
{
    transcript chat;
    apply(
        chat,
        R"({"type":"response.output_audio_transcript.delta","response_id":"r1","item_id":"a1","output_index":0,"content_index":0,"delta":"A long answer"})");
    apply(
        chat,
        R"({"type":"conversation.item.truncated","item_id":"a1","content_index":0,"audio_end_ms":1500})");
    EXPECT_TRUE(chat.lines()[0].interrupted);
    EXPECT_FALSE(chat.lines()[0].streaming);
}

TEST(Transcript, ErrorEventBecomesABannerWithItsCodeAndHumanMessage)
{
    transcript chat;
    apply(
        chat,
        R"({"type":"error","event_id":"e1","error":{"type":"invalid_request_error","code":"donna_field_not_allowed","message":"instructions are set by the site","param":"session.instructions"}})");
    ASSERT_EQ(chat.errors().size(), 1u);
    EXPECT_EQ(chat.errors()[0].code, "donna_field_not_allowed");
    EXPECT_EQ(chat.errors()[0].message, "instructions are set by the site");
    // The same error again (a retry loop) stays one banner.
    apply(
        chat,
        R"({"type":"error","event_id":"e2","error":{"type":"invalid_request_error","code":"donna_field_not_allowed","message":"instructions are set by the site"}})");
    EXPECT_EQ(chat.errors().size(), 1u);
}

TEST(Transcript, BannersAreCappedOldestFirstAndDismissable)
{
    transcript chat;
    for (int i = 0; i < 5; ++i)
        chat.add_error("c" + std::to_string(i), "message " + std::to_string(i));
    ASSERT_EQ(chat.errors().size(), transcript::max_banners);
    EXPECT_EQ(chat.errors().front().code, "c2");
    chat.dismiss_error(0);
    EXPECT_EQ(chat.errors().front().code, "c3");
    chat.dismiss_error(99); // out of range: ignored
    EXPECT_EQ(chat.errors().size(), transcript::max_banners - 1);
}

TEST(Transcript, LinesAreBoundedOldestFirst)
{
    transcript chat;
    for (std::size_t i = 0; i < transcript::max_lines + 10; ++i)
        chat.add_visitor_text("line " + std::to_string(i));
    EXPECT_EQ(chat.lines().size(), transcript::max_lines);
    EXPECT_EQ(chat.lines().front().text, "line 10");
}

TEST(Transcript, DonnaChatEventsStreamIntoOneLine)
{
    transcript chat;
    auto delta = parse_donna_event(R"({"type":"donna.chat.delta","id":"m1","delta":"Par"})");
    ASSERT_TRUE(delta);
    chat.apply(*delta);
    auto message = parse_donna_event(
        R"({"type":"donna.chat.message","id":"m1","role":"assistant","text":"Paris."})");
    ASSERT_TRUE(message);
    chat.apply(*message);
    ASSERT_EQ(chat.lines().size(), 1u);
    EXPECT_EQ(chat.lines()[0].text, "Paris.");
    EXPECT_FALSE(chat.lines()[0].streaming);
}

} // namespace
} // namespace donna::client
