// Local abuse checks (relay/chat/abuse_guard) and the moderation verdict
// (relay/providers/openai/moderation).
#include "chat/abuse_guard.hpp"
#include "providers/openai/moderation.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using namespace std::chrono_literals;
const auto t0 = abuse_guard::clock::time_point{} + 1000s;

TEST(AbuseGuard, NormalisesCaseAndWhitespace)
{
    EXPECT_EQ(normalise_message("  Hi\t THERE \n"), "hi there");
    EXPECT_EQ(normalise_message(""), "");
}

TEST(AbuseGuard, RefusesTheThirdIdenticalMessageInARow)
{
    abuse_guard guard(60s);
    EXPECT_FALSE(guard.check("v", "Hello", t0));
    EXPECT_FALSE(guard.check("v", "hello ", t0 + 1s));
    const auto third = guard.check("v", "HELLO", t0 + 2s);
    ASSERT_TRUE(third);
    EXPECT_EQ(third->code, "repeated_message");
    EXPECT_EQ(third->status, 429);
}

TEST(AbuseGuard, ADifferentMessageOrALongPauseResetsTheCount)
{
    abuse_guard guard(60s);
    EXPECT_FALSE(guard.check("v", "Hello", t0));
    EXPECT_FALSE(guard.check("v", "Hello", t0));
    EXPECT_FALSE(guard.check("v", "Other", t0));
    EXPECT_FALSE(guard.check("v", "Hello", t0));
    EXPECT_FALSE(guard.check("v", "Hello", t0));
    EXPECT_FALSE(guard.check("v", "Hello", t0 + abuse_guard::repeat_window));
}

TEST(AbuseGuard, AFlaggedVisitorIsThrottledForTheCooldownOnly)
{
    abuse_guard guard(30s);
    guard.flag("v", t0);
    const auto refused = guard.check("v", "Hi", t0 + 10s);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code, "throttled");
    EXPECT_NE(refused->message.find("20 s more"), std::string::npos) << refused->message;
    EXPECT_FALSE(guard.check("other", "Hi", t0 + 10s));
    EXPECT_FALSE(guard.check("v", "Hi", t0 + 30s));
}

TEST(AbuseGuard, ForgetsTheLeastRecentVisitorsBeyondItsBound)
{
    abuse_guard guard(60s, 2);
    guard.flag("a", t0);
    EXPECT_FALSE(guard.check("b", "x", t0));
    EXPECT_FALSE(guard.check("c", "x", t0)); // "a" is forgotten to make room
    EXPECT_FALSE(guard.check("a", "x", t0));
}

TEST(Moderation, RequestNamesModelAndInput)
{
    const auto body =
        nlohmann::json::parse(moderation_request_body("omni-moderation-latest", "hi"));
    EXPECT_EQ(body["model"], "omni-moderation-latest");
    EXPECT_EQ(body["input"], "hi");
}

TEST(Moderation, VerdictListsTheFlaggedCategories)
{
    const auto v = parse_moderation(
        R"({"id":"modr-1","model":"omni-moderation-latest","results":[{"flagged":true,"categories":{"harassment":false,"violence":true,"illicit":null},"category_scores":{"violence":0.97}}]})");
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_TRUE(v->flagged);
    ASSERT_EQ(v->categories.size(), 1U);
    EXPECT_EQ(v->categories[0], "violence");
}

TEST(Moderation, AnAnswerWithoutResultsIsAnError)
{
    EXPECT_FALSE(parse_moderation(R"({"results":[]})"));
    EXPECT_FALSE(parse_moderation("oops"));
    const auto clean = parse_moderation(R"({"results":[{"flagged":false,"categories":{}}]})");
    ASSERT_TRUE(clean);
    EXPECT_FALSE(clean->flagged);
}

} // namespace
} // namespace donna::relay
