// Text messages through a real relay and the Telnyx fake over loopback: the outbox's texts
// sent once with their idempotency key, their delivery reports from signed webhooks shown to
// the staff, texts to the business answered by DONNA's chat, STOP / START / HELP, and the
// provider seam (a test's own provider, an unknown provider's name).
#include "eventually.hpp"
#include "fake_openai_http.hpp"
#include "fake_telnyx.hpp"
#include "relay_harness.hpp"
#include "telnyx_test_config.hpp"

#include "app/relay_app.hpp"
#include "app/services.hpp"
#include "log/log.hpp"
#include "store/action_store.hpp"
#include "store/sms_store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <mutex>
#include <sstream>

namespace donna::relay {
namespace {

using donna::test::eventually;
using json = nlohmann::json;

constexpr const char* business = "+15550100100";
constexpr const char* visitor = "+15550100199";

class Texting : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(telnyx_.start());
        ASSERT_TRUE(openai_.start());
    }
    void TearDown() override
    {
        telnyx_.deliver_webhooks_to(""); // nothing posts to a relay that is gone
        relay_.reset();
    }

    config texting_config()
    {
        auto c = test::telnyx_test_config(telnyx_, business);
        c.openai_api_key = fakes::fake_openai_default_key();
        c.openai_base_url = openai_.base_url();
        c.moderation = false;
        c.sites.sites[0].staff_phones = {"+15550100111"};
        return c;
    }

    test::relay_harness& relay(config c)
    {
        relay_ = std::make_unique<test::relay_harness>(std::move(c));
        telnyx_.deliver_webhooks_to(relay_->self_origin() + "/v1/webhooks/telnyx");
        return *relay_;
    }

    std::int64_t queue_text(const std::string& to, const std::string& body)
    {
        outbox_item item;
        item.site = "demo";
        item.channel = "sms";
        item.recipient = to;
        item.payload = json{{"body", body}}.dump();
        item.created_at = 1796644800;
        auto id = relay_->svc().actions().enqueue(item);
        EXPECT_TRUE(id);
        return id ? *id : 0;
    }

    json outbox_row(std::int64_t id)
    {
        const auto r =
            relay_->request("GET", "/v1/messages", "", test::bearer(test::test_admin_token));
        const auto listing = r.json();
        for (const auto& row : listing["outbox"])
            if (row["id"] == id)
                return row;
        return json();
    }

    std::vector<fakes::fake_text> texts_to(const std::string& number) const
    {
        std::vector<fakes::fake_text> out;
        for (auto& t : telnyx_.texts())
            if (t.to == number)
                out.push_back(t);
        return out;
    }

    fakes::fake_telnyx telnyx_;
    fakes::fake_openai_http openai_{[] {
        fakes::fake_openai_http_options o;
        o.reply_text = "We open at nine on weekdays.";
        return o;
    }()};
    std::unique_ptr<test::relay_harness> relay_;
};

TEST_F(Texting, AQueuedTextGoesOutOnceWithItsIdempotencyKeyAndIsMarkedSent)
{
    relay(texting_config());
    const auto id = queue_text(visitor, "Your table for two is booked for 8 pm.");
    ASSERT_TRUE(eventually([&] { return outbox_row(id)["status"] == "sent"; }));
    const auto sent = texts_to(visitor);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].from, business);
    EXPECT_EQ(sent[0].text, "Your table for two is booked for 8 pm.");
    EXPECT_EQ(sent[0].idempotency_key, "donna-outbox-" + std::to_string(id) + "-1796644800");
    EXPECT_EQ(outbox_row(id)["provider_id"], sent[0].id);
    EXPECT_EQ(outbox_row(id)["attempts"], 1);
}

TEST_F(Texting, TheDeliveryReportFromSignedWebhooksIsShownOnTheRow)
{
    relay(texting_config());
    const auto id = queue_text(visitor, "Booked.");
    ASSERT_TRUE(eventually([&] {
        return outbox_row(id)["delivery"].is_object() &&
               outbox_row(id)["delivery"]["status"] == "delivered";
    }));
    const auto row = outbox_row(id);
    EXPECT_EQ(row["delivery"]["recipients"][0]["phone_number"], visitor);
    EXPECT_TRUE(row["delivery"]["errors"].empty());
}

TEST_F(Texting, AFailedDeliveryShowsTelnyxsErrorsAndAnOlderReportNeverOverwritesIt)
{
    telnyx_.fail_delivery_to(visitor);
    relay(texting_config());
    const auto id = queue_text(visitor, "Booked.");
    ASSERT_TRUE(eventually([&] {
        return outbox_row(id)["delivery"].is_object() &&
               outbox_row(id)["delivery"]["status"] == "delivery_failed";
    }));
    ASSERT_TRUE(telnyx_.wait_webhooks_answered());
    // Telnyx resends the earlier message.sent (as after a timeout): it occurred before the
    // final report, so the row keeps delivery_failed.
    telnyx_.redeliver_all();
    ASSERT_TRUE(telnyx_.wait_webhooks_answered());
    const auto row = outbox_row(id);
    EXPECT_EQ(row["delivery"]["status"], "delivery_failed");
    EXPECT_EQ(row["delivery"]["errors"][0]["code"], "40001");
}

