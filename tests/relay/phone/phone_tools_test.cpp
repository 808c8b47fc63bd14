// DONNA's tools on a call: the web's actions (a message taken, a text to the caller) and the
// phone's own (transfer_call, end_call), each carried out for real and kept in the call's
// record; the phone's own act only once the words DONNA says with them have played.
#include "phone_call_fixture.hpp"

#include "audio/wav.hpp"
#include "config/business_hours.hpp"
#include "realtime/phone_tools.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using donna::test::eventually;
using tools_json = nlohmann::json;

class PhoneTools : public PhoneCalls {
protected:
    tools_json record_of(const fakes::fake_call& call)
    {
        return relay_
            ->request("GET", "/v1/calls/" + std::to_string(call_id_of(call)), "",
                      test::bearer(test::test_admin_token))
            .json();
    }

    // The call's record's tool_call entries ({"name","status",...}), in order.
    std::vector<tools_json> tool_calls_of(const fakes::fake_call& call)
    {
        std::vector<tools_json> calls;
        const auto record = record_of(call); // kept: a loop over a temporary's member dangles
        for (const auto& e : record["call"]["timeline"])
            if (e["type"] == "tool_call")
                calls.push_back(e["detail"]);
        return calls;
    }

    // The function_call_output items the relay sent upstream, their output parsed.
    std::vector<tools_json> outputs()
    {
        std::vector<tools_json> out;
        for (const auto& c : upstream_->connections())
            for (const auto& text : c.client_events) {
                const auto e = tools_json::parse(text, nullptr, false);
                if (e.value("type", "") == "conversation.item.create" &&
                    e["item"].value("type", "") == "function_call_output")
                    out.push_back(tools_json::parse(e["item"]["output"].get<std::string>()));
            }
        return out;
    }

    double phone_actions(const std::string& action, const std::string& outcome)
    {
        return relay_->metric("donna_actions_total{action=\"" + action +
                              "\",channel=\"phone\",outcome=\"" + outcome + "\"}");
    }

    fakes::fake_call state_of(const fakes::fake_call& call)
    {
        for (const auto& c : telnyx_.calls())
            if (c.call_control_id == call.call_control_id)
                return c;
        return {};
    }
};

TEST_F(PhoneTools, TheSessionOffersTheWebsActionsAndThePhonesOwnTools)
{
    start();
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(upstream_->wait_until(
        [](const auto& c) { return c.size() == 1 && !c[0].client_events.empty(); }));
    const auto first = tools_json::parse(upstream_->connections()[0].client_events.at(0));
    ASSERT_EQ(first["type"], "session.update");
    std::vector<std::string> names;
    for (const auto& tool : first["session"]["tools"])
        names.push_back(tool["name"]);
    EXPECT_EQ(names, (std::vector<std::string>{"take_message", "request_callback", "send_email",
                                               "send_sms", "transfer_call", "end_call"}));
    EXPECT_TRUE(first["session"]["instructions"].get<std::string>().ends_with(
        std::string(phone_tools_instructions())));
}

TEST_F(PhoneTools, AMessageTheCallerLeavesIsStoredForTheStaffAndKeptInTheCallsRecord)
{
    start();
    upstream_->script_function_calls(
        {{"take_message", R"({"name":"Ana Lopez","message":"Please call about my order."})"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return outputs().size() == 1; }));
    EXPECT_EQ(outputs()[0]["status"], "recorded");
    const auto listing =
        relay_->request("GET", "/v1/messages", "", test::bearer(test::test_admin_token)).json();
    ASSERT_EQ(listing["messages"].size(), 1u);
    EXPECT_EQ(listing["messages"][0]["kind"], "take_message");
    EXPECT_EQ(listing["messages"][0]["fields"]["message"], "Please call about my order.");
    EXPECT_EQ(phone_actions("take_message", "recorded"), 1);
    ASSERT_TRUE(eventually([&] { return tool_calls_of(call).size() == 1; }))
        << record_of(call).dump();
    const auto kept = tool_calls_of(call)[0];
    EXPECT_EQ(kept["name"], "take_message");
    EXPECT_EQ(kept["status"], "recorded");
    EXPECT_EQ(kept["id"], listing["messages"][0]["id"]);
    // DONNA's confirmation, the response after the call, reaches the caller.
    ASSERT_TRUE(media->wait_until([&] { return media->heard().size() > 8000; }));
}

