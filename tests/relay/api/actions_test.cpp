// The chat's actions through the real relay over loopback: the model's tool calls (scripted in
// the fake OpenAI REST API) validated and carried out, the second round's text relayed, and
// GET /v1/messages for the staff; with the relay's SQLite database in memory.
#include "app/services.hpp"
#include "chat/chat_tools.hpp"
#include "fake_http_server.hpp"
#include "fake_openai_http.hpp"
#include "relay_harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <string>
#include <vector>

namespace donna::relay::test {
namespace {

using fakes::fake_openai_http;
using json = nlohmann::json;

constexpr const char* second_round_text = "Thank you, I have passed that on.";

// The messages of the chat completions request number `n` the fake received.
json sent_messages(const fake_openai_http& fake, std::size_t n)
{
    return json::parse(fake.requests().at(n).body)["messages"];
}

// The schema with its descriptions left out: the shape the tests pin down exactly.
json without_descriptions(json j)
{
    if (j.is_object()) {
        j.erase("description");
        for (auto& [key, value] : j.items())
            value = without_descriptions(value);
    } else if (j.is_array()) {
        for (auto& value : j)
            value = without_descriptions(value);
    }
    return j;
}

class Actions : public ::testing::Test {
protected:
    void SetUp() override
    {
        fakes::fake_openai_http_options o;
        o.reply_text = second_round_text;
        fake = std::make_unique<fake_openai_http>(o);
        ASSERT_TRUE(fake->start());
    }

    config actions_config() const
    {
        auto c = test_config();
        c.openai_api_key = fakes::fake_openai_default_key();
        c.openai_base_url = fake->base_url();
        c.upstream_connect_attempts = 2;
        c.moderation = false;
        c.admin_token = test_admin_token;
        return c;
    }

    // One POST /v1/chat with the model scripted to call `tool` with `arguments` first.
    // `said` is the visitor's message: the recipient policy lets DONNA write only to an
    // address or number the visitor wrote in the conversation.
    http_result chat_calling(relay_harness& relay, const std::string& tool,
                             const std::string& arguments, const std::string& token = "",
                             bool stream = false,
                             const std::string& said = "Could you pass something on?")
    {
        fake->set_tool_call(tool, arguments);
        const json body = {{"message", said}, {"stream", stream}};
        return relay.request("POST", "/v1/chat", body.dump(),
                             bearer(token.empty() ? relay.session_token("demo") : token));
    }

    json staff_listing(relay_harness& relay, const std::string& query = "")
    {
        const auto r = relay.request("GET", "/v1/messages" + query, "", bearer(test_admin_token));
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json();
    }

