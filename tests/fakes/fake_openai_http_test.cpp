// The OpenAI HTTP fake over real TCP on loopback, driven by a small Beast HTTP/1.1 client.
#include "fake_openai_http.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
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
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr auto generous = std::chrono::milliseconds(10s);

// One answer as the client saw it: the head and body, each HTTP chunk of the body separately,
// and how reading ended (success, or the error that cut it short).
struct exchange_result {
    beast::error_code ec;
    http::response<http::string_body> response;
    std::vector<std::string> chunks;
};

// A synchronous-looking client on one connection whose every wait has a deadline, so that a
// broken fake fails a test instead of hanging it.
class client {
public:
    explicit client(std::uint16_t port) : port_(port) {}

    beast::error_code connect()
    {
        beast::error_code ec;
        socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
        return ec;
    }

    exchange_result exchange(http::request<http::string_body> request,
                             std::chrono::milliseconds timeout = generous)
    {
        exchange_result result;
        request.prepare_payload();
        http::write(socket_, request, result.ec);
        if (result.ec)
            return result;

        // With chunk callbacks set the parser hands chunked bodies to us instead of the body:
        // keep each chunk apart, and rebuild the whole body for the tests that only look at it.
        std::string body;
        // The parser keeps references to these, so they are declared before it.
        auto on_header = [&](std::uint64_t size, std::string_view, beast::error_code&) {
            if (size > 0)
                result.chunks.emplace_back();
        };
        auto on_body = [&](std::uint64_t, std::string_view data,
                           beast::error_code&) -> std::size_t {
            result.chunks.back().append(data);
            body.append(data);
            return data.size();
        };
        http::response_parser<http::string_body> parser;
        parser.body_limit(std::uint64_t{1024} * 1024);
        parser.on_chunk_header(on_header);
        parser.on_chunk_body(on_body);
        bool done = false;
        http::async_read(socket_, buffer_, parser, [&](beast::error_code e, std::size_t) {
            result.ec = e;
            done = true;
        });
        if (!run(done, timeout)) {
            beast::error_code ignored;
            socket_.cancel(ignored);
            run(done, generous); // lets the cancelled read finish before its state goes away
            result.ec = net::error::timed_out;
        }
        result.response = parser.release();
        if (!result.chunks.empty())
            result.response.body() = body;
        return result;
    }

    // Whether the server has closed this connection: the socket turns readable and a peek
    // finds end of stream. Asked of the kernel directly: Asio's edge-triggered reactor may not
    // report an end of stream it has already reported once.
    bool closed_by_server()
    {
        pollfd watched{.fd = socket_.native_handle(), .events = POLLIN, .revents = 0};
        if (::poll(&watched, 1, static_cast<int>(generous.count())) != 1)
            return false;
        char byte = 0;
        const auto got = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return got == 0 || (got < 0 && errno == ECONNRESET);
    }

private:
    bool run(const bool& done, std::chrono::milliseconds timeout)
    {
        ioc_.restart();
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done)
            if (ioc_.run_one_until(deadline) == 0)
                break;
        return done;
    }

    std::uint16_t port_;
    net::io_context ioc_;
    tcp::socket socket_{ioc_};
    beast::flat_buffer buffer_;
};

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
                                      const std::string& key = fake_openai_default_key())
{
    http::request<http::string_body> req{http::verb::post, "/v1/chat/completions", 11};
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

struct started_fake {
    explicit started_fake(fake_openai_http_options options = {}) : fake(std::move(options))
    {
        const auto started = fake.start();
        EXPECT_TRUE(started) << (started ? "" : started.error().message);
    }
    fake_openai_http fake;
};

TEST(FakeOpenAiHttp, RequestWithoutKeyIsRefusedWith401AndOpenAiErrorBody)
{
    started_fake s;
    client c(s.fake.port());
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
    started_fake s;
    client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(false), fake_openai_default_key() + "-wrong"));
    EXPECT_EQ(r.response.result(), http::status::unauthorized);
    EXPECT_EQ(json::parse(r.response.body())["error"]["code"], "invalid_api_key");
}

TEST(FakeOpenAiHttp, MissingMessagesIsA400NamingTheParameter)
{
    started_fake s;
    client c(s.fake.port());
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
    started_fake s;
    client c(s.fake.port());
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
    started_fake s({.reply_text = "Hello there, visitor."});
    client c(s.fake.port());
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
    started_fake s;
    client c(s.fake.port());
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
    started_fake s({.reply_text = "Hello there, visitor."});
    client c(s.fake.port());
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
    started_fake s({.reply_text = "Two words"});
    client c(s.fake.port());
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
    started_fake s({.fault = openai_http_fault::status_429_with_retry_after,
                    .fault_count = 1,
                    .retry_after_seconds = 7});
    client c(s.fake.port());
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
    started_fake s({.fault = openai_http_fault::status_500, .fault_count = 2});
    client c(s.fake.port());
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
    started_fake s({.fault = openai_http_fault::reset_mid_stream, .fault_count = 2});
    client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(post(chat_body(true)));
    EXPECT_EQ(r.ec, http::error::partial_message) << r.ec.message();
    ASSERT_EQ(r.chunks.size(), 2U);
    EXPECT_EQ(json::parse(event_payloads(r.chunks)[0])["choices"][0]["delta"]["role"], "assistant");
    EXPECT_TRUE(c.closed_by_server());
}

TEST(FakeOpenAiHttp, StalledStreamSendsTheFirstChunkAndThenNothing)
{
    started_fake s({.fault = openai_http_fault::stall_stream});
    client c(s.fake.port());
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
    started_fake s;
    client c(s.fake.port());
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

    client other(s.fake.port());
    ASSERT_FALSE(other.connect());
    ASSERT_FALSE(other.exchange(post(chat_body(false))).ec);
    EXPECT_EQ(s.fake.accepted_connections(), 2);
}

TEST(FakeOpenAiHttp, UnknownPathIsA404InvalidUrl)
{
    started_fake s;
    client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    auto req = post(chat_body(false));
    req.target("/v1/nothing");
    const auto r = c.exchange(req);
    EXPECT_EQ(r.response.result(), http::status::not_found);
    EXPECT_EQ(json::parse(r.response.body())["error"]["message"], "Invalid URL (POST /v1/nothing)");
}

} // namespace
} // namespace donna::fakes
