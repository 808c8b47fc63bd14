// The OpenAI HTTP fake over real TCP on loopback, driven by a small Beast HTTP/1.1 client.
#include "fake_openai_http.hpp"

#include "http_test_client.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace donna::fakes {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using json = nlohmann::json;
using namespace std::chrono_literals;

json chat_body(bool stream, bool include_usage = false)
{
    json body = {{"model", "gpt-4o"},
                 {"messages",
                  {{{"role", "system"}, {"content", "You are DONNA."}},
                   {{"role", "user"}, {"content", "Say hello"}}}}};
    if (stream)
        body["stream"] = true;
    if (include_usage)
        body["stream_options"] = {{"include_usage", true}};
    return body;
}

http::request<http::string_body> post(const json& body,
                                      const std::string& key = fake_openai_default_key(),
                                      const std::string& target = "/v1/chat/completions")
{
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    if (!key.empty())
        req.set(http::field::authorization, "Bearer " + key);
    req.body() = body.dump();
    return req;
}

// Each chunk must be exactly one "data: ...\n\n" event; returns the payloads.
std::vector<std::string> event_payloads(const std::vector<std::string>& chunks)
{
    std::vector<std::string> payloads;
    payloads.reserve(chunks.size());
    for (const auto& chunk : chunks) {
        EXPECT_TRUE(chunk.starts_with("data: ") && chunk.ends_with("\n\n")) << chunk;
        payloads.push_back(chunk.substr(6, chunk.size() - 8));
    }
    return payloads;
}

struct started_openai {
    explicit started_openai(const fake_openai_http_options& options = {}) : fake(options)
    {
        const auto started = fake.start();
        EXPECT_TRUE(started) << (started ? "" : started.error().message);
    }
    fake_openai_http fake;
};

TEST(FakeOpenAiHttp, RequestWithoutKeyIsRefusedWith401AndOpenAiErrorBody)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(false), ""));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.response.result(), http::status::unauthorized);
    const auto body = json::parse(r.response.body());
    EXPECT_EQ(body["error"]["type"], "invalid_request_error");
    EXPECT_TRUE(
        body["error"]["message"].get<std::string>().starts_with("You didn't provide an API key"));
    EXPECT_TRUE(body["error"]["param"].is_null());
    EXPECT_TRUE(body["error"]["code"].is_null());
}

TEST(FakeOpenAiHttp, WrongKeyIsRefusedWithInvalidApiKey)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(false), fake_openai_default_key() + "-wrong"));
    EXPECT_EQ(r.response.result(), http::status::unauthorized);
    EXPECT_EQ(json::parse(r.response.body())["error"]["code"], "invalid_api_key");
}

TEST(FakeOpenAiHttp, MissingMessagesIsA400NamingTheParameter)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post({{"model", "gpt-4o"}}));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.response.result(), http::status::bad_request);
    const auto error = json::parse(r.response.body())["error"];
    EXPECT_EQ(error["type"], "invalid_request_error");
    EXPECT_EQ(error["param"], "messages");
    EXPECT_EQ(error["code"], "missing_required_parameter");
}

TEST(FakeOpenAiHttp, EmptyMessagesAndBadJsonAreRefusedWith400)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto empty = c.exchange(post({{"model", "gpt-4o"}, {"messages", json::array()}}));
    EXPECT_EQ(empty.response.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(empty.response.body())["error"]["code"], "empty_array");

    auto garbage = post({});
    garbage.body() = "{not json";
    const auto bad = c.exchange(garbage);
    EXPECT_EQ(bad.response.result(), http::status::bad_request);
    EXPECT_TRUE(json::parse(bad.response.body())["error"].contains("message"));
}

