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

TEST(ChatCompletion, RequestCarriesThePersonasModelTemperatureLimitAndPrompt)
{
    const auto catalog = persona_catalog::defaults();
    const auto& receptionist = catalog.get(persona::receptionist);
    chat_history history(1000);
    history.add(chat_role::user, "Hello");
    history.add(chat_role::assistant, "Hi! How can I help?");
    history.add(chat_role::user, "Are you open?");
    const auto body = json::parse(chat_request_body(receptionist, history, {true, ""}));
    EXPECT_EQ(body["model"], "gpt-4o");
    EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.6);
    EXPECT_EQ(body["max_tokens"], receptionist.max_tokens);
    EXPECT_EQ(body["stream"], true);
    EXPECT_EQ(body["stream_options"]["include_usage"], true);
    ASSERT_EQ(body["messages"].size(), 4U);
    EXPECT_EQ(body["messages"][0]["role"], "system");
    EXPECT_EQ(body["messages"][0]["content"], receptionist.instructions);
    EXPECT_EQ(body["messages"][2]["role"], "assistant");
    EXPECT_EQ(body["messages"][3]["content"], "Are you open?");
}

TEST(ChatCompletion, ExtraSystemTextFollowsThePersonaPrompt)
{
    const auto catalog = persona_catalog::defaults();
    chat_history history(1000);
    history.add(chat_role::user, "Hi");
    const auto body = json::parse(
        chat_request_body(catalog.get(persona::sales), history, {false, "The user is Ana."}));
    EXPECT_FALSE(body.contains("stream_options"));
    const auto system = body["messages"][0]["content"].get<std::string>();
    EXPECT_EQ(system.substr(system.size() - 16), "The user is Ana.");
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
