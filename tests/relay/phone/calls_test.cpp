// Phone calls through a real relay and the Telnyx fake over loopback: the admin's call API
// (dial, commands with their command ids, live status) and the call history the signed
// events build (timeline, recordings, transfers, cost, calls that come in, events out of
// order), and the text threads' listing.
#include "eventually.hpp"
#include "fake_openai_http.hpp"
#include "fake_telnyx.hpp"
#include "relay_harness.hpp"
#include "telnyx_test_config.hpp"

#include "app/services.hpp"
#include "audio/base64.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

namespace donna::relay {
namespace {

using donna::test::eventually;
using json = nlohmann::json;

constexpr const char* business_line = "+15550100100";
constexpr const char* caller_number = "+15550100199";

class Calls : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(telnyx_.start());
        relay_ =
            std::make_unique<test::relay_harness>(test::telnyx_test_config(telnyx_, business_line));
        telnyx_.deliver_webhooks_to(relay_->self_origin() + "/v1/webhooks/telnyx");
    }
    void TearDown() override
    {
        telnyx_.deliver_webhooks_to("");
        relay_.reset();
    }

    test::http_result admin(const std::string& method, const std::string& target,
                            const json& body = nullptr)
    {
        return relay_->request(method, target, body.is_null() ? "" : body.dump(),
                               test::bearer(test::test_admin_token));
    }

    json dial(const std::string& to = caller_number)
    {
        const auto r = admin("POST", "/v1/calls", {{"to", to}, {"site", "demo"}});
        EXPECT_EQ(r.status, 201) << r.body;
        return r.json()["call"];
    }

    json call(std::int64_t id)
    {
        return admin("GET", "/v1/calls/" + std::to_string(id)).json()["call"];
    }

    std::vector<std::string> timeline_types(std::int64_t id)
    {
        std::vector<std::string> types;
        const auto c = call(id); // kept: a temporary's member would dangle in the loop
        for (const auto& e : c["timeline"])
            types.push_back(e["type"].get<std::string>());
        return types;
    }

    fakes::fake_telnyx telnyx_;
    std::unique_ptr<test::relay_harness> relay_;
};

TEST_F(Calls, ADialCarriesOurCallIdAndTheEventsBuildTheCallsHistory)
{
    const auto c = dial();
    const auto id = c["id"].get<std::int64_t>();
    // Dialing, or already initiated: Telnyx's call.initiated may be processed before the
    // dial's answer is read back.
    EXPECT_TRUE(c["status"] == "dialing" || c["status"] == "initiated") << c["status"];
    const auto control = c["call_control_id"].get<std::string>();
    ASSERT_EQ(telnyx_.calls().size(), 1u);
    const auto state = base64_decode(telnyx_.calls()[0].client_state);
    ASSERT_TRUE(state);
    EXPECT_EQ(std::string(state->begin(), state->end()), "donna-call:" + std::to_string(id));
    EXPECT_EQ(telnyx_.calls()[0].from, business_line);

    telnyx_.answer_call(control);
    ASSERT_TRUE(eventually([&] { return call(id)["status"] == "answered"; }));
    const auto hung =
        admin("POST", "/v1/calls/" + std::to_string(id) + "/actions/hangup", json::object());
    ASSERT_EQ(hung.status, 200) << hung.body;
    ASSERT_TRUE(eventually([&] { return call(id)["status"] == "ended"; }));
    const auto ended = call(id);
    EXPECT_EQ(ended["hangup_cause"], "normal_clearing");
    EXPECT_TRUE(ended["answered_at_ms"].is_number());
    EXPECT_TRUE(ended["live"].is_null()); // over: the provider is not asked
    EXPECT_EQ(timeline_types(id),
              (std::vector<std::string>{"call.initiated", "call.answered", "call.hangup"}));
}

TEST_F(Calls, TheSameCommandIdActsOnceAtTheProvider)
{
    const auto id = dial()["id"].get<std::int64_t>();
    const json start = {{"format", "mp3"}, {"channels", "single"}, {"command_id", "rec-17"}};
    const auto path = "/v1/calls/" + std::to_string(id) + "/actions/record_start";
    ASSERT_EQ(admin("POST", path, start).status, 200);
    const auto again = admin("POST", path, start);
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(again.json()["command_id"], "rec-17");
    EXPECT_EQ(telnyx_.calls()[0].commands, std::vector<std::string>{"record_start"});
}

TEST_F(Calls, RecordingsAndTransfersShowOnTheCall)
{
    const auto id = dial()["id"].get<std::int64_t>();
    const auto base = "/v1/calls/" + std::to_string(id) + "/actions/";
    ASSERT_EQ(admin("POST", base + "record_start", json::object()).status, 200);
    ASSERT_EQ(admin("POST", base + "record_stop", json::object()).status, 200);
    ASSERT_EQ(admin("POST", base + "transfer", {{"to", "+15550100111"}}).status, 200);
    ASSERT_TRUE(eventually([&] {
        const auto c = call(id);
        return c["recordings"].size() == 1 && c["transfers"].size() == 1;
    }));
    const auto c = call(id);
    EXPECT_TRUE(c["recordings"][0]["recording_urls"]["mp3"].get<std::string>().ends_with(".mp3"));
    EXPECT_EQ(c["transfers"][0]["to"], "+15550100111");
    EXPECT_EQ(c["status"], "bridged");
}