    std::unique_ptr<fake_openai_http> fake;
};

TEST_F(Actions, ATakeMessageCallIsStoredListedForStaffAndTheVisitorGetsTheSecondRoundsText)
{
    relay_harness relay(actions_config());
    const std::string arguments =
        R"({"name":"Ana Lopez","message":"Please call me about order 42","phone":"+15550100199"})";
    const auto r = chat_calling(relay, "take_message", arguments);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto answer = r.json();
    EXPECT_EQ(answer["text"], second_round_text);
    EXPECT_EQ(answer["fallback"], false);
    ASSERT_EQ(answer["actions"].size(), 1U);
    EXPECT_EQ(answer["actions"][0]["name"], "take_message");
    EXPECT_EQ(answer["actions"][0]["status"], "recorded");
    const auto id = answer["actions"][0]["id"].get<std::int64_t>();
    EXPECT_GT(id, 0);

    // The second request carries the call and its result, in the API's pairing.
    ASSERT_EQ(fake->requests().size(), 2U);
    const auto messages = sent_messages(*fake, 1);
    ASSERT_EQ(messages.size(), 4U); // system, user, assistant's call, tool result
    const auto& call = messages[2];
    EXPECT_EQ(call["role"], "assistant");
    EXPECT_TRUE(call["content"].is_null());
    ASSERT_EQ(call["tool_calls"].size(), 1U);
    const auto call_id = call["tool_calls"][0]["id"].get<std::string>();
    EXPECT_TRUE(call_id.starts_with("call_"));
    EXPECT_EQ(call["tool_calls"][0]["function"]["name"], "take_message");
    EXPECT_EQ(call["tool_calls"][0]["function"]["arguments"], arguments);
    EXPECT_EQ(messages[3]["role"], "tool");
    EXPECT_EQ(messages[3]["tool_call_id"], call_id);
    const auto result = json::parse(messages[3]["content"].get<std::string>());
    EXPECT_EQ(result["status"], "recorded");
    EXPECT_EQ(result["id"], id);

    const auto listing = staff_listing(relay);
    ASSERT_EQ(listing["messages"].size(), 1U);
    const auto& stored = listing["messages"][0];
    EXPECT_EQ(stored["id"], id);
    EXPECT_EQ(stored["site"], "demo");
    EXPECT_EQ(stored["kind"], "take_message");
    EXPECT_FALSE(stored["conversation"].get<std::string>().empty());
    EXPECT_GT(stored["created_at"].get<std::int64_t>(), 0);
    EXPECT_EQ(stored["fields"], json::parse(arguments));
    EXPECT_TRUE(listing["outbox"].empty());
    EXPECT_EQ(
        relay.metric(
            R"(donna_actions_total{action="take_message",channel="chat",outcome="recorded"})"),
        1);
}

TEST_F(Actions, ARequestCallbackCallIsStoredAsACallbackForTheStaff)
{
    relay_harness relay(actions_config());
    const std::string arguments =
        R"({"name":"Ben","phone":"+447700900123","preferred_time":"tomorrow after 10","reason":"a quote"})";
    const auto r = chat_calling(relay, "request_callback", arguments);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["text"], second_round_text);
    EXPECT_EQ(r.json()["actions"][0]["status"], "recorded");

