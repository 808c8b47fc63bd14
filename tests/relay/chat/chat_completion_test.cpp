// Chat completions request bodies and answer decoding (relay/chat/chat_completion), and the
// token-bounded history (relay/chat/chat_history).
#include "chat/chat_completion.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

sse_event data(std::string text)
{
    return {"", std::move(text), ""};
}

chat_request_options options(bool stream, std::string extra_system)
{
    return {.stream = stream,
            .extra_system = std::move(extra_system),
            .offer_tools = false,
            .tools_final = false,
            .pending = {}};
}

TEST(ChatCompletion, RequestCarriesThePersonasModelTemperatureLimitAndPrompt)
{
    const auto catalog = persona_catalog::defaults();
    const auto& receptionist = catalog.get(persona::receptionist);
    chat_history history(1000);
    history.add(chat_role::user, "Hello");
    history.add(chat_role::assistant, "Hi! How can I help?");
    history.add(chat_role::user, "Are you open?");
    const auto body = json::parse(chat_request_body(receptionist, history, options(true, "")));
    EXPECT_EQ(body["model"], "gpt-6-luna");
    EXPECT_EQ(body["reasoning_effort"], "none");
    EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.6);
    EXPECT_EQ(body["max_completion_tokens"], receptionist.max_tokens);
    EXPECT_FALSE(body.contains("max_tokens"));
    EXPECT_EQ(body["stream"], true);
    EXPECT_EQ(body["stream_options"]["include_usage"], true);
    ASSERT_EQ(body["messages"].size(), 4U);
    EXPECT_EQ(body["messages"][0]["role"], "system");
    EXPECT_EQ(body["messages"][0]["content"], receptionist.instructions);
    EXPECT_EQ(body["messages"][2]["role"], "assistant");
    EXPECT_EQ(body["messages"][3]["content"], "Are you open?");
}

TEST(ChatCompletion, ThinkingPersonaSendsItsEffortAndNoTemperature)
{
    auto sales = persona_catalog::defaults().get(persona::sales);
    sales.reasoning_effort = "medium";
    chat_history history(1000);
    history.add(chat_role::user, "Hi");
    const auto body = json::parse(chat_request_body(sales, history, options(false, "")));
    EXPECT_EQ(body["reasoning_effort"], "medium");
    EXPECT_FALSE(body.contains("temperature"));
}

TEST(ChatCompletion, PinnedModelWithoutEffortSendsTemperatureAndNoEffort)
{
    auto sales = persona_catalog::defaults().get(persona::sales);
    sales.chat_model = "gpt-4o";
    sales.reasoning_effort.clear();
    chat_history history(1000);
    history.add(chat_role::user, "Hi");
    const auto body = json::parse(chat_request_body(sales, history, options(false, "")));
    EXPECT_EQ(body["model"], "gpt-4o");
    EXPECT_FALSE(body.contains("reasoning_effort"));
    EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.8);
}

TEST(ChatCompletion, ExtraSystemTextFollowsThePersonaPrompt)
{
    const auto catalog = persona_catalog::defaults();
    chat_history history(1000);
    history.add(chat_role::user, "Hi");
    const auto body = json::parse(chat_request_body(catalog.get(persona::sales), history,
                                                    options(false, "The user is Ana.")));
    EXPECT_FALSE(body.contains("stream_options"));
    const auto system = body["messages"][0]["content"].get<std::string>();
    EXPECT_EQ(system.substr(system.size() - 16), "The user is Ana.");
}

TEST(ChatCompletion, WithoutToolsTheRequestHasNoToolsOrToolChoice)
{
    chat_history history(1000);
    history.add(chat_role::user, "Hi");
    const auto body = json::parse(chat_request_body(
        persona_catalog::defaults().get(persona::general), history, options(true, "")));
    EXPECT_FALSE(body.contains("tools"));
    EXPECT_FALSE(body.contains("tool_choice"));
}