TEST_F(Calls, ACommandOnAnEndedCallIsRefusedWithTelnyxsReason)
{
    const auto id = dial()["id"].get<std::int64_t>();
    const auto path = "/v1/calls/" + std::to_string(id) + "/actions/hangup";
    ASSERT_EQ(admin("POST", path, json::object()).status, 200);
    const auto again = admin("POST", path, json::object());
    EXPECT_EQ(again.status, 422);
    EXPECT_EQ(again.json()["error"]["code"], "telnyx_call_ended");
    EXPECT_EQ(relay_->metric("donna_call_commands_total{action=\"hangup\",outcome=\"telnyx_call_"
                             "ended\"}"),
              1);
}

TEST_F(Calls, ALiveCallsStatusComesFromTheProvider)
{
    const auto id = dial()["id"].get<std::int64_t>();
    const auto c = call(id);
    ASSERT_TRUE(c["live"].is_object()) << c.dump();
    EXPECT_EQ(c["live"]["is_alive"], true);
}

TEST_F(Calls, BadRequestsAreRefusedByName)
{
    EXPECT_EQ(admin("POST", "/v1/calls", {{"to", "555-0199"}}).status, 400);
    EXPECT_EQ(relay_->request("POST", "/v1/calls", R"({"to":"+15550100199"})").status, 401);
    EXPECT_EQ(admin("GET", "/v1/calls/999").json()["error"]["code"], "call_not_found");
    const auto id = dial()["id"].get<std::int64_t>();
    const auto base = "/v1/calls/" + std::to_string(id) + "/actions/";
    EXPECT_EQ(admin("POST", base + "explode", json::object()).json()["error"]["code"],
              "unknown_action");
    EXPECT_EQ(admin("POST", base + "transfer", json::object()).status, 400);
    EXPECT_EQ(admin("GET", "/v1/calls?status=happy").status, 400);
    EXPECT_EQ(telnyx_.calls()[0].commands.size(), 0u);
}

TEST_F(Calls, ARefusedKeyFailsTheDialAndTheCallSaysWhy)
{
    auto c = test::test_config();
    c.admin_token = test::test_admin_token;
    c.telnyx_api_key = "KEYnot-this-one";
    c.telnyx_base_url = telnyx_.base_url();
    c.telnyx_phone_number = business_line;
    c.telnyx_connection_id = telnyx_.connection_id();
    relay_ = std::make_unique<test::relay_harness>(std::move(c));
    const auto r = admin("POST", "/v1/calls", {{"to", caller_number}});
    EXPECT_EQ(r.status, 502);
    EXPECT_EQ(r.json()["error"]["code"], "telnyx_unauthorized");
    const auto listed = admin("GET", "/v1/calls").json()["calls"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["status"], "failed");
    EXPECT_NE(listed[0]["error"].get<std::string>().find("401"), std::string::npos);
}

TEST_F(Calls, TheListFiltersAndItsCursorStaysStableWhileCallsArrive)
{
    std::vector<std::int64_t> ids;
    ids.reserve(4);
    for (int i = 0; i < 4; ++i)
        ids.push_back(dial("+1555010020" + std::to_string(i))["id"].get<std::int64_t>());
    const auto first = admin("GET", "/v1/calls?limit=2").json();
    ASSERT_EQ(first["calls"].size(), 2u);
    EXPECT_EQ(first["calls"][0]["id"], ids[3]); // newest first
    dial("+15550100209");                       // a call starts between the pages
    const auto second =
        admin("GET", "/v1/calls?limit=2&cursor=" + first["next_cursor"].dump()).json();
    ASSERT_EQ(second["calls"].size(), 2u);
    EXPECT_EQ(second["calls"][0]["id"], ids[1]);
    EXPECT_EQ(second["calls"][1]["id"], ids[0]);

    const auto one = admin("GET", "/v1/calls?number=%2B15550100202").json()["calls"];
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0]["id"], ids[2]);
    EXPECT_EQ(admin("GET", "/v1/calls?direction=inbound").json()["calls"].size(), 0u);
}

TEST_F(Calls, ACallThatComesInIsKeptForTheSiteWhoseNumberWasCalled)
{
    telnyx_.call_in(caller_number, business_line);
    ASSERT_TRUE(eventually(
        [&] { return admin("GET", "/v1/calls?direction=inbound").json()["calls"].size() == 1; }));
    const auto in = admin("GET", "/v1/calls?direction=inbound").json()["calls"][0];
    EXPECT_EQ(in["site"], "demo");
    EXPECT_EQ(in["from"], caller_number);
    EXPECT_EQ(in["status"], "initiated");
}