    const auto listing = staff_listing(relay);
    ASSERT_EQ(listing["messages"].size(), 1U);
    EXPECT_EQ(listing["messages"][0]["kind"], "request_callback");
    EXPECT_EQ(listing["messages"][0]["fields"], json::parse(arguments));
    EXPECT_EQ(listing["messages"][0]["id"], r.json()["actions"][0]["id"]);
}

TEST_F(Actions, SendEmailAndSendSmsAreQueuedInTheOutboxNotSent)
{
    relay_harness relay(actions_config());
    const auto email =
        chat_calling(relay, "send_email",
                     R"({"to":"ana@example.com","subject":"Our hours","body":"We open at nine."})",
                     "", false, "Please email the hours to ana@example.com");
    ASSERT_EQ(email.status, 200) << email.body;
    EXPECT_EQ(email.json()["actions"][0]["status"], "queued");
    const auto sms =
        chat_calling(relay, "send_sms", R"({"to":"+15550100199","body":"See you at 3."})", "",
                     false, "Text me on +1 555 010 0199");
    ASSERT_EQ(sms.status, 200) << sms.body;
    EXPECT_EQ(sms.json()["actions"][0]["name"], "send_sms");
    EXPECT_EQ(sms.json()["actions"][0]["status"], "queued");
    EXPECT_EQ(sms.json()["text"], second_round_text);

    const auto listing = staff_listing(relay);
    EXPECT_TRUE(listing["messages"].empty());
    const auto& outbox = listing["outbox"];
    ASSERT_EQ(outbox.size(), 2U);
    EXPECT_EQ(outbox[0]["channel"], "sms"); // newest first
    EXPECT_EQ(outbox[0]["recipient"], "+15550100199");
    EXPECT_EQ(outbox[0]["payload"], json({{"body", "See you at 3."}}));
    EXPECT_EQ(outbox[0]["status"], "queued");
    EXPECT_EQ(outbox[0]["attempts"], 0);
    EXPECT_EQ(outbox[0]["id"], sms.json()["actions"][0]["id"]);
    EXPECT_EQ(outbox[1]["channel"], "email");
    EXPECT_EQ(outbox[1]["recipient"], "ana@example.com");
    EXPECT_EQ(outbox[1]["payload"], json({{"subject", "Our hours"}, {"body", "We open at nine."}}));
    EXPECT_EQ(outbox[1]["status"], "queued");
    // Durable: the rows are in the database itself, not only in the answer.
    const auto rows = relay.svc().db().query("SELECT COUNT(*) FROM outbox WHERE status = 'queued'");
    ASSERT_TRUE(rows);
    EXPECT_EQ(integer_of((*rows)[0][0]), 2);
}

// An invalid call: nothing stored, the tool result tells the model why, the visitor still gets
// the model's (second-round) answer, and the call is counted.
void expect_not_executed(relay_harness& relay, const fake_openai_http& fake, const http_result& r,
                         const std::string& tool, const std::string& error_part)
{
    ASSERT_EQ(r.status, 200) << r.body;
    const auto answer = r.json();
    EXPECT_EQ(answer["text"], second_round_text);
    ASSERT_EQ(answer["actions"].size(), 1U);
    EXPECT_EQ(answer["actions"][0]["name"], tool);
    EXPECT_EQ(answer["actions"][0]["status"], "invalid");
    EXPECT_TRUE(answer["actions"][0]["id"].is_null());
    EXPECT_NE(answer["actions"][0]["error"].get<std::string>().find(error_part), std::string::npos)
        << answer["actions"][0]["error"];

    ASSERT_EQ(fake.requests().size(), 2U);
    const auto messages = sent_messages(fake, 1);
    ASSERT_EQ(messages.back()["role"], "tool");
    const auto result = json::parse(messages.back()["content"].get<std::string>());
    EXPECT_EQ(result["status"], "invalid");
    EXPECT_NE(result["error"].get<std::string>().find(error_part), std::string::npos) << result;
    EXPECT_FALSE(result.contains("id"));

    const auto listing = relay.request("GET", "/v1/messages", "", bearer(test_admin_token)).json();
    EXPECT_TRUE(listing["messages"].empty());
    EXPECT_TRUE(listing["outbox"].empty());
    EXPECT_EQ(relay.metric("donna_actions_total{action=\"" + tool +
                           "\",channel=\"chat\",outcome=\"invalid\"}"),
              1);
}

TEST_F(Actions, ABadPhoneNumberIsNotExecutedAndTheModelIsToldToAskForE164)
{
    relay_harness relay(actions_config());
    const auto r = chat_calling(relay, "request_callback", R"({"name":"Ben","phone":"555-0199"})");
    expect_not_executed(relay, *fake, r, "request_callback",
                        "\"phone\" must be a phone number in E.164 form");
}

TEST_F(Actions, AMissingFieldIsNotExecutedAndTheModelIsToldWhichField)
{
    relay_harness relay(actions_config());
    const auto r = chat_calling(relay, "send_email", R"({"to":"ana@example.com","body":"Hi"})");
    expect_not_executed(relay, *fake, r, "send_email", "\"subject\" is required");
}

TEST_F(Actions, ArgumentsThatAreNotJsonAreNotExecuted)
{
    relay_harness relay(actions_config());
    const auto r = chat_calling(relay, "send_sms", R"({"to":"+15550100199","body":"Hi)");
    expect_not_executed(relay, *fake, r, "send_sms", "the arguments are not valid JSON");
}

TEST_F(Actions, AStreamedTurnRelaysTheSecondRoundsDeltasAndListsTheActionsInTheMessage)
{
    relay_harness relay(actions_config());
    const auto r =
        chat_calling(relay, "take_message", R"({"name":"Ana","message":"Call me"})", "", true);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto events = sse_events(r.body);
    ASSERT_GE(events.size(), 3U);
    std::string joined;
    for (std::size_t i = 0; i + 1 < events.size(); ++i) {
        ASSERT_EQ(events[i]["type"], "donna.chat.delta") << events[i];
        joined += events[i]["delta"].get<std::string>();
    }
    EXPECT_EQ(joined, second_round_text);
    const auto& message = events.back();
    EXPECT_EQ(message["type"], "donna.chat.message");
    EXPECT_EQ(message["text"], second_round_text);
    ASSERT_EQ(message["actions"].size(), 1U);
    EXPECT_EQ(message["actions"][0]["status"], "recorded");
}

TEST_F(Actions, TheToolsOfferedUpstreamHaveTheExactSchemaShape)
{
    relay_harness relay(actions_config());
    ASSERT_EQ(chat_calling(relay, "", "{}").status, 200); // no call scripted: one request
    ASSERT_EQ(fake->requests().size(), 1U);
    const auto sent = json::parse(fake->requests()[0].body);
    EXPECT_EQ(sent["tool_choice"], "auto");
    EXPECT_EQ(sent["tools"], chat_tools_json());
    ASSERT_EQ(sent["tools"].size(), 4U);
    std::vector<std::string> names;
    for (const auto& t : sent["tools"]) {
        names.push_back(t["function"]["name"].get<std::string>());
        EXPECT_FALSE(t["function"]["description"].get<std::string>().empty());
    }
    EXPECT_EQ(names, (std::vector<std::string>{"take_message", "request_callback", "send_email",
                                               "send_sms"}));
    const auto phone = json{{"type", "string"},
                            {"minLength", 1},
                            {"maxLength", 16},
                            {"pattern", "^\\+[1-9][0-9]{6,14}$"}};
    const auto text = [](int max, bool required) {
        json j = {{"type", "string"}, {"maxLength", max}};
        if (required)
            j["minLength"] = 1;
        return j;
    };
    const auto schema = [](json properties, json required) {
        return json{{"type", "function"},
                    {"function",
                     {{"name", ""},
                      {"parameters",
                       {{"type", "object"},
                        {"properties", std::move(properties)},
                        {"required", std::move(required)},
                        {"additionalProperties", false}}}}}};
    };
    const auto shape = [&](std::size_t i) {
        auto j = without_descriptions(sent["tools"][i]);
        j["function"]["name"] = "";
        return j;
    };
    auto optional_phone = phone;
    optional_phone.erase("minLength");
    EXPECT_EQ(shape(0),
              schema({{"name", text(100, true)},
                      {"message", text(2000, true)},
                      {"phone", optional_phone},
                      {"email", {{"type", "string"}, {"maxLength", 254}, {"format", "email"}}}},
                     {"name", "message"}));
    EXPECT_EQ(shape(1), schema({{"name", text(100, true)},
                                {"phone", phone},
                                {"preferred_time", text(500, false)},
                                {"reason", text(500, false)}},
                               {"name", "phone"}));
    EXPECT_EQ(
        shape(2),
        schema({{"to",
                 {{"type", "string"}, {"minLength", 1}, {"maxLength", 254}, {"format", "email"}}},
                {"subject", text(200, true)},
                {"body", text(5000, true)}},
               {"to", "subject", "body"}));
    EXPECT_EQ(shape(3), schema({{"to", phone}, {"body", text(1600, true)}}, {"to", "body"}));
}

TEST_F(Actions, WithChatToolsOffNoToolsAreOfferedAndNothingIsCalled)
{
    auto cfg = actions_config();
    cfg.chat_tools = false;
    relay_harness relay(cfg);
    const auto r = chat_calling(relay, "take_message", R"({"name":"Ana","message":"Hi"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.json().contains("actions"));
    const auto sent = json::parse(fake->requests().at(0).body);
    EXPECT_FALSE(sent.contains("tools"));
    EXPECT_FALSE(sent.contains("tool_choice"));
    EXPECT_EQ(fake->requests().size(), 1U);
}

TEST_F(Actions, TheNextTurnCarriesTheCallAndItsResultInTheHistory)
{
    relay_harness relay(actions_config());
    const auto token = relay.session_token("demo");
    ASSERT_EQ(chat_calling(relay, "take_message", R"({"name":"Ana","message":"Hi"})", token).status,
              200);
    fake->set_tool_call("", "{}");
    const auto next = relay.request("POST", "/v1/chat", R"({"message":"Thanks!"})", bearer(token));
    ASSERT_EQ(next.status, 200) << next.body;
    EXPECT_EQ(next.json()["fallback"], false); // the fake accepted the pairing of the history
    ASSERT_EQ(fake->requests().size(), 3U);
    const auto messages = sent_messages(*fake, 2);
    // system, user, assistant's call, tool result, assistant's text, user
    ASSERT_EQ(messages.size(), 6U);
    EXPECT_EQ(messages[2]["tool_calls"][0]["function"]["name"], "take_message");
    EXPECT_EQ(messages[3]["role"], "tool");
    EXPECT_EQ(messages[3]["tool_call_id"], messages[2]["tool_calls"][0]["id"]);
    EXPECT_EQ(messages[4]["role"], "assistant");
    EXPECT_EQ(messages[4]["content"], second_round_text);
    EXPECT_EQ(messages[5]["content"], "Thanks!");
}

// A model scripted past what the faithful fake does: every answer calls take_message
// `parallel` times at once, whatever tool_choice says (what the relay's bounds on rounds and
// calls are for), or, with fail_after_first, every answer after the first is a 500.
class tool_calling_model : public fakes::http_handler {
public:
    explicit tool_calling_model(int parallel = 1, bool fail_after_first = false)
        : parallel_(parallel), fail_after_first_(fail_after_first)
    {}
    std::optional<fakes::http_answer> admit(const fakes::recorded_request&) override
    {
        return std::nullopt;
    }
    fakes::http_answer rate_limited(int) override { return {.status = 429}; }
    fakes::http_answer server_error() override { return {.status = 500}; }
    fakes::http_answer answer(const fakes::recorded_request&) override
    {
        if (answers_++ > 0 && fail_after_first_)
            return {.status = 500,
                    .headers = {{"content-type", "application/json"}},
                    .body = R"({"error":{"message":"The server had an error while processing )"
                            R"(your request.","type":"server_error","param":null,"code":null}})"};
        json calls = json::array();
        for (int i = 0; i < parallel_; ++i)
            calls.push_back({{"index", i},
                             {"id", "call_" + std::to_string(++calls_)},
                             {"type", "function"},
                             {"function",
                              {{"name", "take_message"},
                               {"arguments", R"({"name":"Ana","message":"Again"})"}}}});
        const json first = {{"choices",
                             {{{"index", 0},
                               {"delta", {{"role", "assistant"}, {"tool_calls", calls}}},
                               {"finish_reason", nullptr}}}}};
        const json last = {
            {"choices",
             {{{"index", 0}, {"delta", json::object()}, {"finish_reason", "tool_calls"}}}}};
        return {.status = 200,
                .headers = {{"content-type", "text/event-stream"}},
                .body = {},
                .chunked = true,
                .chunks = {"data: " + first.dump() + "\n\n", "data: " + last.dump() + "\n\n",
                           "data: [DONE]\n\n"}};
    }

