// Text chat through the real relay over loopback: POST /v1/chat (whole and streamed) and the
// WebSocket's donna.chat.message, against the fake OpenAI REST API (tests/fakes).
#include "app/services.hpp"
#include "chat/chat_tools.hpp"
#include "fake_openai_http.hpp"
#include "fake_realtime_server.hpp"
#include "persona/persona_catalog.hpp"
#include "relay_harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace donna::relay::test {
namespace {

using namespace std::chrono_literals;
using fakes::fake_openai_http;
using fakes::openai_http_fault;
using json = nlohmann::json;

fakes::fake_openai_http_options replying(std::string text)
{
    fakes::fake_openai_http_options o;
    o.reply_text = std::move(text);
    return o;
}

// The built-in persona (these tests set no personas file), copied out of its catalog.
persona_profile default_persona(donna::persona p)
{
    return persona_catalog::defaults().get(p);
}

config chat_config(const fake_openai_http& fake)
{
    auto c = test_config();
    c.openai_api_key = fakes::fake_openai_default_key();
    c.openai_base_url = fake.base_url();
    c.upstream_connect_attempts = 2;
    c.moderation = false; // the Moderation tests below turn it on
    return c;
}

class Chat : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(fake.start()); }
    fake_openai_http fake{replying("We open at nine on weekdays.")};
};

TEST_F(Chat, PostAnswersWithTheReplyAndSendsThePersonasSettingsUpstream)
{
    relay_harness relay(chat_config(fake));
    const auto token = relay.session_token("demo");
    const auto r =
        relay.request("POST", "/v1/chat",
                      R"({"message":"When do you open?","persona":"receptionist"})", bearer(token));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto answer = r.json();
    EXPECT_EQ(answer["type"], "donna.chat.message");
    EXPECT_EQ(answer["role"], "assistant");
    EXPECT_EQ(answer["text"], "We open at nine on weekdays.");
    EXPECT_EQ(answer["persona"], "receptionist");
    EXPECT_EQ(answer["fallback"], false);
    EXPECT_GT(answer["usage"]["completion_tokens"].get<int>(), 0);

    const auto requests = fake.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].target, "/v1/chat/completions");
    EXPECT_EQ(requests[0].headers.at("authorization"),
              "Bearer " + fakes::fake_openai_default_key());
    const auto sent = json::parse(requests[0].body);
    const auto persona = default_persona(persona::receptionist);
    EXPECT_EQ(sent["model"], persona.chat_model);
    EXPECT_DOUBLE_EQ(sent["temperature"].get<double>(), 0.6);
    EXPECT_EQ(sent["max_completion_tokens"], persona.max_tokens);
    EXPECT_EQ(sent["reasoning_effort"], "none");
    // The persona's instructions, then what its tools can do (they are offered).
    EXPECT_EQ(sent["messages"][0]["content"],
              persona.instructions + std::string(actions_instructions()));
    EXPECT_EQ(sent["messages"][1]["content"], "When do you open?");
    // The visitor's token never goes upstream, and the key never comes back.
    EXPECT_EQ(requests[0].body.find(token), std::string::npos);
    EXPECT_EQ(r.body.find(fakes::fake_openai_default_key()), std::string::npos);
}

TEST_F(Chat, PostStreamsDeltasThenTheWholeMessage)
{
    relay_harness relay(chat_config(fake));
    const auto r = relay.request("POST", "/v1/chat", R"({"message":"Hours?","stream":true})",
                                 bearer(relay.session_token("demo")));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.at("content-type"), "text/event-stream; charset=utf-8");
    EXPECT_EQ(r.headers.at("transfer-encoding"), "chunked");
    const auto events = sse_events(r.body);
    ASSERT_GE(events.size(), 3U);
    std::string joined;
    for (std::size_t i = 0; i + 1 < events.size(); ++i) {
        EXPECT_EQ(events[i]["type"], "donna.chat.delta") << i;
        EXPECT_EQ(events[i]["id"], events.back()["id"]);
        joined += events[i]["delta"].get<std::string>();
    }
    EXPECT_GT(events.size(), 3U); // one delta per word of the reply: really streamed
    EXPECT_EQ(joined, "We open at nine on weekdays.");
    EXPECT_EQ(events.back()["type"], "donna.chat.message");
    EXPECT_EQ(events.back()["text"], "We open at nine on weekdays.");
    // Keep-alive: the same connection serves the next request after a streamed answer.
    EXPECT_EQ(relay.request("GET", "/healthz").status, 200);
}