TEST(FakeOpenAiHttp, NonStreamingRequestGetsAChatCompletionObject)
{
    started_openai s({.reply_text = "Hello there, visitor."});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(false)));
    ASSERT_FALSE(r.ec) << r.ec.message();
    ASSERT_EQ(r.response.result(), http::status::ok);
    EXPECT_EQ(r.response[http::field::content_type], "application/json");
    const auto body = json::parse(r.response.body());
    EXPECT_TRUE(body["id"].get<std::string>().starts_with("chatcmpl-"));
    EXPECT_EQ(body["object"], "chat.completion");
    EXPECT_TRUE(body["created"].is_number_integer());
    EXPECT_EQ(body["model"], "gpt-4o");
    ASSERT_EQ(body["choices"].size(), 1U);
    EXPECT_EQ(body["choices"][0]["index"], 0);
    EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
    EXPECT_EQ(body["choices"][0]["message"]["content"], "Hello there, visitor.");
    EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
    const auto& usage = body["usage"];
    EXPECT_GT(usage["prompt_tokens"].get<int>(), 0);
    EXPECT_EQ(usage["completion_tokens"], 3);
    EXPECT_EQ(usage["total_tokens"].get<int>(),
              usage["prompt_tokens"].get<int>() + usage["completion_tokens"].get<int>());
}

TEST(FakeOpenAiHttp, RequestsAreRecordedWithLowerCasedHeaders)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto body = chat_body(false);
    ASSERT_FALSE(c.exchange(post(body)).ec);
    const auto requests = s.fake.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].target, "/v1/chat/completions");
    EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer " + fake_openai_default_key());
    EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
    EXPECT_EQ(json::parse(requests[0].body), body);
    EXPECT_EQ(requests[0].connection, 1);
}

TEST(FakeOpenAiHttp, StreamSendsChunksInOrderThatConcatenateToTheReplyAndEndsWithDone)
{
    started_openai s({.reply_text = "Hello there, visitor."});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(true)));
    ASSERT_FALSE(r.ec) << r.ec.message();
    ASSERT_EQ(r.response.result(), http::status::ok);
    EXPECT_TRUE(r.response.chunked());
    EXPECT_TRUE(r.response[http::field::content_type].starts_with("text/event-stream"));

    const auto payloads = event_payloads(r.chunks);
    // role, three words, finish, [DONE]
    ASSERT_EQ(payloads.size(), 6U);
    EXPECT_EQ(payloads.back(), "[DONE]");
    std::string text;
    std::string id;
    for (std::size_t i = 0; i + 1 < payloads.size(); ++i) {
        const auto chunk = json::parse(payloads[i]);
        EXPECT_EQ(chunk["object"], "chat.completion.chunk");
        EXPECT_EQ(chunk["model"], "gpt-4o");
        EXPECT_FALSE(chunk.contains("usage")); // only when include_usage is asked for
        if (i == 0)
            id = chunk["id"];
        EXPECT_EQ(chunk["id"], id); // one id for the whole stream
        ASSERT_EQ(chunk["choices"].size(), 1U);
        const auto& choice = chunk["choices"][0];
        if (i == 0)
            EXPECT_EQ(choice["delta"]["role"], "assistant");
        else if (choice["delta"].contains("content"))
            text += choice["delta"]["content"].get<std::string>();
        if (i + 2 == payloads.size())
            EXPECT_EQ(choice["finish_reason"], "stop");
        else
            EXPECT_TRUE(choice["finish_reason"].is_null());
    }
    EXPECT_EQ(text, "Hello there, visitor.");
}

TEST(FakeOpenAiHttp, StreamWithIncludeUsageEndsWithAUsageChunkWithEmptyChoices)
{
    started_openai s({.reply_text = "Two words"});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(true, true)));
    ASSERT_FALSE(r.ec) << r.ec.message();
    const auto payloads = event_payloads(r.chunks);
    ASSERT_EQ(payloads.size(), 6U); // role, two words, finish, usage, [DONE]
    EXPECT_EQ(payloads[5], "[DONE]");
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_TRUE(json::parse(payloads[i])["usage"].is_null());
    const auto usage_chunk = json::parse(payloads[4]);
    EXPECT_TRUE(usage_chunk["choices"].empty());
    EXPECT_EQ(usage_chunk["usage"]["completion_tokens"], 2);
    EXPECT_EQ(usage_chunk["usage"]["total_tokens"].get<int>(),
              usage_chunk["usage"]["prompt_tokens"].get<int>() + 2);
}

TEST(FakeOpenAiHttp, RateLimitCarriesRetryAfterThenTheNextRequestSucceeds)
{
    started_openai s({.fault = openai_http_fault::status_429_with_retry_after,
                      .fault_count = 1,
                      .retry_after_seconds = 7});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto limited = c.exchange(post(chat_body(false)));
    ASSERT_FALSE(limited.ec) << limited.ec.message();
    EXPECT_EQ(limited.response.result(), http::status::too_many_requests);
    EXPECT_EQ(limited.response["retry-after"], "7");
    EXPECT_EQ(json::parse(limited.response.body())["error"]["code"], "rate_limit_exceeded");

    const auto next = c.exchange(post(chat_body(false)));
    ASSERT_FALSE(next.ec) << next.ec.message();
    EXPECT_EQ(next.response.result(), http::status::ok);
}