private:
    int parallel_;
    bool fail_after_first_;
    std::atomic<int> answers_{0}, calls_{0};
};

// The relay pointed at a tool_calling_model instead of the fake OpenAI API.
struct relay_with_model {
    fakes::fake_http_server model;
    relay_harness relay;
    relay_with_model(std::unique_ptr<tool_calling_model> handler, config cfg)
        : model(std::move(handler), {.name = "model",
                                     .tls = false,
                                     .fault = fakes::http_fault::none,
                                     .fault_count = 1,
                                     .retry_after_seconds = 1}),
          relay(pointed_at(model, std::move(cfg)))
    {}
    static config pointed_at(fakes::fake_http_server& m, config cfg)
    {
        EXPECT_TRUE(m.start());
        cfg.openai_base_url = m.origin() + "/v1";
        return cfg;
    }
};

TEST_F(Actions, AModelThatKeepsCallingToolsIsStoppedAfterTwoRoundsWithAFallback)
{
    relay_with_model setup(std::make_unique<tool_calling_model>(), actions_config());
    auto& relay = setup.relay;
    auto& model = setup.model;
    const auto r = relay.request("POST", "/v1/chat", R"({"message":"Leave a message"})",
                                 bearer(relay.session_token("demo")));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto answer = r.json();
    EXPECT_EQ(answer["fallback"], true);
    EXPECT_EQ(answer["error"]["code"], "tool_rounds_exceeded");
    ASSERT_EQ(answer["actions"].size(), 2U); // the two rounds' calls were carried out
    EXPECT_EQ(answer["actions"][1]["status"], "recorded");

    const auto requests = model.requests();
    ASSERT_EQ(requests.size(), 3U); // two rounds of calls, then one told to answer in text
    EXPECT_EQ(json::parse(requests[0].body)["tool_choice"], "auto");
    EXPECT_EQ(json::parse(requests[1].body)["tool_choice"], "auto");
    const auto last = json::parse(requests[2].body);
    EXPECT_EQ(last["tool_choice"], "none");
    // Both rounds' calls and results, in order, after the visitor's message.
    const auto& messages = last["messages"];
    ASSERT_EQ(messages.size(), 6U);
    EXPECT_EQ(messages[2]["tool_calls"][0]["id"], "call_1");
    EXPECT_EQ(messages[3]["tool_call_id"], "call_1");
    EXPECT_EQ(messages[4]["tool_calls"][0]["id"], "call_2");
    EXPECT_EQ(messages[5]["tool_call_id"], "call_2");
    EXPECT_EQ(staff_listing(relay)["messages"].size(), 2U);
    EXPECT_EQ(relay.metric(R"(donna_errors_total{code="tool_rounds_exceeded"})"), 1);
}