TEST_F(Texting, AReportThatArrivesBeforeTheSentOneStillWinsByItsTime)
{
    relay(texting_config());
    // message.finalized first, then an earlier message.sent for the same message id.
    const json finalized = {
        {"id", "40385f64-5717-4562-b3fc-2c963f66afa6"},
        {"direction", "outbound"},
        {"to", json::array({{{"phone_number", visitor}, {"status", "delivered"}}})},
        {"errors", json::array()}};
    auto sent = finalized;
    sent["to"][0]["status"] = "sent";
    const auto later =
        telnyx_.signer().event("message.finalized", "2026-12-07T12:00:05.000000Z", finalized, "");
    const auto earlier =
        telnyx_.signer().event("message.sent", "2026-12-07T12:00:01.000000Z", sent, "");
    ASSERT_EQ(test::post_signed_webhook(*relay_, telnyx_, later), 200);
    ASSERT_EQ(test::post_signed_webhook(*relay_, telnyx_, earlier), 200);
    ASSERT_TRUE(eventually([&] {
        return relay_->metric("donna_webhook_events_processed_total{event_type=\"message.sent\","
                              "outcome=\"stale\",provider=\"telnyx\"}") == 1;
    }));
    auto report = relay_->svc().sms().delivery_of("40385f64-5717-4562-b3fc-2c963f66afa6");
    ASSERT_TRUE(report);
    EXPECT_EQ(report->status, "delivered");
}

TEST_F(Texting, AFailedSendIsRetriedWithTheSameKeyAndTextsOnce)
{
    telnyx_.set_fault(fakes::http_fault::status_500, 3);
    auto c = texting_config();
    c.upstream_connect_attempts = 1; // every 500 reaches the job runner, which retries
    relay(c);
    const auto id = queue_text(visitor, "Booked.");
    ASSERT_TRUE(eventually([&] { return outbox_row(id)["status"] == "sent"; }));
    const auto key = "donna-outbox-" + std::to_string(id) + "-1796644800";
    int with_key = 0;
    for (const auto& r : telnyx_.requests())
        if (r.path() == "/v2/messages" && r.headers.count("idempotency-key") != 0 &&
            r.headers.at("idempotency-key") == key)
            ++with_key;
    EXPECT_EQ(with_key, 4); // three refused, one taken
    EXPECT_EQ(telnyx_.texts_sent(), 1);
    EXPECT_GE(outbox_row(id)["attempts"].get<int>(), 4);
}

TEST_F(Texting, ATextRefusedByTelnyxFailsWithItsReasonAndIsNotRetried)
{
    relay(texting_config());
    outbox_item item;
    item.site = "demo";
    item.channel = "sms";
    item.recipient = visitor;
    item.payload =
        json{{"body", "Our menu"}, {"media_urls", {"ftp://files.example/menu.pdf"}}}.dump();
    item.created_at = 1796644800;
    const auto id = *relay_->svc().actions().enqueue(item);
    ASSERT_TRUE(eventually([&] { return outbox_row(id)["status"] == "failed"; }));
    EXPECT_EQ(telnyx_.texts_sent(), 0);
    const auto row = outbox_row(id);
    EXPECT_EQ(row["attempts"], 1);
    EXPECT_NE(row["last_error"].get<std::string>().find("Invalid URL"), std::string::npos)
        << row["last_error"];
}

TEST_F(Texting, ANumberThatTextedStopIsNeverTextedAgain)
{
    auto& r = relay(texting_config());
    telnyx_.receive_text(visitor, business, "Stop");
    ASSERT_TRUE(
        eventually([&] { return r.metric("donna_sms_received_total{outcome=\"stop\"}") == 1; }));
    const auto id = queue_text(visitor, "One more thing...");
    ASSERT_TRUE(eventually([&] { return outbox_row(id)["status"] == "failed"; }));
    EXPECT_NE(outbox_row(id)["last_error"].get<std::string>().find("STOP"), std::string::npos);
    EXPECT_EQ(telnyx_.texts_sent(), 0);
    // And what they text afterwards is kept, never answered.
    telnyx_.receive_text(visitor, business, "What time do you open?");
    ASSERT_TRUE(eventually(
        [&] { return r.metric("donna_sms_received_total{outcome=\"opted_out\"}") == 1; }));
    EXPECT_EQ(telnyx_.texts_sent(), 0);
}

TEST_F(Texting, StartOptsANumberBackInWithOneConfirmation)
{
    auto& r = relay(texting_config());
    telnyx_.receive_text(visitor, business, "STOP");
    ASSERT_TRUE(
        eventually([&] { return r.metric("donna_sms_received_total{outcome=\"stop\"}") == 1; }));
    telnyx_.receive_text(visitor, business, "start");
    ASSERT_TRUE(eventually([&] { return texts_to(visitor).size() == 1; }));
    EXPECT_NE(texts_to(visitor)[0].text.find("STOP to opt out"), std::string::npos);
    EXPECT_FALSE(*r.svc().sms().opted_out(visitor));
}