// A turn's tool rounds: the assistant message with its calls, one tool message per call, then
// the turn's text; pending rounds (this turn's) come after the history.
TEST(ChatCompletion, ToolRoundsBecomeTheCallsThenTheirResultsInOrder)
{
    chat_history history(4000);
    history.add(chat_role::user, "Take a message");
    history.add(chat_role::assistant, "Done.",
                {{.text = "",
                  .calls = {{.id = "call_1",
                             .name = "take_message",
                             .arguments = R"({"name":"Ana","message":"Hi"})",
                             .result = R"({"status":"recorded","id":1})"}}}});
    history.add(chat_role::user, "Text me too");
    auto o = options(true, "");
    o.offer_tools = true;
    o.tools_final = true;
    o.pending = {{.text = "Sure.",
                  .calls = {{.id = "call_2",
                             .name = "send_sms",
                             .arguments = R"({"to":"+15550100199","body":"Hi"})",
                             .result = R"({"status":"queued","id":4})"}}}};
    const auto body = json::parse(
        chat_request_body(persona_catalog::defaults().get(persona::general), history, o));
    const auto& m = body["messages"];
    ASSERT_EQ(m.size(), 8U); // system, user, call, result, text, user, call, result
    EXPECT_EQ(m[2]["role"], "assistant");
    EXPECT_TRUE(m[2]["content"].is_null());
    EXPECT_EQ(m[2]["tool_calls"][0]["id"], "call_1");
    EXPECT_EQ(m[2]["tool_calls"][0]["type"], "function");
    EXPECT_EQ(m[2]["tool_calls"][0]["function"]["name"], "take_message");
    EXPECT_EQ(m[2]["tool_calls"][0]["function"]["arguments"], R"({"name":"Ana","message":"Hi"})");
    EXPECT_EQ(m[3], json({{"role", "tool"},
                          {"tool_call_id", "call_1"},
                          {"content", R"({"status":"recorded","id":1})"}}));
    EXPECT_EQ(m[4]["content"], "Done.");
    EXPECT_EQ(m[5]["content"], "Text me too");
    EXPECT_EQ(m[6]["content"], "Sure.");
    EXPECT_EQ(m[6]["tool_calls"][0]["function"]["name"], "send_sms");
    EXPECT_EQ(m[7]["tool_call_id"], "call_2");
    EXPECT_EQ(body["tools"].size(), 4U);
    EXPECT_EQ(body["tool_choice"], "none");
}

TEST(ChatHistory, ATurnsToolRoundsCountTowardsTheBudgetAndLeaveWithIt)
{
    chat_history history(60);
    history.add(chat_role::user, "Take a message");
    const std::string long_result(200, 'x');
    history.add(chat_role::assistant, "Done.",
                {{.text = "",
                  .calls = {{.id = "c", .name = "n", .arguments = "{}", .result = long_result}}}});
    // The budget keeps the newest turn whole, calls and results included.
    ASSERT_EQ(history.turns().size(), 1U);
    EXPECT_EQ(history.turns().front().tool_rounds.size(), 1U);
    EXPECT_GT(history.tokens(), estimate_tokens(long_result));
}

TEST(ChatCompletion, StreamDecoderJoinsDeltasAndReadsUsageAndFinishReason)
{
    chat_stream_decoder d;
    EXPECT_EQ(
        *d.on_event(data(
            R"({"model":"gpt-4o-2024","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null})")),
        "");
    EXPECT_EQ(*d.on_event(data(
                  R"({"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]})")),
              "Hi");
    EXPECT_EQ(
        *d.on_event(
            data(R"({"choices":[{"index":0,"delta":{"content":" there"},"finish_reason":null}]})")),
        " there");
    EXPECT_EQ(*d.on_event(data(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})")),
              "");
    EXPECT_EQ(
        *d.on_event(data(
            R"({"choices":[],"usage":{"prompt_tokens":21,"completion_tokens":2,"total_tokens":23}})")),
        "");
    EXPECT_FALSE(d.done());
    EXPECT_EQ(*d.on_event(data("[DONE]")), "");
    EXPECT_TRUE(d.done());
    const auto& r = d.result_so_far();
    EXPECT_EQ(r.text, "Hi there");
    EXPECT_EQ(r.finish_reason, "stop");
    EXPECT_EQ(r.model, "gpt-4o-2024");
    EXPECT_EQ(r.prompt_tokens, 21);
    EXPECT_EQ(r.completion_tokens, 2);
}