TEST_F(PhoneTools, DonnaTextsTheCallerAtTheirCallerIdNumberWithoutItBeingSpokenAloud)
{
    start();
    upstream_->script_function_calls(
        {{"send_sms", std::string(R"({"to":")") + caller +
                          R"(","body":"Acme: your table for two is noted for Friday."})"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return outputs().size() == 1; }));
    EXPECT_EQ(outputs()[0]["status"], "queued") << outputs()[0].dump();
    ASSERT_TRUE(eventually([&] { return telnyx_.texts_sent() == 1; }));
    EXPECT_EQ(telnyx_.texts()[0].to, caller);
    EXPECT_EQ(telnyx_.texts()[0].text, "Acme: your table for two is noted for Friday.");
    EXPECT_EQ(phone_actions("send_sms", "queued"), 1);
}

TEST_F(PhoneTools, ATextToANumberTheCallerNeverGaveIsRefused)
{
    start();
    upstream_->script_function_calls(
        {{"send_sms", R"({"to":"+15550100444","body":"Hello from Acme."})"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return outputs().size() == 1; }));
    EXPECT_EQ(outputs()[0]["status"], "refused");
    EXPECT_EQ(phone_actions("send_sms", "refused"), 1);
    ASSERT_TRUE(eventually([&] { return tool_calls_of(call).size() == 1; }));
    EXPECT_EQ(tool_calls_of(call)[0]["status"], "refused");
    EXPECT_EQ(telnyx_.texts_sent(), 0);
}

TEST_F(PhoneTools, TransferCallPutsTheCallerThroughOnlyAfterDonnasHandOffLineHasPlayed)
{
    start();
    upstream_->script_function_calls({{"transfer_call", R"({"reason":"Wants a quote."})"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return state_of(call).transferred_to == staff; }));
    // The response after the call (the fake speaks a second) played whole before the transfer:
    // the caller heard it, every mark came back.
    EXPECT_GE(media->heard().size(), 8000u * 95 / 100);
    EXPECT_EQ(outputs().at(0)["status"], "done");
    EXPECT_FALSE(was_hung_up(telnyx_, call.call_control_id));
    EXPECT_EQ(relay_->metric("donna_phone_transfers_total"), 1);
    EXPECT_EQ(phone_actions("transfer_call", "done"), 1);
    ASSERT_TRUE(eventually([&] { return tool_calls_of(call).size() == 1; }));
    EXPECT_EQ(tool_calls_of(call)[0]["name"], "transfer_call");
}

TEST_F(PhoneTools, TransferCallWithNoStaffNumberIsRefusedAndTheCallGoesOn)
{
    start({}, true, 2000, [](config& cfg) { cfg.sites.sites[0].staff_phones.clear(); });
    upstream_->script_function_calls({{"transfer_call", "{}"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return outputs().size() == 1; }));
    EXPECT_EQ(outputs()[0]["status"], "refused");
    // DONNA goes on talking (the response after the refusal) and nothing is done to the call.
    ASSERT_TRUE(media->wait_until([&] { return media->heard().size() >= 8000u * 95 / 100; }));
    EXPECT_TRUE(state_of(call).transferred_to.empty());
    EXPECT_FALSE(was_hung_up(telnyx_, call.call_control_id));
    EXPECT_FALSE(media->closed());
}

TEST_F(PhoneTools, EndCallHangsUpAfterDonnasGoodbyeHasPlayedAndClosesTheRealtimeSession)
{
    start();
    upstream_->script_function_calls({{"end_call", "{}"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return was_hung_up(telnyx_, call.call_control_id); }));
    EXPECT_GE(media->heard().size(), 8000u * 95 / 100); // the goodbye, whole
    EXPECT_TRUE(upstream_->wait_until([](const auto& c) { return c.size() == 1 && c[0].closed; }));
    EXPECT_TRUE(media->wait_until([&] { return media->closed(); }));
    EXPECT_EQ(phone_actions("end_call", "done"), 1);
    // The hangup's event ends the call's record.
    EXPECT_TRUE(eventually([&] { return record_of(call)["call"]["status"] == "ended"; }));
}

TEST_F(PhoneTools, AnEndCallWithArgumentsItDoesNotTakeIsNotCarriedOut)
{
    start();
    upstream_->script_function_calls({{"end_call", R"({"now":true})"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return outputs().size() == 1; }));
    EXPECT_EQ(outputs()[0]["status"], "invalid");
    ASSERT_TRUE(media->wait_until([&] { return media->heard().size() >= 8000u * 95 / 100; }));
    EXPECT_FALSE(was_hung_up(telnyx_, call.call_control_id));
    EXPECT_EQ(phone_actions("end_call", "invalid"), 1);
}

// The first response.create of the n-th upstream session: what DONNA was asked to say first.
std::string first_instructions(const fakes::fake_realtime_server& upstream, std::size_t n)
{
    const auto connections = upstream.connections();
    if (connections.size() <= n)
        return {};
    for (const auto& text : connections[n].client_events) {
        const auto e = tools_json::parse(text, nullptr, false);
        if (e.value("type", "") == "response.create" && e.contains("response"))
            return e["response"].value("instructions", "");
    }
    return {};
}

TEST_F(PhoneTools, ATransferNobodyAnswersBringsDonnaBackToTheCallerToTakeAMessage)
{
    start();
    telnyx_.transfers_end("timeout");
    upstream_->script_function_calls({{"transfer_call", R"({"reason":"Wants a quote."})"}});
    const auto call = ring();
    auto media = stream(call);
    // Put through, the person's phone rang out, and the relay asked for the audio again.
    ASSERT_TRUE(eventually([&] { return state_of(call).streams == 2; }));
    const auto again = state_of(call);
    EXPECT_EQ(again.transferred_to, staff);
    EXPECT_EQ(again.transfer_timeout_secs, 25);
    EXPECT_TRUE(media->wait_until([&] { return media->closed(); }));
    auto back = stream(again);
    ASSERT_TRUE(upstream_->wait_until([](const auto& c) { return c.size() == 2; }));
    ASSERT_TRUE(eventually([&] { return !first_instructions(*upstream_, 1).empty(); }));
    EXPECT_NE(first_instructions(*upstream_, 1).find("nobody answered"), std::string::npos)
        << first_instructions(*upstream_, 1);
    // DONNA speaks to the caller again, on the same call.
    ASSERT_TRUE(back->wait_until([&] { return back->heard().size() >= 8000u * 95 / 100; }));
    EXPECT_FALSE(was_hung_up(telnyx_, call.call_control_id));
    EXPECT_EQ(relay_->metric("donna_phone_transfer_returns_total"), 1);
    // The caller's record shows the person's leg ringing out, and the call still up.
    const auto record = record_of(call);
    EXPECT_EQ(record["call"]["status"], "answered") << record.dump();
    std::vector<std::string> legs;
    for (const auto& e : record["call"]["timeline"])
        if (e["type"].get<std::string>().starts_with("transfer_leg."))
            legs.push_back(e["type"].get<std::string>() + ":" +
                           e["detail"].value("hangup_cause", ""));
    EXPECT_EQ(legs,
              (std::vector<std::string>{"transfer_leg.initiated:", "transfer_leg.hangup:timeout"}));
}

TEST_F(PhoneTools, ABusyStaffLineIsWhatDonnaTellsTheCallerWhenSheComesBack)
{
    start();
    telnyx_.transfers_end("user_busy");
    upstream_->script_function_calls({{"transfer_call", "{}"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return state_of(call).streams == 2; }));
    EXPECT_TRUE(state_of(call).stream_url.ends_with("&after=busy")) << state_of(call).stream_url;
    EXPECT_TRUE(media->wait_until([&] { return media->closed(); }));
    auto back = stream(state_of(call));
    ASSERT_TRUE(eventually([&] { return !first_instructions(*upstream_, 1).empty(); }));
    EXPECT_NE(first_instructions(*upstream_, 1).find("the line was busy"), std::string::npos);
}

TEST_F(PhoneTools, ThePersonPutThroughHearsDonnaSayWhyTheCallerCalls)
{
    start();
    upstream_->script_function_calls(
        {{"transfer_call",
          R"({"reason":"The caller would like a quote for a new kitchen, for next spring."})"}});
    const auto with_reason = ring();
    auto media = stream(with_reason);
    ASSERT_TRUE(eventually([&] { return !state_of(with_reason).transferred_to.empty(); }));
    // Pressing 0 gives no reason: the whisper only says there is a caller.
    const auto by_key = ring();
    auto keyed = stream(by_key);
    ASSERT_TRUE(keyed->wait_until([&] { return !keyed->heard().empty(); }));
    keyed->press('0');
    ASSERT_TRUE(eventually([&] { return !state_of(by_key).transferred_to.empty(); }));

    const auto whisper = [&](const fakes::fake_call& call) -> std::optional<wav_audio> {
        const auto url = state_of(call).transfer_audio_url;
        const auto origin = relay_->self_origin();
        EXPECT_TRUE(url.starts_with(origin + "/v1/phone/whisper?call=")) << url;
        const auto answer = relay_->request("GET", url.substr(origin.size()), "");
        EXPECT_EQ(answer.status, 200) << answer.body;
        const std::vector<std::uint8_t> bytes(answer.body.begin(), answer.body.end());
        auto wav = decode_wav(bytes);
        if (!wav)
            return std::nullopt;
        return *wav;
    };
    const auto spoken = whisper(with_reason);
    const auto plain = whisper(by_key);
    ASSERT_TRUE(spoken && plain);
    EXPECT_EQ(spoken->sample_rate, 8000);
    EXPECT_GT(plain->samples.size(), std::size_t{16000}); // a sentence or two of speech
    // The reason is spoken: seconds more of speech than the whisper without one.
    EXPECT_GT(spoken->samples.size(), plain->samples.size() + std::size_t{16000});
    // The reason is in the caller's record too.
    std::string kept;
    const auto record = record_of(with_reason);
    for (const auto& e : record["call"]["timeline"])
        if (e["type"] == "transfer")
            kept = e["detail"]["reason"];
    EXPECT_EQ(kept, "The caller would like a quote for a new kitchen, for next spring.");
}

TEST_F(PhoneTools, AWhisperIsRefusedWithoutItsCallsToken)
{
    start();
    upstream_->script_function_calls({{"transfer_call", "{}"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return !state_of(call).transferred_to.empty(); }));
    const auto url = state_of(call).transfer_audio_url;
    const auto path = url.substr(relay_->self_origin().size());
    const auto id = std::to_string(call_id_of(call));
    const auto token_at = path.find("&token=");
    ASSERT_NE(token_at, std::string::npos);
    const auto token = path.substr(token_at + 7);
    EXPECT_EQ(relay_->request("GET", "/v1/phone/whisper?call=" + id, "").status, 401);
    EXPECT_EQ(
        relay_->request("GET", "/v1/phone/whisper?call=" + id + "&token=dt1.forged", "").status,
        401);
    // The token names its call: it opens no other call's whisper.
    EXPECT_EQ(relay_
                  ->request("GET",
                            "/v1/phone/whisper?call=" + std::to_string(call_id_of(call) + 1) +
                                "&token=" + token,
                            "")
                  .status,
              401);
    // Nor does the call's media token.
    EXPECT_EQ(relay_
                  ->request("GET",
                            "/v1/phone/whisper?call=" + id + "&token=" + call.stream_auth_token, "")
                  .status,
              401);
    EXPECT_EQ(relay_->request("GET", path, "").status, 200);
    EXPECT_GE(relay_->metric("donna_errors_total{code=\"invalid_whisper_token\"}"), 4);
}

// Hours of a business in UTC: every day "00:00-24:00" (always open) or none (always closed).
business_hours hours_always(bool open, business_hours::after after)
{
    nlohmann::json spec = {
        {"timezone", "UTC"},
        {"after_hours", after == business_hours::after::message ? "message" : "answer"}};
    if (open)
        for (const auto* day : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
            spec[day] = "00:00-24:00";
    auto hours = parse_business_hours(spec);
    EXPECT_TRUE(hours) << hours.error().message;
    return hours ? *hours : business_hours{};
}

TEST_F(PhoneTools, AfterHoursASiteThatTakesMessagesHasDonnaSayItIsClosedAndRefusesTransfers)
{
    start({}, true, 2000, [](config& cfg) {
        cfg.sites.sites[0].hours = hours_always(false, business_hours::after::message);
    });
    upstream_->script_function_calls({{"transfer_call", "{}"}});
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return outputs().size() == 1; }));
    EXPECT_NE(first_instructions(*upstream_, 0).find("outside the business's opening hours"),
              std::string::npos)
        << first_instructions(*upstream_, 0);
    EXPECT_EQ(outputs()[0]["status"], "refused");
    EXPECT_NE(outputs()[0]["detail"].get<std::string>().find("closed"), std::string::npos);
    // DONNA goes on (the response after the refusal) and the call is not put through.
    ASSERT_TRUE(media->wait_until([&] { return media->heard().size() >= 8000u * 95 / 100; }));
    // Nor does pressing 0: the key is taken (counted), and nobody is put through.
    media->press('0');
    ASSERT_TRUE(
        eventually([&] { return relay_->metric("donna_phone_keys_total{key=\"0\"}") == 1; }));
    EXPECT_TRUE(state_of(call).transferred_to.empty());
    EXPECT_EQ(relay_->metric("donna_phone_transfers_total"), 0);
}