TEST_F(Chat, EarlierTurnsOfTheConversationGoIntoTheNextRequest)
{
    relay_harness relay(chat_config(fake));
    const auto token = relay.session_token("demo");
    ASSERT_EQ(
        relay.request("POST", "/v1/chat", R"({"message":"My name is Ana."})", bearer(token)).status,
        200);
    fake.set_reply_text("Nice to meet you, Ana.");
    ASSERT_EQ(relay.request("POST", "/v1/chat", R"({"message":"What is my name?"})", bearer(token))
                  .status,
              200);
    const auto second = json::parse(fake.requests().at(1).body)["messages"];
    ASSERT_EQ(second.size(), 4U); // system, user, assistant, user
    EXPECT_EQ(second[1]["content"], "My name is Ana.");
    EXPECT_EQ(second[2]["role"], "assistant");
    EXPECT_EQ(second[2]["content"], "We open at nine on weekdays.");
    EXPECT_EQ(second[3]["content"], "What is my name?");
    // Another visitor's conversation is their own.
    ASSERT_EQ(
        relay
            .request("POST", "/v1/chat", R"({"message":"Hi"})", bearer(relay.session_token("demo")))
            .status,
        200);
    EXPECT_EQ(json::parse(fake.requests().at(2).body)["messages"].size(), 2U);
}

TEST_F(Chat, ABrokenUpstreamGivesThePersonasFallbackWithAnError)
{
    fake.set_fault(openai_http_fault::status_500, 100);
    relay_harness relay(chat_config(fake));
    const auto token = relay.session_token("demo");
    const auto whole = relay.request("POST", "/v1/chat", R"({"message":"Hello?"})", bearer(token));
    ASSERT_EQ(whole.status, 200) << whole.body;
    const auto persona = default_persona(persona::general);
    EXPECT_EQ(whole.json()["text"], persona.fallback_reply);
    EXPECT_EQ(whole.json()["fallback"], true);
    EXPECT_EQ(whole.json()["error"]["code"], "upstream_error");
    EXPECT_EQ(fake.requests().size(), 2U); // retried within DONNA_UPSTREAM_CONNECT_ATTEMPTS

    const auto streamed =
        relay.request("POST", "/v1/chat", R"({"message":"Hello?","stream":true})", bearer(token));
    const auto events = sse_events(streamed.body);
    ASSERT_EQ(events.size(), 2U) << streamed.body;
    EXPECT_EQ(events[0]["type"], "donna.error");
    EXPECT_EQ(events[0]["code"], "upstream_error");
    EXPECT_NE(events[0]["message"].get<std::string>().find("HTTP 500"), std::string::npos);
    EXPECT_EQ(events[1]["type"], "donna.chat.message");
    EXPECT_EQ(events[1]["text"], persona.fallback_reply);
    EXPECT_EQ(relay.metric(R"(donna_chat_turns_total{outcome="fallback"})"), 2);
}