TEST(FakeOpenAiHttp, ServerErrorIsAnsweredTheGivenNumberOfTimes)
{
    started_openai s({.fault = openai_http_fault::status_500, .fault_count = 2});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    EXPECT_EQ(c.exchange(post(chat_body(false))).response.result(),
              http::status::internal_server_error);
    const auto second = c.exchange(post(chat_body(false)));
    EXPECT_EQ(second.response.result(), http::status::internal_server_error);
    EXPECT_EQ(json::parse(second.response.body())["error"]["type"], "server_error");
    EXPECT_EQ(c.exchange(post(chat_body(false))).response.result(), http::status::ok);
}

TEST(FakeOpenAiHttp, ResetMidStreamEndsTheConnectionAfterKChunks)
{
    started_openai s({.fault = openai_http_fault::reset_mid_stream, .fault_count = 2});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(true)));
    EXPECT_EQ(r.ec, http::error::partial_message) << r.ec.message();
    ASSERT_EQ(r.chunks.size(), 2U);
    EXPECT_EQ(json::parse(event_payloads(r.chunks)[0])["choices"][0]["delta"]["role"], "assistant");
    EXPECT_TRUE(c.closed_by_server());
}

TEST(FakeOpenAiHttp, StalledStreamSendsTheFirstChunkAndThenNothing)
{
    started_openai s({.fault = openai_http_fault::stall_stream});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    // Proving silence takes a wait; a short one keeps the test quick (a late byte would
    // only make it pass wrongly, never fail wrongly).
    const auto r = c.exchange(post(chat_body(true)), 300ms);
    EXPECT_EQ(r.ec, net::error::timed_out);
    ASSERT_EQ(r.chunks.size(), 1U);
    EXPECT_TRUE(r.chunks[0].starts_with("data: "));
}

TEST(FakeOpenAiHttp, TwoRequestsOnOneKeepAliveConnectionCountAsOneConnection)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto first = c.exchange(post(chat_body(true)));
    ASSERT_FALSE(first.ec) << first.ec.message();
    const auto second = c.exchange(post(chat_body(false)));
    ASSERT_FALSE(second.ec) << second.ec.message();
    EXPECT_EQ(second.response.result(), http::status::ok);
    EXPECT_EQ(s.fake.accepted_connections(), 1);
    const auto requests = s.fake.requests();
    ASSERT_EQ(requests.size(), 2U);
    EXPECT_EQ(requests[1].connection, 1);

    http_test_client other(s.fake.port());
    ASSERT_FALSE(other.connect());
    ASSERT_FALSE(other.exchange(post(chat_body(false))).ec);
    EXPECT_EQ(s.fake.accepted_connections(), 2);
}

TEST(FakeOpenAiHttp, UnknownPathIsA404InvalidUrl)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    auto req = post(chat_body(false));
    req.target("/v1/nothing");
    const auto r = c.exchange(req);
    EXPECT_EQ(r.response.result(), http::status::not_found);
    EXPECT_EQ(json::parse(r.response.body())["error"]["message"], "Invalid URL (POST /v1/nothing)");
}

// ---------------------------------------------------------------- chat: scripted replies

json chat_with_tools(bool stream)
{
    const json parameters = {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}};
    const json function = {{"name", "get_weather"}, {"parameters", parameters}};
    auto body = chat_body(stream);
    body["tools"] = json::array({{{"type", "function"}, {"function", function}}});
    return body;
}

constexpr std::string_view weather_arguments = R"({"city":"Zürich","unit":"celsius"})";

fake_openai_http_options with_weather_tool()
{
    return {.tool_call_name = "get_weather", .tool_call_arguments = std::string(weather_arguments)};
}

