// The Telnyx fake's REST side over real TCP on loopback, driven by the tests' Beast client:
// the validation and error bodies the relay's Telnyx code must handle, idempotency as Telnyx
// documents it, and Call Control's command rules.
#include "fake_telnyx.hpp"
#include "http_test_client.hpp"

#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace donna::fakes {
namespace {

namespace http = boost::beast::http;
using json = nlohmann::json;

struct started_telnyx {
    started_telnyx()
    {
        const auto started = fake.start();
        EXPECT_TRUE(started) << (started ? "" : started.error().message);
    }

    exchange_result post(const std::string& target, const json& body,
                         const std::string& idempotency_key = "",
                         const std::string& key = fake_telnyx_default_key())
    {
        return post_text(target, body.dump(), idempotency_key, key);
    }

    exchange_result post_text(const std::string& target, const std::string& body,
                              const std::string& idempotency_key = "",
                              const std::string& key = fake_telnyx_default_key())
    {
        http::request<http::string_body> req{http::verb::post, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, "Bearer " + key);
        req.set(http::field::content_type, "application/json");
        if (!idempotency_key.empty())
            req.set("Idempotency-Key", idempotency_key);
        req.body() = body;
        req.prepare_payload();
        http_test_client client(fake.port());
        EXPECT_FALSE(client.connect());
        return client.exchange(std::move(req));
    }