TEST_F(Chat, AStalledUpstreamEndsInTheFallbackNotAHang)
{
    fake.set_fault(openai_http_fault::stall_stream, 1);
    auto cfg = chat_config(fake);
    cfg.chat_timeout_ms = 1500;
    relay_harness relay(cfg);
    const auto r = relay.request("POST", "/v1/chat", R"({"message":"Hello?","stream":true})",
                                 bearer(relay.session_token("demo")));
    const auto events = sse_events(r.body);
    ASSERT_GE(events.size(), 2U) << r.body;
    EXPECT_EQ(events[events.size() - 2]["type"], "donna.error");
    EXPECT_EQ(events[events.size() - 2]["code"], "upstream_timeout");
    EXPECT_EQ(events.back()["type"], "donna.chat.message");
    EXPECT_EQ(events.back()["text"], default_persona(persona::general).fallback_reply);
}

TEST_F(Chat, TheVisitorsRateLimitRefusesWith429)
{
    auto cfg = chat_config(fake);
    cfg.chat_messages_per_minute = 2;
    relay_harness relay(cfg);
    const auto token = relay.session_token("demo");
    for (int i = 0; i < 2; ++i)
        ASSERT_EQ(relay.request("POST", "/v1/chat", R"({"message":"Hi"})", bearer(token)).status,
                  200);
    const auto refused = relay.request("POST", "/v1/chat", R"({"message":"Hi"})", bearer(token));
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.json()["error"]["code"], "rate_limited");
    EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find("2 requests per 60 s"),
              std::string::npos);
    EXPECT_EQ(fake.requests().size(), 2U);
    // Another visitor is not held back by this one.
    EXPECT_EQ(
        relay
            .request("POST", "/v1/chat", R"({"message":"Hi"})", bearer(relay.session_token("demo")))
            .status,
        200);
    EXPECT_EQ(relay.metric(R"(donna_errors_total{code="rate_limited"})"), 1);
}

TEST_F(Chat, BadRequestsGetClearErrorsAndNeverReachTheUpstream)
{
    auto cfg = chat_config(fake);
    cfg.chat_max_characters = 50;
    relay_harness relay(cfg);
    const auto token = relay.session_token("demo");
    const struct {
        std::string body;
        std::map<std::string, std::string> headers;
        int status;
        std::string code;
    } cases[] = {
        {R"({"message":"Hi"})", {}, 401, "missing_session_token"},
        {R"({"message":"Hi"})", bearer("dt1.forged.token"), 401, "invalid_session_token"},
        {"not json", bearer(token), 400, "invalid_json"},
        {R"({"text":"Hi"})", bearer(token), 400, "missing_field"},
        {R"({"message":7})", bearer(token), 400, "wrong_type"},
        {R"({"message":"Hi","persona":"pirate"})", bearer(token), 400, "unknown_persona"},
        {R"({"message":"Hi","stream":"yes"})", bearer(token), 400, "wrong_type"},
        {R"({"message":"   "})", bearer(token), 400, "empty_message"},
        {R"({"message":")" + std::string(51, 'a') + "\"}", bearer(token), 413, "message_too_long"},
    };
    for (const auto& c : cases) {
        const auto r = relay.request("POST", "/v1/chat", c.body, c.headers);
        EXPECT_EQ(r.status, c.status) << c.body;
        EXPECT_EQ(r.json()["error"]["code"], c.code) << c.body;
        EXPECT_FALSE(r.json()["error"]["message"].get<std::string>().empty()) << c.body;
    }
    EXPECT_EQ(relay.request("GET", "/v1/chat").status, 405);
    EXPECT_TRUE(fake.requests().empty());
}

TEST_F(Chat, WithoutAKeyChatSaysItIsNotConfigured)
{
    auto cfg = test_config();
    relay_harness relay(cfg);
    const auto r = relay.request("POST", "/v1/chat", R"({"message":"Hi"})",
                                 bearer(relay.session_token("demo")));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.json()["error"]["code"], "upstream_not_configured");
}