TEST(FakeOpenAiHttp, ScriptedToolCallIsTheReplyWhenTheRequestOffersThatFunction)
{
    started_openai s(with_weather_tool());
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_with_tools(false)));
    ASSERT_EQ(r.response.result(), http::status::ok);
    const auto choice = json::parse(r.response.body())["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "tool_calls");
    EXPECT_TRUE(choice["message"]["content"].is_null());
    ASSERT_EQ(choice["message"]["tool_calls"].size(), 1U);
    const auto& call = choice["message"]["tool_calls"][0];
    EXPECT_TRUE(call["id"].get<std::string>().starts_with("call_"));
    EXPECT_EQ(call["type"], "function");
    EXPECT_EQ(call["function"]["name"], "get_weather");
    EXPECT_EQ(call["function"]["arguments"], weather_arguments);
}

TEST(FakeOpenAiHttp, StreamedToolCallSendsItsIdentityOnceThenArgumentFragments)
{
    started_openai s(with_weather_tool());
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_with_tools(true)));
    ASSERT_FALSE(r.ec) << r.ec.message();
    const auto payloads = event_payloads(r.chunks);
    ASSERT_GE(payloads.size(), 5U); // identity, 2-3 fragments, finish, [DONE]
    EXPECT_EQ(payloads.back(), "[DONE]");

    const auto first = json::parse(payloads[0])["choices"][0]["delta"];
    EXPECT_EQ(first["role"], "assistant");
    const auto& identity = first["tool_calls"][0];
    EXPECT_EQ(identity["index"], 0);
    EXPECT_TRUE(identity["id"].get<std::string>().starts_with("call_"));
    EXPECT_EQ(identity["type"], "function");
    EXPECT_EQ(identity["function"]["name"], "get_weather");
    EXPECT_EQ(identity["function"]["arguments"], "");

    std::string arguments;
    std::size_t fragments = 0;
    for (std::size_t i = 1; i + 2 < payloads.size(); ++i) {
        const auto choice = json::parse(payloads[i])["choices"][0];
        EXPECT_TRUE(choice["finish_reason"].is_null());
        const auto& piece = choice["delta"]["tool_calls"][0];
        EXPECT_EQ(piece["index"], 0);
        EXPECT_FALSE(piece.contains("id")); // identity fields arrive once
        EXPECT_FALSE(piece["function"].contains("name"));
        arguments += piece["function"]["arguments"].get<std::string>();
        ++fragments;
    }
    EXPECT_GE(fragments, 2U);
    EXPECT_LE(fragments, 3U);
    EXPECT_EQ(arguments, weather_arguments);
    const auto last = json::parse(payloads[payloads.size() - 2])["choices"][0];
    EXPECT_EQ(last["finish_reason"], "tool_calls");
}

TEST(FakeOpenAiHttp, ScriptedToolCallIsNotMadeWhenTheRequestDoesNotOfferTheFunction)
{
    started_openai s(with_weather_tool());
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(false)));
    const auto choice = json::parse(r.response.body())["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "stop");
    EXPECT_EQ(choice["message"]["content"], "Hello from the fake.");
    EXPECT_FALSE(choice["message"].contains("tool_calls"));
}

// The second round of a tool call: the assistant's call, then the tool's result.
json answering_call(const std::string& call_id, const std::string& answered_id)
{
    auto body = chat_with_tools(false);
    body["messages"].push_back(
        {{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls",
          json::array({{{"id", call_id},
                        {"type", "function"},
                        {"function", {{"name", "get_weather"}, {"arguments", "{}"}}}}})}});
    body["messages"].push_back(
        {{"role", "tool"}, {"tool_call_id", answered_id}, {"content", R"({"temp":21})"}});
    return body;
}

TEST(FakeOpenAiHttp, AToolResultAnsweringTheCallGetsTheScriptedTextNotTheCallAgain)
{
    started_openai s(with_weather_tool());
    s.fake.set_reply_text("It is 21 degrees.");
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(answering_call("call_abc", "call_abc")));
    ASSERT_EQ(r.response.result(), http::status::ok) << r.response.body();
    const auto choice = json::parse(r.response.body())["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "stop");
    EXPECT_EQ(choice["message"]["content"], "It is 21 degrees.");
    EXPECT_FALSE(choice["message"].contains("tool_calls"));
}