TEST_F(Actions, CallsPastFourInOneTurnAreRefusedAndTheModelIsToldWhy)
{
    relay_with_model setup(std::make_unique<tool_calling_model>(5), actions_config());
    auto& relay = setup.relay;
    const auto r = relay.request("POST", "/v1/chat", R"({"message":"Five messages, please"})",
                                 bearer(relay.session_token("demo")));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto answer = r.json();
    // This model calls five again in its second round: those six past the fourth are refused.
    ASSERT_EQ(answer["actions"].size(), 10U);
    for (std::size_t i = 0; i < 10; ++i)
        EXPECT_EQ(answer["actions"][i]["status"], i < 4 ? "recorded" : "refused") << i;
    EXPECT_EQ(staff_listing(relay)["messages"].size(), 4U);

    // The second request answers all five calls; the fifth's result says why it was refused.
    const auto requests = setup.model.requests();
    ASSERT_GE(requests.size(), 2U);
    const auto messages = json::parse(requests[1].body)["messages"];
    ASSERT_EQ(messages.size(), 8U); // system, user, the calls, five results
    ASSERT_EQ(messages[2]["tool_calls"].size(), 5U);
    EXPECT_EQ(messages[7]["tool_call_id"], "call_5");
    EXPECT_NE(messages[7]["content"].get<std::string>().find("at most 4"), std::string::npos)
        << messages[7];
    EXPECT_EQ(messages[3]["tool_call_id"], "call_1");
}