TEST_F(PhoneTools, DuringBusinessHoursDonnaGreetsAsUsualAndKnowsTheHours)
{
    start({}, true, 2000, [](config& cfg) {
        cfg.sites.sites[0].hours = hours_always(true, business_hours::after::message);
    });
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(eventually([&] { return !first_instructions(*upstream_, 0).empty(); }));
    EXPECT_NE(first_instructions(*upstream_, 0).find("Hello, Acme reception, DONNA speaking."),
              std::string::npos);
    const auto update =
        tools_json::parse(upstream_->connections()[0].client_events.at(0))["session"];
    EXPECT_NE(update["instructions"].get<std::string>().find(
                  "opening hours: Monday 00:00-24:00; Tuesday 00:00-24:00"),
              std::string::npos);
}

// The business's server names a signed-in user's phone when it asks for their token; the
// user's memory gets one preference.
void sign_in_with_phone(test::relay_harness& relay, const std::string& phone)
{
    const auto session =
        relay.request("POST", "/v1/session",
                      tools_json{{"site", "demo"}, {"user_id", "u7"}, {"phone", phone}}.dump(),
                      test::bearer(test::test_admin_token));
    EXPECT_EQ(session.status, 200) << session.body;
    const auto token = session.json().value("token", "");
    const auto added =
        relay.request("POST", "/v1/memory",
                      R"({"kind":"preference","text":"Prefers to be called back in the morning"})",
                      test::bearer(token));
    EXPECT_EQ(added.status, 201) << added.body;
}

