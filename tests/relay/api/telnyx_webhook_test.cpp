// POST /v1/webhooks/telnyx through the real relay over loopback: signed events stored once
// (on a real SQLite file) and answered; forged, tampered, stale, replayed and malformed ones
// refused as specified and counted.
#include "app/relay_app.hpp"
#include "app/services.hpp"
#include "relay_harness.hpp"
#include "store/webhook_store.hpp"
#include "telnyx_webhook_signer.hpp"

#include "core/unix_time.hpp"
#include "log/log.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

namespace donna::relay::test {
namespace {

namespace fs = std::filesystem;
using fakes::telnyx_webhook_signer;

class TelnyxWebhook : public ::testing::Test {
protected:
    void SetUp() override
    {
        db_path_ = fs::temp_directory_path() /
                   ("donna-webhook-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
        fs::remove(db_path_);
    }
    void TearDown() override
    {
        relay_.reset();
        for (const auto* suffix : {"", "-wal", "-shm"})
            fs::remove(db_path_.string() + suffix);
    }

    relay_harness& relay(bool with_key = true)
    {
        auto c = test_config();
        c.database = db_path_.string();
        if (with_key)
            c.telnyx_public_key = telnyx_.public_key_base64();
        relay_ = std::make_unique<relay_harness>(c);
        return *relay_;
    }

    http_result post(const std::string& body, const std::map<std::string, std::string>& headers)
    {
        return relay_->request("POST", "/v1/webhooks/telnyx", body, headers);
    }

    http_result post_signed(const std::string& body, std::int64_t at = unix_now())
    {
        return post(body, telnyx_.headers(body, at));
    }

    std::vector<webhook_event> stored()
    {
        webhook_store events(relay_->svc().db());
        auto list = events.list("telnyx", 100);
        EXPECT_TRUE(list);
        return list ? *list : std::vector<webhook_event>{};
    }

    double outcome(const std::string& name)
    {
        return relay_->metric(R"(donna_webhooks_total{outcome=")" + name +
                              R"(",provider="telnyx"})");
    }

    fs::path db_path_;
    telnyx_webhook_signer telnyx_;
    std::unique_ptr<relay_harness> relay_;
};

TEST_F(TelnyxWebhook, ASignedEventIsStoredOnceAndAReplayChangesNothing)
{
    relay();
    const auto body = telnyx_.event("call.initiated", "2026-12-07T12:00:00.000000Z");
    const auto first = post_signed(body);
    EXPECT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json()["status"], "stored");
    // Telnyx resending it, or anyone replaying the captured request: 200, nothing more.
    const auto again = post_signed(body);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.json()["status"], "duplicate");
    const auto events = stored();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].event_type, "call.initiated");
    EXPECT_EQ(events[0].body, body); // the raw body, as signed
    EXPECT_EQ(outcome("stored"), 1);
    EXPECT_EQ(outcome("duplicate"), 1);
    EXPECT_EQ(relay_->metric(
                  R"(donna_webhook_events_total{event_type="call.initiated",provider="telnyx"})"),
              1);
}

TEST_F(TelnyxWebhook, AForgedSignatureIs401AndNothingIsStored)
{
    relay();
    telnyx_webhook_signer forger;
    const auto body = telnyx_.event("call.initiated", "2026-12-07T12:00:00Z");
    const auto r = post(body, forger.headers(body, unix_now()));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.json()["error"]["code"], "webhook_signature_invalid");
    EXPECT_TRUE(stored().empty());
    EXPECT_EQ(outcome("bad_signature"), 1);
}

TEST_F(TelnyxWebhook, ATamperedBodyIs401)
{
    relay();
    const auto body = telnyx_.event("message.received", "2026-12-07T12:00:00Z");
    auto headers = telnyx_.headers(body, unix_now());
    auto tampered = body;
    tampered.replace(tampered.find("+15550100199"), 12, "+15550100666");
    const auto r = post(tampered, headers);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.json()["error"]["code"], "webhook_signature_invalid");
    EXPECT_TRUE(stored().empty());
}

TEST_F(TelnyxWebhook, AStaleTimestampIs401WithItsOwnCode)
{
    relay();
    const auto body = telnyx_.event("call.hangup", "2026-12-07T12:00:00Z");
    const auto r = post_signed(body, unix_now() - 301);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.json()["error"]["code"], "webhook_timestamp_stale");
    EXPECT_TRUE(stored().empty());
    EXPECT_EQ(outcome("stale"), 1);
}

TEST_F(TelnyxWebhook, MissingOrMalformedHeadersAre400)
{
    relay();
    const auto body = telnyx_.event("call.hangup", "2026-12-07T12:00:00Z");
    const auto none = post(body, {{"Content-Type", "application/json"}});
    EXPECT_EQ(none.status, 400);
    EXPECT_EQ(none.json()["error"]["code"], "webhook_headers_invalid");
    auto headers = telnyx_.headers(body, unix_now());
    headers["telnyx-signature-ed25519"] = "%%%";
    EXPECT_EQ(post(body, headers).status, 400);
    EXPECT_EQ(outcome("bad_headers"), 2);
    EXPECT_TRUE(stored().empty());
}

TEST_F(TelnyxWebhook, AnUnknownEventTypeIsStoredAndCountedNotRefused)
{
    relay();
    const auto r = post_signed(telnyx_.event("call.teleported", "2026-12-07T12:00:00Z"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(stored().size(), 1u);
    EXPECT_EQ(
        relay_->metric(R"(donna_webhook_events_total{event_type="unknown",provider="telnyx"})"), 1);
}

TEST_F(TelnyxWebhook, EventsArrivingOutOfOrderAreKeptInTheOrderTheyOccurred)
{
    relay();
    ASSERT_EQ(post_signed(telnyx_.event("call.hangup", "2026-12-07T12:00:09Z")).status, 200);
    ASSERT_EQ(post_signed(telnyx_.event("call.answered", "2026-12-07T12:00:02Z")).status, 200);
    ASSERT_EQ(post_signed(telnyx_.event("call.initiated", "2026-12-07T12:00:00Z")).status, 200);
    const auto events = stored();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].event_type, "call.initiated");
    EXPECT_EQ(events[1].event_type, "call.answered");
    EXPECT_EQ(events[2].event_type, "call.hangup");
}

TEST_F(TelnyxWebhook, ASignedBodyThatIsNotAnEventIs400)
{
    relay();
    const auto r = post_signed(R"({"data":{"event_type":"call.hangup"}})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.json()["error"]["code"], "missing_field");
    EXPECT_TRUE(stored().empty());
}

TEST_F(TelnyxWebhook, WithoutAPublicKeyWebhooksAre503)
{
    relay(/*with_key=*/false);
    const auto body = telnyx_.event("call.hangup", "2026-12-07T12:00:00Z");
    const auto r = post_signed(body);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.json()["error"]["code"], "webhooks_not_configured");
}

TEST(TelnyxWebhookSettings, AMalformedPublicKeyStopsStartUpNamingTheVariable)
{
    auto c = test_config();
    c.telnyx_public_key = "not-a-key";
    logger log(std::clog);
    const auto app = relay_app::create(c, log);
    ASSERT_FALSE(app);
    EXPECT_NE(app.error().message.find("TELNYX_PUBLIC_KEY"), std::string::npos);
}

} // namespace
} // namespace donna::relay::test