TEST_F(Actions, ASecondRoundThatFailsKeepsTheActionsTakenAndGivesTheFallback)
{
    relay_with_model setup(std::make_unique<tool_calling_model>(1, true), actions_config());
    auto& relay = setup.relay;
    const auto token = relay.session_token("demo");
    const auto r =
        relay.request("POST", "/v1/chat", R"({"message":"Leave a message"})", bearer(token));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto answer = r.json();
    EXPECT_EQ(answer["fallback"], true);
    EXPECT_EQ(answer["error"]["code"], "upstream_error"); // the 500, after its retries
    ASSERT_EQ(answer["actions"].size(), 1U);              // taken before the failure, and reported
    EXPECT_EQ(answer["actions"][0]["status"], "recorded");
    EXPECT_EQ(staff_listing(relay)["messages"].size(), 1U);
    EXPECT_EQ(relay.metric(R"(donna_chat_turns_total{outcome="fallback"})"), 1);

    // The call and its result stay in the history, so the next turn does not take it again.
    relay.request("POST", "/v1/chat", R"({"message":"Did it work?"})", bearer(token));
    const auto messages = json::parse(setup.model.requests().back().body)["messages"];
    ASSERT_EQ(messages.size(), 6U) << messages; // system, user, call, result, fallback, user
    EXPECT_EQ(messages[2]["tool_calls"][0]["id"], "call_1");
    EXPECT_EQ(messages[3]["tool_call_id"], "call_1");
    EXPECT_EQ(messages[5]["content"], "Did it work?");
}