TEST(FakeOpenAiHttp, AToolResultWhoseIdNoPrecedingCallMadeIsRefusedWith400)
{
    started_openai s(with_weather_tool());
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(answering_call("call_abc", "call_other")));
    ASSERT_EQ(r.response.result(), http::status::bad_request);
    const auto error = json::parse(r.response.body())["error"];
    EXPECT_EQ(error["type"], "invalid_request_error");
    EXPECT_EQ(error["param"], "messages.[3].role");
    EXPECT_NE(error["message"].get<std::string>().find(
                  "messages with role 'tool' must be a response to a preceeding message with "
                  "'tool_calls'"),
              std::string::npos);

    auto without_call = chat_with_tools(false); // a tool result with no call at all
    without_call["messages"].push_back(
        {{"role", "tool"}, {"tool_call_id", "call_abc"}, {"content", "{}"}});
    EXPECT_EQ(c.exchange(post(without_call)).response.result(), http::status::bad_request);
}

TEST(FakeOpenAiHttp, ACallWithoutItsToolResultIsRefusedWith400NamingTheCall)
{
    started_openai s(with_weather_tool());
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    auto body = answering_call("call_abc", "call_abc");
    body["messages"].erase(body["messages"].size() - 1); // drop the tool result
    body["messages"].push_back({{"role", "user"}, {"content", "And tomorrow?"}});
    const auto r = c.exchange(post(body));
    ASSERT_EQ(r.response.result(), http::status::bad_request);
    const auto message = json::parse(r.response.body())["error"]["message"].get<std::string>();
    EXPECT_NE(message.find("must be followed by tool messages"), std::string::npos);
    EXPECT_NE(message.find("call_abc"), std::string::npos);
}

TEST(FakeOpenAiHttp, ToolChoiceNoneGetsTextEvenWhenTheScriptedFunctionIsOffered)
{
    started_openai s(with_weather_tool());
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    auto body = chat_with_tools(false);
    body["tool_choice"] = "none";
    const auto choice = json::parse(c.exchange(post(body)).response.body())["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "stop");
    EXPECT_EQ(choice["message"]["content"], "Hello from the fake.");
}

// The error a chat request with these changes to chat_with_tools(false) gets (null: 200).
json reasoning_refusal(http_test_client& c, const json& changes)
{
    auto body = chat_with_tools(false);
    body.merge_patch(changes);
    const auto r = c.exchange(post(body));
    if (r.response.result() == http::status::ok)
        return nullptr;
    EXPECT_EQ(r.response.result(), http::status::bad_request);
    return json::parse(r.response.body())["error"];
}

TEST(FakeOpenAiHttp, Gpt6WithToolsAndTemperatureIsAcceptedOnlyWithReasoningEffortNone)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    EXPECT_TRUE(reasoning_refusal(c, {{"model", "gpt-6-luna"},
                                      {"reasoning_effort", "none"},
                                      {"temperature", 0.6},
                                      {"max_completion_tokens", 100}})
                    .is_null());
    // The default effort (medium) refuses temperature...
    const auto temperature = reasoning_refusal(c, {{"model", "gpt-6-luna"}, {"temperature", 0.6}});
    EXPECT_EQ(temperature["code"], "unsupported_parameter");
    EXPECT_EQ(temperature["param"], "temperature");
    // ...and function tools, even without one.
    const auto tools = reasoning_refusal(c, {{"model", "gpt-6-luna"}, {"reasoning_effort", "low"}});
    EXPECT_EQ(tools["param"], "reasoning_effort");
    EXPECT_EQ(tools["message"], "Function tools with reasoning_effort are not supported for "
                                "gpt-6-luna in /v1/chat/completions. Please use /v1/responses "
                                "instead.");
    const auto max_tokens = reasoning_refusal(
        c, {{"model", "gpt-6-luna"}, {"reasoning_effort", "none"}, {"max_tokens", 100}});
    EXPECT_EQ(max_tokens["param"], "max_tokens");
    const auto bad_level =
        reasoning_refusal(c, {{"model", "gpt-6-luna"}, {"reasoning_effort", "extreme"}});
    EXPECT_EQ(bad_level["code"], "invalid_value");
}

TEST(FakeOpenAiHttp, ModelBeforeReasoningRefusesReasoningEffortAndTakesTemperature)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    EXPECT_TRUE(reasoning_refusal(c, {{"model", "gpt-4o"}, {"temperature", 0.6}, {"max_tokens", 9}})
                    .is_null());
    const auto effort = reasoning_refusal(c, {{"model", "gpt-4o"}, {"reasoning_effort", "none"}});
    EXPECT_EQ(effort["code"], "unsupported_parameter");
    EXPECT_EQ(effort["param"], "reasoning_effort");
}