std::string session_instructions(const fakes::fake_realtime_server& upstream)
{
    const auto first = tools_json::parse(upstream.connections().at(0).client_events.at(0));
    return first["session"].value("instructions", "");
}

TEST_F(PhoneTools, AKnownCallerOfASiteThatTrustsCallerIdGetsWhatDonnaRemembersOfThem)
{
    start({}, true, 2000, [](config& cfg) { cfg.sites.sites[0].trust_caller_id = true; });
    sign_in_with_phone(*relay_, caller);
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(upstream_->wait_until(
        [](const auto& c) { return c.size() == 1 && !c[0].client_events.empty(); }));
    const auto instructions = session_instructions(*upstream_);
    EXPECT_NE(instructions.find("The caller is a known customer."), std::string::npos)
        << instructions;
    EXPECT_NE(instructions.find("Preference: Prefers to be called back in the morning"),
              std::string::npos)
        << instructions;
}

TEST_F(PhoneTools, CallerIdIsNotTrustedUnlessTheSiteSaysSo)
{
    start();
    sign_in_with_phone(*relay_, caller);
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(upstream_->wait_until(
        [](const auto& c) { return c.size() == 1 && !c[0].client_events.empty(); }));
    EXPECT_EQ(session_instructions(*upstream_).find("morning"), std::string::npos);
}