TEST_F(Calls, EventsThatArriveOutOfOrderLeaveTheCallAsItEnded)
{
    const auto id = dial()["id"].get<std::int64_t>();
    const auto f = telnyx_.calls()[0];
    const json ids = {{"call_control_id", f.call_control_id},
                      {"call_leg_id", f.call_leg_id},
                      {"call_session_id", f.call_session_id},
                      {"client_state", f.client_state}};
    auto hangup = ids;
    hangup["hangup_cause"] = "user_busy";
    hangup["hangup_source"] = "callee";
    const auto later =
        telnyx_.signer().event("call.hangup", "2030-01-01T00:00:05.000000Z", hangup, "");
    const auto earlier =
        telnyx_.signer().event("call.answered", "2030-01-01T00:00:03.000000Z", ids, "");
    ASSERT_EQ(test::post_signed_webhook(*relay_, telnyx_, later), 200);
    ASSERT_EQ(test::post_signed_webhook(*relay_, telnyx_, earlier), 200);
    ASSERT_TRUE(eventually([&] { return call(id)["timeline"].size() == 3; }));
    const auto c = call(id);
    EXPECT_EQ(c["status"], "ended");
    EXPECT_EQ(c["hangup_cause"], "user_busy");
    EXPECT_TRUE(c["answered_at_ms"].is_number());
    // The timeline is in the order things happened, not the order they arrived.
    EXPECT_EQ(timeline_types(id),
              (std::vector<std::string>{"call.initiated", "call.answered", "call.hangup"}));
}

TEST_F(Calls, EventsDeliveredLateAndShuffledStillBuildTheCallAsItHappened)
{
    // A Telnyx of its own that holds events back and sends them in a random order.
    fakes::fake_telnyx shuffling(
        {.reorder_webhooks = true, .webhook_delay = std::chrono::milliseconds(30)});
    ASSERT_TRUE(shuffling.start());
    relay_ =
        std::make_unique<test::relay_harness>(test::telnyx_test_config(shuffling, business_line));
    const auto id = dial()["id"].get<std::int64_t>();
    const auto control = shuffling.calls()[0].call_control_id;
    shuffling.answer_call(control);
    shuffling.hang_up_call(control);
    shuffling.deliver_webhooks_to(relay_->self_origin() + "/v1/webhooks/telnyx");
    ASSERT_TRUE(shuffling.wait_webhooks_answered());
    ASSERT_TRUE(eventually([&] { return call(id)["timeline"].size() == 3; }));
    EXPECT_EQ(call(id)["status"], "ended");
    EXPECT_EQ(timeline_types(id),
              (std::vector<std::string>{"call.initiated", "call.answered", "call.hangup"}));
    shuffling.deliver_webhooks_to("");
}

TEST_F(Calls, TheCallsCostShowsOnceTelnyxSendsIt)
{
    const auto id = dial()["id"].get<std::int64_t>();
    const auto f = telnyx_.calls()[0];
    telnyx_.send_event("call.cost", {{"call_control_id", f.call_control_id},
                                     {"call_leg_id", f.call_leg_id},
                                     {"call_session_id", f.call_session_id},
                                     {"client_state", f.client_state},
                                     {"total_cost", "0.0120"},
                                     {"billed_duration_secs", 60},
                                     {"status", "success"},
                                     {"cost_parts",
                                      {{{"call_part", "call-control"},
                                        {"cost", "0.0120"},
                                        {"currency", "USD"},
                                        {"billed_duration_secs", 60},
                                        {"rate", "0.0120"}}}}});
    ASSERT_TRUE(eventually([&] { return call(id)["cost"].is_object(); }));
    EXPECT_EQ(call(id)["cost"]["total_cost"], "0.0120");
    EXPECT_EQ(call(id)["cost"]["currency"], "USD");
}

TEST_F(Calls, TextThreadsAreListedWithTheirMessages)
{
    telnyx_.receive_text(caller_number, business_line, "STOP");
    telnyx_.receive_text("+15550100188", business_line, "HELP");
    ASSERT_TRUE(eventually(
        [&] { return admin("GET", "/v1/sms/threads?site=demo").json()["threads"].size() == 2; }));
    const auto threads = admin("GET", "/v1/sms/threads?site=demo&limit=1").json();
    ASSERT_EQ(threads["threads"].size(), 1u);
    const auto rest =
        admin("GET", "/v1/sms/threads?site=demo&limit=1&cursor=" + threads["next_cursor"].dump())
            .json();
    ASSERT_EQ(rest["threads"].size(), 1u);
    EXPECT_NE(rest["threads"][0]["number"], threads["threads"][0]["number"]);

    const auto stopped = admin("GET", "/v1/sms/threads/%2B15550100199?site=demo").json();
    EXPECT_EQ(stopped["opted_out"], true);
    ASSERT_EQ(stopped["messages"].size(), 1u);
    EXPECT_EQ(stopped["messages"][0]["body"], "STOP");
    ASSERT_TRUE(eventually([&] {
        return admin("GET", "/v1/sms/threads/%2B15550100188?site=demo").json()["messages"].size() ==
               2;
    }));
    EXPECT_EQ(admin("GET", "/v1/sms/threads/%2B15550100177?site=demo").status, 404);
}

} // namespace
} // namespace donna::relay