TEST(ChatCompletion, StreamDecoderAccumulatesToolCallFragmentsByIndex)
{
    chat_stream_decoder d;
    ASSERT_TRUE(d.on_event(data(
        R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"take_message","arguments":""}}]}}]})")));
    ASSERT_TRUE(d.on_event(data(
        R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"name\":"}}]}}]})")));
    ASSERT_TRUE(d.on_event(data(
        R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Ana\"}"}}]},"finish_reason":"tool_calls"}]})")));
    const auto& r = d.result_so_far();
    ASSERT_EQ(r.tool_calls.size(), 1U);
    EXPECT_EQ(r.tool_calls[0].id, "call_1");
    EXPECT_EQ(r.tool_calls[0].name, "take_message");
    EXPECT_EQ(r.tool_calls[0].arguments, R"({"name":"Ana"})");
    EXPECT_EQ(r.finish_reason, "tool_calls");
}

TEST(ChatCompletion, StreamDecoderTurnsErrorsIntoErrors)
{
    chat_stream_decoder d;
    const auto broken = d.on_event(data("{not json"));
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code, errc::invalid_json);
    const auto failed = d.on_event(data(R"({"error":{"message":"The server had an error"}})"));
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find("The server had an error"), std::string::npos);
    const auto event = d.on_event({"error", R"({"x":1})", ""});
    EXPECT_FALSE(event);
}

TEST(ChatCompletion, ParsesAWholeCompletion)
{
    const auto r = parse_chat_completion(
        R"({"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->text, "Hello.");
    EXPECT_EQ(r->completion_tokens, 2);
    EXPECT_FALSE(parse_chat_completion(R"({"choices":[]})"));
    EXPECT_FALSE(parse_chat_completion("[]"));
}

TEST(ChatCompletion, ReadsTheMessageOfOpenAisErrorBody)
{
    EXPECT_EQ(
        openai_error_message(
            R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})"),
        "Incorrect API key provided");
    EXPECT_EQ(openai_error_message("<html>bad gateway</html>"), "");
}

TEST(ChatHistory, DropsTheOldestTurnsBeyondTheTokenBudget)
{
    chat_history history(30); // each 40-character turn is about 14 tokens
    const std::string turn(40, 'x');
    history.add(chat_role::user, turn + "1");
    history.add(chat_role::assistant, turn + "2");
    history.add(chat_role::user, turn + "3");
    ASSERT_EQ(history.turns().size(), 2U);
    EXPECT_EQ(history.turns().front().text, turn + "2");
    EXPECT_LE(history.tokens(), 30U);
}

TEST(ChatHistory, KeepsTheNewestTurnEvenWhenItAloneIsOverBudget)
{
    chat_history history(10);
    history.add(chat_role::user, "short");
    history.add(chat_role::user, std::string(400, 'y'));
    ASSERT_EQ(history.turns().size(), 1U);
    EXPECT_EQ(history.turns().front().text.size(), 400U);
}

TEST(ChatHistory, EstimatesAboutFourCharactersPerTokenPlusFraming)
{
    EXPECT_EQ(estimate_tokens(""), 4U);
    EXPECT_EQ(estimate_tokens("abcd"), 5U);
    EXPECT_EQ(estimate_tokens(std::string(400, 'a')), 104U);
}

} // namespace
} // namespace donna::relay
