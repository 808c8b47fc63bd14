// The reply event every chat path sends (relay/chat/chat_reply_event): shared/'s chat message
// with the turn's persona, fallback flag, usage and actions, still readable by the client.
#include "chat/chat_reply_event.hpp"

#include "protocol/donna_events.hpp"

#include <gtest/gtest.h>

#include <variant>

namespace donna::relay {
namespace {

chat_turn_outcome answered_with_actions()
{
    chat_turn_outcome o;
    o.reply = "I have passed that on.";
    o.completion.prompt_tokens = 52;
    o.completion.completion_tokens = 9;
    o.actions = {{.name = "take_message", .status = "recorded", .id = 3, .error = ""},
                 {.name = "send_sms",
                  .status = "invalid",
                  .id = 0,
                  .error = "\"to\" must be a phone number in E.164 form"}};
    return o;
}

TEST(ChatReplyEvent, CarriesTheReplyPersonaUsageAndEachActionsOutcome)
{
    const auto m = chat_reply_event("m1-reply", persona::receptionist, answered_with_actions());
    EXPECT_EQ(m["type"], "donna.chat.message");
    EXPECT_EQ(m["id"], "m1-reply");
    EXPECT_EQ(m["role"], "assistant");
    EXPECT_EQ(m["text"], "I have passed that on.");
    EXPECT_EQ(m["persona"], "receptionist");
    EXPECT_EQ(m["fallback"], false);
    EXPECT_EQ(m["usage"]["prompt_tokens"], 52);
    EXPECT_EQ(m["usage"]["completion_tokens"], 9);
    ASSERT_EQ(m["actions"].size(), 2U);
    EXPECT_EQ(m["actions"][0]["id"], 3);
    EXPECT_FALSE(m["actions"][0].contains("error"));
    EXPECT_TRUE(m["actions"][1]["id"].is_null()); // nothing was stored
    EXPECT_EQ(m["actions"][1]["status"], "invalid");
}

TEST(ChatReplyEvent, AFallbackWithoutUsageOrActionsLeavesThoseFieldsOut)
{
    chat_turn_outcome o;
    o.reply = "Sorry, I am having trouble right now.";
    o.fallback = true;
    const auto m = chat_reply_event("m2-reply", persona::general, o);
    EXPECT_EQ(m["fallback"], true);
    EXPECT_FALSE(m.contains("usage"));
    EXPECT_FALSE(m.contains("actions"));
}

TEST(ChatReplyEvent, TheBrowserClientsParserReadsItAsAPlainChatMessage)
{
    const auto parsed = parse_donna_event(
        chat_reply_event("m1-reply", persona::sales, answered_with_actions()).dump());
    ASSERT_TRUE(parsed) << parsed.error().message;
    const auto* message = std::get_if<donna_chat_message>(&*parsed);
    ASSERT_NE(message, nullptr);
    EXPECT_EQ(message->id, "m1-reply");
    EXPECT_EQ(message->role, chat_role::assistant);
    EXPECT_EQ(message->text, "I have passed that on.");
}

} // namespace
} // namespace donna::relay