    fake_telnyx fake;
};

json parsed(const exchange_result& r)
{
    return json::parse(r.response.body(), nullptr, false);
}

const json sms = {{"to", "+15550100199"}, {"from", "+15550100100"}, {"text", "Hello"}};

TEST(FakeTelnyx, SendMessageAnswersTheQueuedMessageAndCountsOneText)
{
    started_telnyx t;
    const auto r = t.post("/v2/messages", sms);
    ASSERT_EQ(r.response.result_int(), 200) << r.response.body();
    const auto data = parsed(r)["data"];
    EXPECT_EQ(data["record_type"], "message");
    EXPECT_EQ(data["direction"], "outbound");
    EXPECT_EQ(data["to"][0]["phone_number"], "+15550100199");
    EXPECT_EQ(data["to"][0]["status"], "queued");
    EXPECT_EQ(data["from"]["phone_number"], "+15550100100");
    EXPECT_EQ(data["id"].get<std::string>().size(), 36u);
    EXPECT_EQ(t.fake.texts_sent(), 1);
    EXPECT_EQ(t.fake.webhooks_made(), 2); // message.sent, message.finalized
}

TEST(FakeTelnyx, SameIdempotencyKeyAndBodyReplaysTheFirstAnswerAndSendsNothing)
{
    started_telnyx t;
    const auto first = t.post("/v2/messages", sms, "donna-outbox-1-1796644800");
    const auto again = t.post("/v2/messages", sms, "donna-outbox-1-1796644800");
    ASSERT_EQ(first.response.result_int(), 200);
    ASSERT_EQ(again.response.result_int(), 200);
    EXPECT_EQ(parsed(first)["data"]["id"], parsed(again)["data"]["id"]);
    EXPECT_EQ(t.fake.texts_sent(), 1);
    EXPECT_EQ(t.fake.answers_for_key("donna-outbox-1-1796644800"), 2);
}

TEST(FakeTelnyx, SameIdempotencyKeyWithAnotherBodyIs422)
{
    started_telnyx t;
    ASSERT_EQ(t.post("/v2/messages", sms, "k1").response.result_int(), 200);
    auto other = sms;
    other["text"] = "Something else";
    const auto r = t.post("/v2/messages", other, "k1");
    EXPECT_EQ(r.response.result_int(), 422);
    EXPECT_EQ(parsed(r)["errors"][0]["code"], "10015");
    EXPECT_EQ(t.fake.texts_sent(), 1);
}

TEST(FakeTelnyx, AnIdempotencyKeyOutsideTelnyxsAlphabetIs422)
{
    started_telnyx t;
    EXPECT_EQ(t.post("/v2/messages", sms, "has space").response.result_int(), 422);
    EXPECT_EQ(t.fake.texts_sent(), 0);
}

TEST(FakeTelnyx, AMissingOrMalformedRecipientIs422WithItsCodeAndPointer)
{
    started_telnyx t;
    auto missing = sms;
    missing.erase("to");
    const auto r1 = t.post("/v2/messages", missing);
    EXPECT_EQ(r1.response.result_int(), 422);
    EXPECT_EQ(parsed(r1)["errors"][0]["code"], "10004");
    EXPECT_EQ(parsed(r1)["errors"][0]["source"]["pointer"], "/to");
    auto local = sms;
    local["to"] = "555-0199";
    const auto r2 = t.post("/v2/messages", local);
    EXPECT_EQ(r2.response.result_int(), 422);
    EXPECT_EQ(parsed(r2)["errors"][0]["code"], "10016");
}

TEST(FakeTelnyx, NoSenderIs422AndAnMmsNeedsMediaUrls)
{
    started_telnyx t;
    auto anonymous = sms;
    anonymous.erase("from");
    EXPECT_EQ(parsed(t.post("/v2/messages", anonymous))["errors"][0]["source"]["pointer"], "/from");
    auto mms = sms;
    mms["type"] = "MMS";
    EXPECT_EQ(parsed(t.post("/v2/messages", mms))["errors"][0]["source"]["pointer"], "/media_urls");
}

TEST(FakeTelnyx, AWrongKeyIs401WithCode10009)
{
    started_telnyx t;
    const auto r = t.post("/v2/messages", sms, "", "KEYwrong");
    EXPECT_EQ(r.response.result_int(), 401);
    EXPECT_EQ(parsed(r)["errors"][0]["code"], "10009");
}

TEST(FakeTelnyx, DialNeedsTheConnectionAndAnsweredCallsTakeCommandsOnce)
{
    started_telnyx t;
    json dial = {{"connection_id", t.fake.connection_id()},
                 {"to", "+15550100199"},
                 {"from", "+15550100100"},
                 {"client_state", "Y2FsbC0x"}};
    const auto dialed = t.post("/v2/calls", dial);
    ASSERT_EQ(dialed.response.result_int(), 200) << dialed.response.body();
    const auto id = parsed(dialed)["data"]["call_control_id"].get<std::string>();
    EXPECT_TRUE(id.starts_with("v3:"));
    const auto path = "/v2/calls/" + id + "/actions/record_start";
    const json start = {{"format", "mp3"}, {"channels", "single"}, {"command_id", "rec-1"}};
    EXPECT_EQ(t.post(path, start).response.result_int(), 200);
    EXPECT_EQ(t.post(path, start).response.result_int(), 200); // the same command_id: ignored
    EXPECT_EQ(t.fake.calls()[0].commands.size(), 1u);

    auto wrong = dial;
    wrong["connection_id"] = "other";
    EXPECT_EQ(t.post("/v2/calls", wrong).response.result_int(), 422);
}

TEST(FakeTelnyx, ACommandOnAnEndedCallIs422With90018AndAnUnknownCallIs404)
{
    started_telnyx t;
    const auto dialed = t.post("/v2/calls", {{"connection_id", t.fake.connection_id()},
                                             {"to", "+15550100199"},
                                             {"from", "+15550100100"}});
    const auto id = parsed(dialed)["data"]["call_control_id"].get<std::string>();
    EXPECT_EQ(t.post("/v2/calls/" + id + "/actions/hangup", json::object()).response.result_int(),
              200);
    const auto again = t.post("/v2/calls/" + id + "/actions/hangup", json::object());
    EXPECT_EQ(again.response.result_int(), 422);
    EXPECT_EQ(parsed(again)["errors"][0]["code"], "90018");
    EXPECT_EQ(t.post("/v2/calls/v3:nope/actions/hangup", json::object()).response.result_int(),
              404);
}

} // namespace
} // namespace donna::fakes
