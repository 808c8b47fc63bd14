// Event fanout through a real relay, the Telnyx fake and fake receivers over loopback: every
// stored event reaches each endpoint that wants it, signed and once; an endpoint that is down
// gets everything later, in order per call; a delivery that keeps failing is dead-lettered
// and the admin replays it.
#include "eventually.hpp"
#include "fake_telnyx.hpp"
#include "fake_webhook_receiver.hpp"
#include "relay_harness.hpp"
#include "telnyx_test_config.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using donna::test::eventually;
using json = nlohmann::json;

constexpr const char* our_number = "+15550100100";
constexpr const char* their_number = "+15550100199";
const std::string crm_secret = "crm-signing-secret-of-at-least-32-chars";
const std::string audit_secret = "audit-signing-secret-of-at-least-32-ch";

class Fanout : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(telnyx_.start());
        ASSERT_TRUE(crm_.start());
        ASSERT_TRUE(audit_.start());
    }
    void TearDown() override
    {
        telnyx_.deliver_webhooks_to("");
        relay_.reset();
    }

    void start_relay(int crm_attempts = 10)
    {
        auto c = test::telnyx_test_config(telnyx_, our_number);
        c.fanout = {fanout_endpoint{.id = "crm",
                                    .url = crm_.url(),
                                    .events = {"call.*"},
                                    .secret_env = "CRM_SECRET",
                                    .secret = crm_secret,
                                    .max_attempts = crm_attempts},
                    fanout_endpoint{.id = "audit",
                                    .url = audit_.url(),
                                    .events = {"*"},
                                    .secret_env = "AUDIT_SECRET",
                                    .secret = audit_secret,
                                    .max_attempts = 10}};
        relay_ = std::make_unique<test::relay_harness>(std::move(c));
        telnyx_.deliver_webhooks_to(relay_->self_origin() + "/v1/webhooks/telnyx");
    }

    test::http_result admin(const std::string& method, const std::string& target)
    {
        return relay_->request(method, target, "", test::bearer(test::test_admin_token));
    }

    fakes::fake_telnyx telnyx_;
    fakes::fake_webhook_receiver crm_{crm_secret};
    fakes::fake_webhook_receiver audit_{audit_secret};
    std::unique_ptr<test::relay_harness> relay_;
};

TEST_F(Fanout, EachStoredEventReachesEveryEndpointThatWantsItSignedAndOnce)
{
    start_relay();
    telnyx_.call_in(their_number, our_number);
    telnyx_.receive_text(their_number, our_number, "STOP"); // no reply: one event
    ASSERT_TRUE(audit_.wait_for_events(2));
    ASSERT_TRUE(crm_.wait_for_events(1));
    ASSERT_TRUE(telnyx_.wait_webhooks_answered());
    // Settled: nothing more arrives once every job is done.
    ASSERT_TRUE(eventually(
        [&] { return relay_->metric("donna_jobs{kind=\"fanout.deliver\",state=\"done\"}") == 3; }));
    ASSERT_EQ(crm_.deliveries().size(), 1u);
    EXPECT_EQ(crm_.deliveries()[0].event_type, "call.initiated");
    ASSERT_EQ(audit_.deliveries().size(), 2u);
    const auto envelope = json::parse(crm_.deliveries()[0].body);
    EXPECT_EQ(envelope["provider"], "telnyx");
    EXPECT_EQ(envelope["type"], "call.initiated");
    EXPECT_EQ(envelope["id"], crm_.deliveries()[0].event_id);
    EXPECT_EQ(envelope["event"]["data"]["payload"]["from"], their_number);
    EXPECT_EQ(
        relay_->metric("donna_fanout_deliveries_total{endpoint=\"audit\",outcome=\"delivered\"}"),
        2);
}

TEST_F(Fanout, AnEndpointThatIsDownGetsEveryEventLaterInTheOrderTheyOccurred)
{
    crm_.set_down(true);
    start_relay();
    const auto call = telnyx_.call_in(their_number, our_number);
    telnyx_.answer_call(call);
    telnyx_.hang_up_call(call);
    ASSERT_TRUE(telnyx_.wait_webhooks_answered());
    ASSERT_TRUE(eventually([&] { return crm_.refused() >= 2; }));
    crm_.set_down(false);
    ASSERT_TRUE(crm_.wait_for_events(3));
    std::vector<std::string> types;
    for (const auto& d : crm_.deliveries())
        types.push_back(d.event_type);
    EXPECT_EQ(types, (std::vector<std::string>{"call.initiated", "call.answered", "call.hangup"}));
    EXPECT_GE(relay_->metric("donna_fanout_deliveries_total{endpoint=\"crm\",outcome=\"retry\"}"),
              1);
}

TEST_F(Fanout, ADeliveryThatKeepsFailingIsDeadLetteredAndTheAdminReplaysIt)
{
    crm_.set_down(true);
    start_relay(2);
    telnyx_.call_in(their_number, our_number);
    ASSERT_TRUE(eventually([&] {
        return relay_->metric("donna_fanout_deliveries_total{endpoint=\"crm\",outcome=\"dead\"}") ==
               1;
    }));
    const auto listed = admin("GET", "/v1/fanout/dead-letters?endpoint=crm").json();
    ASSERT_EQ(listed["dead_letters"].size(), 1u) << listed.dump();
    const auto dead = listed["dead_letters"][0];
    EXPECT_EQ(dead["event_type"], "call.initiated");
    EXPECT_EQ(dead["attempts"], 2);
    EXPECT_NE(dead["last_error"].get<std::string>().find("503"), std::string::npos);

    crm_.set_down(false);
    const auto replayed = admin("POST", "/v1/fanout/dead-letters/" + dead["id"].dump() + "/replay");
    ASSERT_EQ(replayed.status, 202) << replayed.body;
    ASSERT_TRUE(crm_.wait_for_events(1));
    EXPECT_EQ(crm_.deliveries()[0].event_id, dead["event_id"]);
    EXPECT_EQ(admin("GET", "/v1/fanout/dead-letters?endpoint=crm").json()["dead_letters"].size(),
              0u);
    EXPECT_EQ(admin("POST", "/v1/fanout/dead-letters/" + dead["id"].dump() + "/replay").status,
              409);
}

} // namespace
} // namespace donna::relay