TEST_F(Actions, LogLinesAboutActionsCarryNoPersonalData)
{
    std::ostringstream log;
    {
        relay_harness relay(actions_config(), &log);
        ASSERT_EQ(chat_calling(relay, "send_sms", R"({"to":"+15550100177","body":"Secret plan"})",
                               "", false, "my number is +15550100177")
                      .status,
                  200);
        ASSERT_EQ(chat_calling(relay, "request_callback", R"({"name":"Zed Q","phone":"0170 1234"})")
                      .status,
                  200);
    }
    const auto text = log.str();
    EXPECT_NE(text.find("action send_sms queued as #1"), std::string::npos) << text;
    EXPECT_NE(text.find("action request_callback not carried out"), std::string::npos) << text;
    for (const auto* personal : {"+15550100177", "Secret plan", "Zed Q", "0170 1234"})
        EXPECT_EQ(text.find(personal), std::string::npos) << personal << "\n" << text;
}

TEST_F(Actions, MessagesWithoutATokenIs401AndWithAnotherTokenIs403)
{
    relay_harness relay(actions_config());
    const auto none = relay.request("GET", "/v1/messages");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.json()["error"]["code"], "missing_admin_token");
    EXPECT_EQ(none.headers.at("www-authenticate"), "Bearer");
    const auto wrong = relay.request("GET", "/v1/messages", "", bearer("not-the-admin-token"));
    EXPECT_EQ(wrong.status, 403);
    EXPECT_EQ(wrong.json()["error"]["code"], "admin_token_required");
    EXPECT_EQ(wrong.json()["error"]["type"], "invalid_request_error");
    // A visitor's session token is no admin token either.
    const auto visitor =
        relay.request("GET", "/v1/messages", "", bearer(relay.session_token("demo")));
    EXPECT_EQ(visitor.status, 403);
    EXPECT_EQ(relay.metric(R"(donna_errors_total{code="admin_token_required"})"), 2);
    EXPECT_EQ(relay.metric(R"(donna_errors_total{code="missing_admin_token"})"), 1);
}

TEST_F(Actions, MessagesAreRefusedWhenNoAdminTokenIsConfigured)
{
    auto cfg = actions_config();
    cfg.admin_token.clear();
    relay_harness relay(cfg);
    const auto r = relay.request("GET", "/v1/messages", "", bearer(test_admin_token));
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.json()["error"]["message"].get<std::string>().find("DONNA_ADMIN_TOKEN is not set"),
              std::string::npos);
}

TEST_F(Actions, MessagesFilterBySiteHonourTheLimitAndRefuseABadQuery)
{
    relay_harness relay(actions_config());
    ASSERT_EQ(chat_calling(relay, "take_message", R"({"name":"Ana","message":"First"})").status,
              200);
    ASSERT_EQ(chat_calling(relay, "take_message", R"({"name":"Ben","message":"Second"})").status,
              200);
    const auto newest = staff_listing(relay, "?site=demo&limit=1");
    ASSERT_EQ(newest["messages"].size(), 1U);
    EXPECT_EQ(newest["messages"][0]["fields"]["message"], "Second");
    EXPECT_EQ(staff_listing(relay, "?site=demo")["messages"].size(), 2U);
    EXPECT_TRUE(staff_listing(relay, "?site=elsewhere")["messages"].empty());
    EXPECT_EQ(staff_listing(relay, "?site=")["messages"].size(), 2U); // empty: every site

    for (const auto* query : {"?limit=0", "?limit=501", "?limit=ten", "?sort=asc"}) {
        const auto r =
            relay.request("GET", std::string("/v1/messages") + query, "", bearer(test_admin_token));
        EXPECT_EQ(r.status, 400) << query;
        EXPECT_EQ(r.json()["error"]["code"], "invalid_request") << query;
    }
    const auto post = relay.request("POST", "/v1/messages", "{}", bearer(test_admin_token));
    EXPECT_EQ(post.status, 405);
    EXPECT_EQ(post.json()["error"]["code"], "method_not_allowed");
}