TEST(FakeOpenAiHttp, QueuedRepliesAnswerInOrderThenTheReplyTextReturns)
{
    started_openai s;
    s.fake.queue_replies({"First.", "Second."});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto content = [&] {
        const auto r = c.exchange(post(chat_body(false)));
        return json::parse(r.response.body())["choices"][0]["message"]["content"];
    };
    EXPECT_EQ(content(), "First.");
    EXPECT_EQ(content(), "Second.");
    EXPECT_EQ(content(), "Hello from the fake.");
}

TEST(FakeOpenAiHttp, SetReplyTextChangesTheRepliesFromThenOn)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    s.fake.set_reply_text("Changed at run time.");
    const auto r = c.exchange(post(chat_body(false)));
    EXPECT_EQ(json::parse(r.response.body())["choices"][0]["message"]["content"],
              "Changed at run time.");
}

// ---------------------------------------------------------------- moderation

http::request<http::string_body> moderation(const json& body)
{
    return post(body, fake_openai_default_key(), "/v1/moderations");
}

TEST(FakeOpenAiHttp, ModerationAnswersOneResultPerInputWithAllThirteenCategories)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(moderation({{"input", {"Good morning", "Book a table"}}}));
    ASSERT_EQ(r.response.result(), http::status::ok);
    EXPECT_EQ(r.response[http::field::content_type], "application/json");
    const auto body = json::parse(r.response.body());
    EXPECT_TRUE(body["id"].get<std::string>().starts_with("modr-"));
    EXPECT_EQ(body["model"], "omni-moderation-latest");
    ASSERT_EQ(body["results"].size(), 2U);
    const std::vector<std::string> keys = {"harassment",
                                           "harassment/threatening",
                                           "hate",
                                           "hate/threatening",
                                           "illicit",
                                           "illicit/violent",
                                           "self-harm",
                                           "self-harm/instructions",
                                           "self-harm/intent",
                                           "sexual",
                                           "sexual/minors",
                                           "violence",
                                           "violence/graphic"};
    for (const auto& result : body["results"]) {
        EXPECT_EQ(result["flagged"], false);
        ASSERT_EQ(result["categories"].size(), keys.size());
        ASSERT_EQ(result["category_scores"].size(), keys.size());
        for (const auto& key : keys) {
            EXPECT_EQ(result["categories"][key], false) << key;
            EXPECT_TRUE(result["category_scores"][key].is_number()) << key;
            EXPECT_EQ(result["category_applied_input_types"][key], json::array({"text"})) << key;
        }
    }
}

TEST(FakeOpenAiHttp, ModerationFlagsAnInputContainingAFlaggedWordAsViolenceIgnoringCase)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(moderation({{"input", "Plan the ATTACK at dawn"}}));
    const auto result = json::parse(r.response.body())["results"][0];
    EXPECT_EQ(result["flagged"], true);
    EXPECT_EQ(result["categories"]["violence"], true);
    EXPECT_GT(result["category_scores"]["violence"].get<double>(), 0.5);
    EXPECT_EQ(result["categories"]["hate"], false);
}

TEST(FakeOpenAiHttp, ModerationEchoesTheGivenModelAndLegacyModelsHaveNoIllicitCategories)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r =
        c.exchange(moderation({{"input", "hello"}, {"model", "text-moderation-latest"}}));
    const auto body = json::parse(r.response.body());
    EXPECT_EQ(body["model"], "text-moderation-latest");
    EXPECT_TRUE(body["results"][0]["categories"]["illicit"].is_null());
    EXPECT_EQ(body["results"][0]["categories"]["violence"], false);
}

TEST(FakeOpenAiHttp, ModerationWithoutInputIsA400NamingInput)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(moderation({{"model", "omni-moderation-latest"}}));
    EXPECT_EQ(r.response.result(), http::status::bad_request);
    const auto error = json::parse(r.response.body())["error"];
    EXPECT_EQ(error["param"], "input");
    EXPECT_EQ(error["code"], "missing_required_parameter");
}