TEST_F(Chat, UsageAndCostAppearOnMetrics)
{
    relay_harness relay(chat_config(fake));
    ASSERT_EQ(
        relay
            .request("POST", "/v1/chat", R"({"message":"Hi"})", bearer(relay.session_token("demo")))
            .status,
        200);
    EXPECT_GT(
        relay.metric(
            R"(donna_upstream_usage_total{model="gpt-6-luna",unit="input_tokens",upstream="openai"})"),
        0);
    EXPECT_GT(
        relay.metric(R"(donna_upstream_cost_dollars_total{model="gpt-6-luna",upstream="openai"})"),
        0);
    EXPECT_EQ(relay.metric(R"(donna_upstream_requests_total{outcome="ok",upstream="openai"})"), 1);
    EXPECT_EQ(relay.metric(R"(donna_chat_turns_total{outcome="ok"})"), 1);
}

config moderated_config(const fake_openai_http& fake)
{
    auto c = chat_config(fake);
    c.moderation = true;
    return c;
}

TEST_F(Chat, ModerationChecksTheMessageBeforeTheChatSeesIt)
{
    relay_harness relay(moderated_config(fake));
    const auto r = relay.request("POST", "/v1/chat", R"({"message":"When do you open?"})",
                                 bearer(relay.session_token("demo")));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["text"], "We open at nine on weekdays.");
    const auto requests = fake.requests();
    ASSERT_EQ(requests.size(), 2U);
    EXPECT_EQ(requests[0].target, "/v1/moderations");
    const auto sent = json::parse(requests[0].body);
    EXPECT_EQ(sent["input"], "When do you open?");
    EXPECT_EQ(sent["model"], "omni-moderation-latest");
    EXPECT_EQ(requests[1].target, "/v1/chat/completions");
}

TEST_F(Chat, AFlaggedMessageGetsAPoliteRefusalIsAuditedAndThrottlesTheVisitor)
{
    std::ostringstream log;
    relay_harness relay(moderated_config(fake), &log);
    const auto token = relay.session_token("demo");
    const auto r =
        relay.request("POST", "/v1/chat", R"({"message":"I will attack you"})", bearer(token));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto answer = r.json();
    EXPECT_EQ(answer["fallback"], true);
    EXPECT_EQ(answer["error"]["code"], "content_flagged");
    EXPECT_NE(answer["error"]["message"].get<std::string>().find("violence"), std::string::npos);
    EXPECT_NE(answer["text"].get<std::string>().find("I can't help with that"), std::string::npos);
    // Only moderation saw it: the chat model never did.
    ASSERT_EQ(fake.requests().size(), 1U);
    EXPECT_EQ(fake.requests()[0].target, "/v1/moderations");
    // The audit line names the site and the categories, not the words.
    EXPECT_NE(log.str().find("audit"), std::string::npos);
    EXPECT_NE(log.str().find("categories violence"), std::string::npos);
    const auto audited = relay.svc().db().query("SELECT category, site, detail FROM audit_log");
    ASSERT_TRUE(audited);
    ASSERT_EQ(audited->size(), 1U);
    EXPECT_EQ(text_of((*audited)[0][0]), "moderation");
    EXPECT_EQ(text_of((*audited)[0][1]), "demo");
    EXPECT_EQ(text_of((*audited)[0][2]).find("attack"), std::string::npos);
    EXPECT_EQ(log.str().find("attack you"), std::string::npos);
    // Throttled: even a harmless message is refused for the cooldown.
    const auto next = relay.request("POST", "/v1/chat", R"({"message":"Hello"})", bearer(token));
    EXPECT_EQ(next.status, 429);
    EXPECT_EQ(next.json()["error"]["code"], "throttled");
    EXPECT_EQ(fake.requests().size(), 1U);
    EXPECT_EQ(relay.metric(R"(donna_moderation_total{verdict="flagged"})"), 1);
}