TEST_F(Texting, HelpIsAnsweredWithTheSitesContactLineWithoutTheModel)
{
    relay(texting_config());
    telnyx_.receive_text(visitor, business, " HELP ");
    ASSERT_TRUE(eventually([&] { return texts_to(visitor).size() == 1; }));
    EXPECT_NE(texts_to(visitor)[0].text.find("+15550100111"), std::string::npos);
    for (const auto& request : openai_.requests())
        EXPECT_NE(request.path(), "/v1/chat/completions");
}

TEST_F(Texting, ATextToTheBusinessIsAnsweredByDonnaInItsThread)
{
    auto& r = relay(texting_config());
    telnyx_.receive_text(visitor, business, "What time do you open?");
    ASSERT_TRUE(eventually([&] { return texts_to(visitor).size() == 1; }));
    EXPECT_EQ(texts_to(visitor)[0].text, "We open at nine on weekdays.");
    EXPECT_EQ(texts_to(visitor)[0].from, business);
    auto thread = r.svc().sms().thread("demo", visitor, 0, 50);
    ASSERT_TRUE(thread);
    ASSERT_EQ(thread->size(), 2u);
    EXPECT_EQ((*thread)[0].direction, "inbound");
    EXPECT_EQ((*thread)[0].body, "What time do you open?");
    EXPECT_EQ((*thread)[1].direction, "outbound");
    EXPECT_EQ((*thread)[1].in_reply_to, (*thread)[0].id);
}

TEST_F(Texting, AResentInboundTextIsAnsweredOnce)
{
    auto& r = relay(texting_config());
    telnyx_.receive_text(visitor, business, "What time do you open?");
    ASSERT_TRUE(eventually([&] { return texts_to(visitor).size() == 1; }));
    ASSERT_TRUE(telnyx_.wait_webhooks_answered());
    telnyx_.redeliver_all(); // the same events again: stored once, nothing new happens
    ASSERT_TRUE(telnyx_.wait_webhooks_answered());
    EXPECT_GE(r.metric("donna_webhooks_total{outcome=\"duplicate\",provider=\"telnyx\"}"), 1);
    EXPECT_EQ(texts_to(visitor).size(), 1u);
}

TEST_F(Texting, ATextToANumberNoSiteClaimsIsKeptAndNotAnswered)
{
    auto& r = relay(texting_config());
    telnyx_.receive_text(visitor, "+15550100222", "Hello?");
    ASSERT_TRUE(eventually(
        [&] { return r.metric("donna_sms_received_total{outcome=\"unrouted\"}") == 1; }));
    EXPECT_EQ(telnyx_.texts_sent(), 0);
}

// A provider of the test's own, registered through the same seam as Telnyx.
class recording_provider : public messaging_provider {
public:
    void send_text(const outbound_text& text,
                   std::function<void(provider_result<text_accepted>)> done) override
    {
        {
            const std::lock_guard lock(mutex);
            sent.push_back(text);
        }
        done(text_accepted{.message_id = "own-" + std::to_string(sent.size()), .status = "queued"});
    }
    std::vector<outbound_text> copy() const
    {
        const std::lock_guard lock(mutex);
        return sent;
    }
    mutable std::mutex mutex;
    std::vector<outbound_text> sent;
};

TEST_F(Texting, AProviderRegisteredThroughTheSeamSendsTheOutboxsTexts)
{
    auto phones = phone_providers::with_defaults();
    auto* own = new recording_provider; // owned by the relay once built
    phones.add_messaging(
        "own-sms", [own](const provider_env&) { return std::unique_ptr<messaging_provider>(own); });
    auto c = texting_config();
    c.messaging_provider = "own-sms";
    relay_ = std::make_unique<test::relay_harness>(std::move(c), std::move(phones));
    const auto id = queue_text(visitor, "Booked.");
    ASSERT_TRUE(eventually([&] { return outbox_row(id)["status"] == "sent"; }));
    ASSERT_EQ(own->copy().size(), 1u);
    EXPECT_EQ(own->copy()[0].to, visitor);
    EXPECT_EQ(outbox_row(id)["provider_id"], "own-1");
    EXPECT_EQ(telnyx_.texts_sent(), 0);
}

TEST_F(Texting, AnUnknownProviderNameStopsStartUpNamingTheSetting)
{
    std::ostringstream lines;
    logger log(lines, log_level::warn);
    auto c = texting_config();
    c.messaging_provider = "nobody";
    auto app = relay_app::create(c, log);
    ASSERT_FALSE(app);
    EXPECT_NE(app.error().message.find("MESSAGING_PROVIDER"), std::string::npos);
    EXPECT_NE(app.error().message.find("telnyx"), std::string::npos);
    c.messaging_provider = "telnyx";
    c.voice_provider = "nobody";
    auto voice = relay_app::create(c, log);
    ASSERT_FALSE(voice);
    EXPECT_NE(voice.error().message.find("VOICE_PROVIDER"), std::string::npos);
}

} // namespace
} // namespace donna::relay