TEST(FakeOpenAiHttp, ModerationWithANumberAsInputIsA400InvalidType)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(moderation({{"input", 42}}));
    EXPECT_EQ(r.response.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(r.response.body())["error"]["code"], "invalid_type");
}

// ---------------------------------------------------------------- transcription

http::request<http::string_body> transcription(const std::vector<form_data::field>& fields)
{
    const form_data form;
    http::request<http::string_body> req{http::verb::post, "/v1/audio/transcriptions", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, form.content_type());
    req.set(http::field::authorization, "Bearer " + fake_openai_default_key());
    req.body() = form.body(fields);
    return req;
}

std::vector<form_data::field> whisper_fields(std::string audio, std::string format = "json")
{
    return {{.name = "file",
             .data = std::move(audio),
             .filename = "turn.wav",
             .content_type = "audio/wav"},
            {.name = "model", .data = "whisper-1"},
            {.name = "language", .data = "en"},
            {.name = "response_format", .data = std::move(format)},
            {.name = "temperature", .data = "0"},
            {.name = "prompt", .data = "DONNA, calendar"}};
}

TEST(FakeOpenAiHttp, TranscriptionAnswersTheScriptedTextAsJson)
{
    started_openai s({.transcript_text = "Book a table for two."});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(transcription(whisper_fields(wav_bytes(16000, 1.5))));
    ASSERT_EQ(r.response.result(), http::status::ok) << r.response.body();
    EXPECT_EQ(r.response[http::field::content_type], "application/json");
    EXPECT_EQ(json::parse(r.response.body()), json({{"text", "Book a table for two."}}));
}

TEST(FakeOpenAiHttp, TranscriptionWithTextFormatAnswersPlainText)
{
    started_openai s;
    s.fake.set_transcript_text("Plain words.");
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(transcription(whisper_fields(wav_bytes(16000, 0.5), "text")));
    ASSERT_EQ(r.response.result(), http::status::ok) << r.response.body();
    EXPECT_TRUE(r.response[http::field::content_type].starts_with("text/plain"));
    EXPECT_EQ(r.response.body(), "Plain words.\n");
}

TEST(FakeOpenAiHttp, TranscriptionRecordsEveryPartAndTheAudioBytes)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto audio = wav_bytes(16000, 1.5);
    ASSERT_FALSE(c.exchange(transcription(whisper_fields(audio))).ec);
    const auto requests = s.fake.requests();
    ASSERT_EQ(requests.size(), 1U);
    const auto& r = requests[0];
    ASSERT_EQ(r.parts.size(), 6U);
    const auto* file = r.part("file");
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(file->filename, "turn.wav");
    EXPECT_EQ(file->content_type, "audio/wav");
    EXPECT_EQ(file->data, audio);
    // A RIFF/WAVE header whose data chunk holds 1.5 s of 16 kHz 16-bit mono.
    EXPECT_TRUE(file->data.starts_with("RIFF"));
    EXPECT_EQ(file->data.substr(8, 4), "WAVE");
    EXPECT_EQ(file->data.size() - 44, 16000U * 2U * 3U / 2U);
    EXPECT_EQ(r.part("model")->data, "whisper-1");
    EXPECT_EQ(r.part("language")->data, "en");
    EXPECT_EQ(r.part("response_format")->data, "json");
    EXPECT_EQ(r.part("temperature")->data, "0");
    EXPECT_EQ(r.part("prompt")->data, "DONNA, calendar");
    EXPECT_TRUE(r.part("model")->filename.empty());
}

TEST(FakeOpenAiHttp, TranscriptionWithoutFileIsA400NamingFile)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(transcription({{.name = "model", .data = "whisper-1"}}));
    EXPECT_EQ(r.response.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(r.response.body())["error"]["param"], "file");
}

TEST(FakeOpenAiHttp, TranscriptionWithoutModelIsA400NamingModel)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(
        transcription({{.name = "file", .data = wav_bytes(16000, 0.2), .filename = "a.wav"}}));
    EXPECT_EQ(r.response.result(), http::status::bad_request);
    const auto error = json::parse(r.response.body())["error"];
    EXPECT_EQ(error["param"], "model");
    EXPECT_EQ(error["type"], "invalid_request_error");
}

