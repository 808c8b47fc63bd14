// The composition root (relay/app/relay_app) stopping a real relay on loopback while HTTP
// answers are still in progress: a graceful shutdown lets an answer finish within the grace,
// and stops an upstream call that would outlast it, so its caller hears why at once.
#include "app/relay_app.hpp"

#include "fake_openai_http.hpp"
#include "relay_harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <thread>

namespace donna::relay::test {
namespace {

using namespace std::chrono_literals;
using fakes::fake_openai_http;
using fakes::openai_http_fault;

config slow_chat_config(const fake_openai_http& fake)
{
    auto c = test_config();
    c.openai_api_key = fakes::fake_openai_default_key();
    c.openai_base_url = fake.base_url();
    c.upstream_connect_attempts = 1;
    c.moderation = false;
    c.chat_timeout_ms = 120'000; // the call's own timeout is far beyond any wait here
    return c;
}

TEST(RelayAppShutdown, AStreamedReplyInProgressFinishesWithinTheGrace)
{
    fakes::fake_openai_http_options options;
    options.reply_text = "One two three four five six seven eight.";
    options.chunk_interval = 50ms; // a word every 50 ms, as a model's tokens come
    fake_openai_http fake(options);
    ASSERT_TRUE(fake.start());
    relay_harness relay(slow_chat_config(fake));
    const auto token = relay.session_token("demo");
    auto reply = std::async(std::launch::async, [&] {
        return relay.request("POST", "/v1/chat", R"({"message":"Count","stream":true})",
                             bearer(token));
    });
    ASSERT_TRUE(fake.wait_until([](const auto& requests) { return requests.size() == 1; }));
    const bool drained = relay.app().shutdown(10s);
    const auto r = reply.get();
    EXPECT_TRUE(drained);
    ASSERT_EQ(r.status, 200);
    const auto events = sse_events(r.body);
    ASSERT_FALSE(events.empty()) << r.body;
    EXPECT_EQ(events.back()["type"], "donna.chat.message");
    EXPECT_EQ(events.back()["text"], "One two three four five six seven eight.");
    EXPECT_EQ(events.back()["fallback"], false);
}

TEST(RelayAppShutdown, AnUpstreamCallOutlastingTheGraceIsStoppedAndTheCallerToldWhy)
{
    fake_openai_http fake;
    ASSERT_TRUE(fake.start());
    fake.set_fault(openai_http_fault::stall_stream, 1); // no answer, ever
    relay_harness relay(slow_chat_config(fake));
    const auto token = relay.session_token("demo");
    auto reply = std::async(std::launch::async, [&] {
        return relay.request("POST", "/v1/chat", R"({"message":"Hello?"})", bearer(token));
    });
    ASSERT_TRUE(fake.wait_until([](const auto& requests) { return requests.size() == 1; }));
    const bool drained = relay.app().shutdown(200ms);
    const auto r = reply.get();
    EXPECT_FALSE(drained); // the answer was still waiting when the grace ran out
    ASSERT_EQ(r.status, 200) << r.body;
    const auto answer = r.json();
    EXPECT_EQ(answer["fallback"], true);
    EXPECT_EQ(answer["error"]["code"], "upstream_unavailable");
    EXPECT_NE(answer["error"]["message"].get<std::string>().find("shutting down"),
              std::string::npos)
        << r.body;
}

} // namespace
} // namespace donna::relay::test