TEST_F(PhoneTools, OnlyTheBusinesssServerLinksAPhoneAndOnlyInE164Form)
{
    start();
    const auto ask = [&](const tools_json& body, bool admin) {
        return relay_
            ->request("POST", "/v1/session", body.dump(),
                      admin ? test::bearer(test::test_admin_token)
                            : std::map<std::string, std::string>{{"Origin", relay_->self_origin()}})
            .status;
    };
    EXPECT_EQ(ask({{"site", "demo"}, {"phone", caller}}, true), 400); // no user_id
    EXPECT_EQ(ask({{"site", "demo"}, {"user_id", "u7"}, {"phone", "555 0100"}}, true), 400);
    EXPECT_EQ(ask({{"site", "demo"}, {"user_id", "u7"}, {"phone", caller}}, false), 403);
    EXPECT_EQ(ask({{"site", "demo"}, {"user_id", "u7"}, {"phone", caller}}, true), 200);
}

TEST_F(PhoneTools, TheCallsRecordKeepsItsRealtimeTokensTheirCostAndTheCallsDuration)
{
    start();
    const auto call = ring();
    auto media = stream(call);
    ASSERT_TRUE(upstream_->wait_until([](const auto& c) {
        return c.size() == 1 &&
               std::any_of(c[0].client_events.begin(), c[0].client_events.end(),
                           [](const std::string& e) {
                               return e.find("response.create") != std::string::npos;
                           });
    }));
    ASSERT_TRUE(media->wait_until([&] { return media->heard().size() >= 8000u * 95 / 100; }));
    media->stop(); // the caller hangs up
    telnyx_.hang_up_call(call.call_control_id);
    tools_json usage;
    tools_json record;
    ASSERT_TRUE(eventually([&] {
        record = record_of(call);
        for (const auto& e : record["call"]["timeline"])
            if (e["type"] == "realtime_usage")
                usage = e["detail"];
        return !usage.is_null() && !record["call"]["duration_seconds"].is_null();
    })) << record.dump();
    EXPECT_GT(usage["output_tokens"].get<double>(), 0) << usage.dump();
    EXPECT_GT(usage["audio_output_tokens"].get<double>(), 0) << usage.dump();
    ASSERT_TRUE(usage["cost_usd"].is_number()) << usage.dump(); // the model has a price
    EXPECT_GT(usage["cost_usd"].get<double>(), 0);
    EXPECT_GE(record["call"]["duration_seconds"].get<std::int64_t>(), 0);
    // The same tokens went to the process-wide meter.
    EXPECT_GT(relay_->metric("donna_upstream_usage_total{model=\"" +
                             usage["model"].get<std::string>() +
                             "\",unit=\"output_tokens\",upstream=\"openai\"}"),
              0);
}

} // namespace
} // namespace donna::relay