TEST(FakeOpenAiHttp, TranscriptionOfAWavFileThatIsNoWavIsRefusedAsCorrupted)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(transcription(whisper_fields(std::string(400, 'x'))));
    EXPECT_EQ(r.response.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(r.response.body())["error"]["message"],
              "Audio file might be corrupted or unsupported");
}

TEST(FakeOpenAiHttp, TranscriptionOfJsonIsRefusedForItsContentType)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(
        post({{"model", "whisper-1"}}, fake_openai_default_key(), "/v1/audio/transcriptions"));
    EXPECT_EQ(r.response.result(), http::status::bad_request);
    EXPECT_TRUE(json::parse(r.response.body())["error"]["message"].get<std::string>().starts_with(
        "Invalid Content-Type header"));
}

// ---------------------------------------------------------------- faults on every endpoint

TEST(FakeOpenAiHttp, ServerErrorFaultAppliesToModeration)
{
    started_openai s({.fault = openai_http_fault::status_500});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(moderation({{"input", "hi"}}));
    EXPECT_EQ(r.response.result(), http::status::internal_server_error);
    EXPECT_EQ(json::parse(r.response.body())["error"]["type"], "server_error");
}

TEST(FakeOpenAiHttp, RateLimitFaultAppliesToTranscription)
{
    started_openai s(
        {.fault = openai_http_fault::status_429_with_retry_after, .retry_after_seconds = 3});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(transcription(whisper_fields(wav_bytes(16000, 0.2))));
    EXPECT_EQ(r.response.result(), http::status::too_many_requests);
    EXPECT_EQ(r.response["retry-after"], "3");
}

TEST(FakeOpenAiHttp, ResetFaultClosesANonStreamedModerationWithoutAnswer)
{
    started_openai s({.fault = openai_http_fault::reset_mid_stream});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(moderation({{"input", "hi"}}));
    EXPECT_TRUE(r.ec);
    EXPECT_TRUE(c.closed_by_server());
}

// ---------------------------------------------------------------- TLS

TEST(FakeOpenAiHttp, TlsBaseUrlIsHttps)
{
    started_openai s({.tls = true});
    EXPECT_EQ(s.fake.base_url(), "https://127.0.0.1:" + std::to_string(s.fake.port()) + "/v1");
}

TEST(FakeOpenAiHttp, TlsCertificateVerifiesForTheLoopbackAddress)
{
    started_openai s({.tls = true});
    http_test_client c(s.fake.port(), {.tls = true, .host = "127.0.0.1"});
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(false)));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.response.result(), http::status::ok);
}

TEST(FakeOpenAiHttp, TlsCertificateVerifiesForLocalhost)
{
    started_openai s({.tls = true});
    http_test_client c(s.fake.port(), {.tls = true, .host = "localhost"});
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(true)));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(event_payloads(r.chunks).back(), "[DONE]");
}

TEST(FakeOpenAiHttp, TlsCertificateDoesNotVerifyForAnotherName)
{
    started_openai s({.tls = true});
    http_test_client c(s.fake.port(), {.tls = true, .host = "api.openai.com"});
    EXPECT_TRUE(c.connect());
}

TEST(FakeOpenAiHttp, TlsHandshakesCountOnePerConnectionHoweverManyRequests)
{
    started_openai s({.tls = true});
    http_test_client c(s.fake.port(), {.tls = true});
    ASSERT_FALSE(c.connect());
    ASSERT_FALSE(c.exchange(post(chat_body(false))).ec);
    ASSERT_FALSE(c.exchange(moderation({{"input", "hi"}})).ec);
    EXPECT_EQ(s.fake.tls_handshakes(), 1);

    http_test_client other(s.fake.port(), {.tls = true});
    ASSERT_FALSE(other.connect());
    ASSERT_FALSE(other.exchange(post(chat_body(false))).ec);
    EXPECT_EQ(s.fake.tls_handshakes(), 2);
    EXPECT_EQ(s.fake.accepted_connections(), 2);
}

TEST(FakeOpenAiHttp, PlainServerCountsNoTlsHandshakes)
{
    started_openai s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    ASSERT_FALSE(c.exchange(post(chat_body(false))).ec);
    EXPECT_EQ(s.fake.tls_handshakes(), 0);
    EXPECT_EQ(s.fake.base_url(), "http://127.0.0.1:" + std::to_string(s.fake.port()) + "/v1");
}

} // namespace
} // namespace donna::fakes