TEST_F(Actions, AnEmailToAnAddressTheVisitorNeverWroteIsRefusedWithASentenceToSay)
{
    relay_harness relay(actions_config());
    const auto r = chat_calling(relay, "send_email",
                                R"({"to":"victim@elsewhere.example","subject":"Hi","body":"Spam"})",
                                "", false, "Send your price list to my friend, please");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["actions"][0]["status"], "refused");
    EXPECT_EQ(r.json()["actions"][0]["error"], "not_said");
    const auto result = json::parse(sent_messages(*fake, 1).back()["content"].get<std::string>());
    EXPECT_EQ(result["status"], "refused");
    EXPECT_NE(result["detail"].get<std::string>().find("an address you give me yourself"),
              std::string::npos);
    EXPECT_TRUE(staff_listing(relay)["outbox"].empty());
    EXPECT_EQ(relay.metric(
                  R"(donna_actions_total{action="send_email",channel="chat",outcome="refused"})"),
              1);
}

TEST_F(Actions, AThirdPartysAddressDictatedAfterTheVisitorsOwnIsRefused)
{
    relay_harness relay(actions_config());
    const auto token = relay.session_token("demo");
    const auto own = chat_calling(relay, "send_email",
                                  R"({"to":"ana@example.com","subject":"Menu","body":"Attached."})",
                                  token, false, "I'm ana@example.com, send me the menu");
    EXPECT_EQ(own.json()["actions"][0]["status"], "queued") << own.body;
    const auto other = chat_calling(
        relay, "send_email", R"({"to":"bob@other.example","subject":"Menu","body":"Attached."})",
        token, false, "and send it to my colleague bob@other.example too");
    EXPECT_EQ(other.json()["actions"][0]["status"], "refused") << other.body;
    EXPECT_EQ(other.json()["actions"][0]["error"], "one_per_conversation");
    const auto listing = staff_listing(relay);
    ASSERT_EQ(listing["outbox"].size(), 1U);
    EXPECT_EQ(listing["outbox"][0]["recipient"], "ana@example.com");
}

TEST_F(Actions, PastTheSitesDailyCapNoMoreEmailsGoToVisitors)
{
    auto c = actions_config();
    c.sites.sites[0].daily_email_cap = 1;
    relay_harness relay(c);
    EXPECT_EQ(chat_calling(relay, "send_email",
                           R"({"to":"ana@example.com","subject":"A","body":"B"})", "", false,
                           "ana@example.com")
                  .json()["actions"][0]["status"],
              "queued");
    const auto second =
        chat_calling(relay, "send_email", R"({"to":"ben@example.com","subject":"A","body":"B"})",
                     "", false, "ben@example.com");
    EXPECT_EQ(second.json()["actions"][0]["error"], "daily_cap") << second.body;
}

TEST_F(Actions, ANewMessageEmailsTheSitesStaffThroughTheOutboxFromTheirTemplate)
{
    auto c = actions_config();
    c.sites.sites[0].staff_emails = {"desk@acme.example", "owner@acme.example"};
    c.sites.sites[0].staff_notification.subject = "[{{site}}] {{kind}}: {{name}}";
    relay_harness relay(c);
    const auto r = chat_calling(
        relay, "take_message", R"({"name":"Ana <b>Lopez</b>","message":"Call me about order 42"})");
    ASSERT_EQ(r.json()["actions"][0]["status"], "recorded") << r.body;
    const auto listing = staff_listing(relay);
    ASSERT_EQ(listing["outbox"].size(), 2U);
    std::vector<std::string> to;
    for (const auto& row : listing["outbox"]) {
        EXPECT_EQ(row["audience"], "staff");
        EXPECT_EQ(row["channel"], "email");
        EXPECT_EQ(row["payload"]["subject"], "[demo] message: Ana <b>Lopez</b>");
        EXPECT_NE(row["payload"]["body"].get<std::string>().find("Message: Call me about order 42"),
                  std::string::npos);
        // The HTML part escapes what the visitor wrote.
        EXPECT_NE(row["payload"]["html"].get<std::string>().find("Ana &lt;b&gt;Lopez&lt;/b&gt;"),
                  std::string::npos);
        to.push_back(row["recipient"]);
    }
    std::sort(to.begin(), to.end());
    EXPECT_EQ(to, (std::vector<std::string>{"desk@acme.example", "owner@acme.example"}));
}

} // namespace
} // namespace donna::relay::test