TEST_F(Chat, TheSameMessageOverAndOverIsRefused)
{
    relay_harness relay(chat_config(fake));
    const auto token = relay.session_token("demo");
    ASSERT_EQ(relay.request("POST", "/v1/chat", R"({"message":"Hello"})", bearer(token)).status,
              200);
    ASSERT_EQ(relay.request("POST", "/v1/chat", R"({"message":"  hello "})", bearer(token)).status,
              200);
    const auto third = relay.request("POST", "/v1/chat", R"({"message":"HELLO"})", bearer(token));
    EXPECT_EQ(third.status, 429);
    EXPECT_EQ(third.json()["error"]["code"], "repeated_message");
    EXPECT_EQ(
        relay.request("POST", "/v1/chat", R"({"message":"Something else"})", bearer(token)).status,
        200);
    EXPECT_EQ(fake.requests().size(), 3U);
}

TEST_F(Chat, AnUnreachableModerationDoesNotSilenceTheChat)
{
    fake.set_fault(openai_http_fault::status_500, 2); // both moderation attempts fail
    relay_harness relay(moderated_config(fake));
    const auto r = relay.request("POST", "/v1/chat", R"({"message":"Hi"})",
                                 bearer(relay.session_token("demo")));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["fallback"], false);
    EXPECT_EQ(relay.metric(R"(donna_moderation_total{verdict="unavailable"})"), 1);
}

// The WebSocket path: the realtime fake serves the session and answers the chat request with
// OpenAI's 404 (it is no chat API), so the visitor gets the fallback and the error, in order.
TEST(ChatOverWebSocket, ATypedMessageGetsTheFallbackAndAnErrorWhenTheUpstreamRefuses)
{
    fakes::fake_realtime_server realtime;
    ASSERT_TRUE(realtime.start());
    relay_harness relay(test_config_with_upstream(realtime.base_url()));
    auto ws = relay.open_realtime({.token = relay.session_token("demo")});
    ASSERT_TRUE(ws.read_until_type("session.created"));
    ws.send(R"({"type":"donna.chat.message","id":"m1","role":"user","text":"Hello?"})");
    std::vector<ws_message> seen;
    const auto reply = ws.read_until_type("donna.chat.message", &seen);
    ASSERT_TRUE(reply);
    const auto message = reply->json();
    EXPECT_EQ(message["id"], "m1-reply");
    EXPECT_EQ(message["role"], "assistant");
    EXPECT_EQ(message["text"], default_persona(persona::general).fallback_reply);
    // The same reply event as POST /v1/chat's (chat/chat_reply_event), extras and all.
    EXPECT_EQ(message["persona"], "general");
    EXPECT_EQ(message["fallback"], true);
    bool error_first = false;
    for (const auto& m : seen)
        if (m.type() == "error" && m.json()["error"]["code"] == "upstream_rejected")
            error_first = true;
    EXPECT_TRUE(error_first);
    // The session goes on: voice is unaffected by the chat's failure.
    ws.send(R"({"type":"response.create"})");
    EXPECT_TRUE(ws.read_until_type("response.done"));
}

TEST(ChatOverWebSocket, AMalformedChatMessageIsRefusedAndTheSessionGoesOn)
{
    fakes::fake_realtime_server realtime;
    ASSERT_TRUE(realtime.start());
    relay_harness relay(test_config_with_upstream(realtime.base_url()));
    auto ws = relay.open_realtime({.token = relay.session_token("demo")});
    ASSERT_TRUE(ws.read_until_type("session.created"));
    ws.send(R"({"type":"donna.chat.message","id":"m1","role":"assistant","text":"I am DONNA"})");
    const auto refused = ws.read_until_type("error");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->json()["error"]["code"], "invalid_request");
    ws.send(R"({"type":"donna.chat.message","id":"m2"})");
    const auto missing = ws.read_until_type("error");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->json()["error"]["code"], "missing_field");
    ws.send(R"({"type":"response.create"})");
    EXPECT_TRUE(ws.read_until_type("response.done"));
}

} // namespace
} // namespace donna::relay::test
