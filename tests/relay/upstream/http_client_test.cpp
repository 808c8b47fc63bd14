// The upstream HTTP client (relay/upstream/http_client) over real loopback TCP against the
// fake OpenAI REST API (tests/fakes/fake_openai_http): answers, streams, keep-alive reuse,
// retries, Retry-After, timeouts, the circuit breaker, rate limits, cancellation, and TLS.
#include "upstream/http_client.hpp"

#include "fake_openai_http.hpp"
#include "io_thread.hpp"
#include "metrics/metrics.hpp"
#include "test_pki.hpp"
#include "upstream/sse_parser.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace donna::relay {
namespace {

using namespace std::chrono_literals;
using fakes::fake_openai_http;
using fakes::openai_http_fault;

constexpr auto generous = 20s;

fakes::fake_openai_http_options reply(std::string text)
{
    fakes::fake_openai_http_options options;
    options.reply_text = std::move(text);
    return options;
}

upstream_request chat_request(const std::string& base_url, bool stream)
{
    nlohmann::json body = {{"model", "gpt-4o"},
                           {"messages", {{{"role", "user"}, {"content", "Hello"}}}},
                           {"stream", stream}};
    upstream_request req{
        .method = "POST", .url = base_url + "/chat/completions", .headers = {}, .body = {}};
    req.headers.emplace_back("Authorization", "Bearer " + fakes::fake_openai_default_key());
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body.dump();
    return req;
}

// Quick retries so a test spends milliseconds, not seconds, backing off.
upstream_settings fast_settings()
{
    upstream_settings s;
    s.limits.retry = {.max_attempts = 3, .base_delay = 10ms, .max_delay = 50ms, .max_total = 10s};
    s.limits.connect_timeout = 2s;
    s.limits.read_timeout = 2s;
    s.limits.total_timeout = 15s;
    return s;
}

result<upstream_response> call(http_client& client, upstream_request req,
                               const std::string& upstream = "openai")
{
    std::promise<result<upstream_response>> done;
    auto answer = done.get_future();
    client.request(upstream, std::move(req),
                   [&done](result<upstream_response> r) { done.set_value(std::move(r)); });
    if (answer.wait_for(generous) != std::future_status::ready)
        return make_error(errc::io_error, "the test's wait ran out");
    return answer.get();
}

struct streamed {
    result<upstream_response> done = upstream_response{};
    std::vector<std::string> events; // SSE data of each event
    int heads = 0;
    bool data_before_head = false;
};

streamed call_stream(http_client& client, upstream_request req)
{
    auto out = std::make_shared<streamed>();
    auto parser = std::make_shared<sse_parser>();
    std::promise<void> finished;
    auto wait = finished.get_future();
    client.stream("openai", std::move(req),
                  {.on_head = [out](const upstream_response&) { ++out->heads; },
                   .on_data =
                       [out, parser](std::string_view bytes) {
                           if (out->heads == 0)
                               out->data_before_head = true;
                           (void)parser->feed(
                               bytes, [out](const sse_event& e) { out->events.push_back(e.data); });
                       },
                   .on_done =
                       [out, &finished](result<upstream_response> r) {
                           out->done = std::move(r);
                           finished.set_value();
                       }});
    if (wait.wait_for(generous) != std::future_status::ready)
        out->done = make_error(errc::io_error, "the test's wait ran out");
    return *out;
}

// The text of a streamed chat completion: the concatenated delta contents.
std::string streamed_text(const std::vector<std::string>& events)
{
    std::string text;
    for (const auto& data : events) {
        if (data == "[DONE]")
            break;
        const auto chunk = nlohmann::json::parse(data, nullptr, false);
        if (chunk.is_discarded() || !chunk.contains("choices") || chunk["choices"].empty())
            continue;
        const auto& delta = chunk["choices"][0]["delta"];
        if (delta.contains("content") && delta["content"].is_string())
            text += delta["content"].get<std::string>();
    }
    return text;
}

double counter_value(metrics_registry& registry, const std::string& series)
{
    const auto text = registry.render();
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos)
        return 0;
    return std::stod(text.substr(at + series.size() + 2));
}

class HttpClient : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fake.start());
        client.configure("openai", fast_settings());
    }
    fake_openai_http fake{reply("Hi there, I am Donna.")};
    metrics_registry registry;
    donna::test::io_thread io;
    http_client client{registry, io.executor()};
};

TEST_F(HttpClient, RequestReturnsTheWholeAnswerWithStatusAndHeaders)
{
    const auto r = call(client, chat_request(fake.base_url(), false));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200U);
    EXPECT_EQ(r->attempts, 1);
    EXPECT_NE(r->header("X-Request-Id"), "");
    const auto body = nlohmann::json::parse(r->body);
    EXPECT_EQ(body["object"], "chat.completion");
    EXPECT_EQ(body["choices"][0]["message"]["content"], "Hi there, I am Donna.");
    const auto requests = fake.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].headers.at("host"), "127.0.0.1:" + std::to_string(fake.port()));
    EXPECT_EQ(requests[0].headers.at("user-agent"), "donna-relay");
}

TEST_F(HttpClient, StreamDeliversTheHeadThenServerSentEventsInOrder)
{
    const auto s = call_stream(client, chat_request(fake.base_url(), true));
    ASSERT_TRUE(s.done) << s.done.error().message;
    EXPECT_EQ(s.done->status, 200U);
    EXPECT_TRUE(s.done->body.empty()); // it went to on_data
    EXPECT_EQ(s.heads, 1);
    EXPECT_FALSE(s.data_before_head);
    EXPECT_EQ(streamed_text(s.events), "Hi there, I am Donna.");
    ASSERT_FALSE(s.events.empty());
    EXPECT_EQ(s.events.back(), "[DONE]");
}

TEST_F(HttpClient, SequentialRequestsReuseOneKeepAliveConnection)
{
    for (int i = 0; i < 5; ++i) {
        const auto r = call(client, chat_request(fake.base_url(), i % 2 == 1));
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->reused_connection, i > 0) << i;
    }
    EXPECT_EQ(fake.accepted_connections(), 1);
    EXPECT_EQ(
        counter_value(registry, "donna_upstream_connections_opened_total{upstream=\"openai\"}"), 1);
    EXPECT_EQ(
        counter_value(registry, "donna_upstream_connections_reused_total{upstream=\"openai\"}"), 4);
}

TEST_F(HttpClient, ANon2xxAnswerIsAResponseNotAnError)
{
    auto req = chat_request(fake.base_url(), false);
    req.headers[0].second = "Bearer wrong";
    const auto r = call(client, std::move(req));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 401U);
    EXPECT_EQ(r->attempts, 1); // 401 is not retried
    EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "invalid_api_key");
    EXPECT_EQ(
        counter_value(registry,
                      "donna_upstream_requests_total{outcome=\"status_4xx\",upstream=\"openai\"}"),
        1);
}

TEST_F(HttpClient, Retries429AfterTheWaitRetryAfterAsksFor)
{
    fake.set_fault(openai_http_fault::status_429_with_retry_after, 1);
    const auto start = std::chrono::steady_clock::now();
    const auto r = call(client, chat_request(fake.base_url(), false));
    const auto waited = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200U);
    EXPECT_EQ(r->attempts, 2);
    // Retry-After: 1 (the fake's default): the retry must not come sooner, although the
    // client's own backoff would have waited only milliseconds.
    EXPECT_GE(waited, 950ms);
    EXPECT_EQ(fake.requests().size(), 2U);
    EXPECT_EQ(
        counter_value(registry,
                      "donna_upstream_retries_total{reason=\"status_429\",upstream=\"openai\"}"),
        1);
}

TEST_F(HttpClient, A429WhoseWaitDoesNotFitTheBudgetIsAnsweredAsIs)
{
    fake.set_fault(openai_http_fault::status_429_with_retry_after, 5);
    auto settings = fast_settings();
    settings.limits.retry.max_total = 500ms; // Retry-After: 1 s does not fit
    client.configure("openai", settings);
    const auto r = call(client, chat_request(fake.base_url(), false));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 429U);
    EXPECT_EQ(r->attempts, 1);
    EXPECT_NE(r->header("retry-after"), "");
}

TEST_F(HttpClient, ServerErrorsAreRetriedUntilOneSucceeds)
{
    fake.set_fault(openai_http_fault::status_500, 2);
    const auto r = call(client, chat_request(fake.base_url(), false));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200U);
    EXPECT_EQ(r->attempts, 3);
}

TEST_F(HttpClient, GivesUpAfterMaxAttemptsWithTheLastServerError)
{
    fake.set_fault(openai_http_fault::status_500, 10);
    const auto r = call(client, chat_request(fake.base_url(), false));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 500U);
    EXPECT_EQ(r->attempts, 3);
    EXPECT_EQ(fake.requests().size(), 3U);
}

TEST_F(HttpClient, AStalledStreamEndsWithUpstreamTimeout)
{
    fake.set_fault(openai_http_fault::stall_stream, 1);
    auto settings = fast_settings();
    settings.limits.read_timeout = 300ms;
    client.configure("openai", settings);
    const auto s = call_stream(client, chat_request(fake.base_url(), true));
    ASSERT_FALSE(s.done);
    EXPECT_EQ(s.done.error().code, errc::upstream_timeout);
    EXPECT_NE(s.done.error().message.find("cut off"), std::string::npos) << s.done.error().message;
    EXPECT_EQ(s.heads, 1);                 // the head and first event came through
    EXPECT_EQ(fake.requests().size(), 1U); // never retried once the caller saw bytes
}

TEST_F(HttpClient, AConnectionResetMidStreamIsAnErrorAfterTheEventsBeforeIt)
{
    fake.set_fault(openai_http_fault::reset_mid_stream, 2);
    const auto s = call_stream(client, chat_request(fake.base_url(), true));
    ASSERT_FALSE(s.done);
    EXPECT_EQ(s.done.error().code, errc::upstream_unavailable);
    EXPECT_EQ(s.events.size(), 2U);
    EXPECT_EQ(fake.requests().size(), 1U);
}

TEST_F(HttpClient, AConnectionClosedBeforeAnyAnswerIsRetriedUpToMaxAttempts)
{
    // Under this fault the fake closes every non-streamed request's connection unanswered.
    fake.set_fault(openai_http_fault::reset_mid_stream, 1);
    const auto r = call(client, chat_request(fake.base_url(), false));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::upstream_unavailable);
    EXPECT_NE(r.error().message.find("after 3 attempts"), std::string::npos) << r.error().message;
    EXPECT_EQ(fake.requests().size(), 3U);
    EXPECT_EQ(
        counter_value(registry,
                      "donna_upstream_retries_total{reason=\"connection\",upstream=\"openai\"}"),
        2);
}

TEST(HttpClientNoServer, RefusedConnectionsAreRetriedThenReportedUnavailable)
{
    // A port that was just free: nothing listens there.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = probe.local_endpoint().port();
    probe.close();

    metrics_registry registry;
    donna::test::io_thread io_runner;
    http_client client(registry, io_runner.executor());
    client.configure("openai", fast_settings());
    const auto r =
        call(client, chat_request("http://127.0.0.1:" + std::to_string(port) + "/v1", false));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::upstream_unavailable);
    EXPECT_NE(r.error().message.find("after 3 attempts"), std::string::npos) << r.error().message;
    EXPECT_EQ(
        counter_value(registry,
                      "donna_upstream_requests_total{outcome=\"unavailable\",upstream=\"openai\"}"),
        1);
}

TEST_F(HttpClient, TheBreakerOpensAfterRepeatedFailuresAndThenRefusesWithoutCalling)
{
    fake.set_fault(openai_http_fault::status_500, 100);
    auto settings = fast_settings();
    settings.limits.retry.max_attempts = 1;
    settings.breaker = {.failure_threshold = 3, .open_for = 60s};
    client.configure("openai", settings);
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(call(client, chat_request(fake.base_url(), false))->status, 500U);
    EXPECT_EQ(client.breaker_state("openai"), circuit_breaker::state::open);
    const auto refused = call(client, chat_request(fake.base_url(), false));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, errc::upstream_unavailable);
    EXPECT_NE(refused.error().message.find("circuit breaker open"), std::string::npos);
    EXPECT_EQ(fake.requests().size(), 3U); // the fourth never left the relay
    EXPECT_EQ(counter_value(registry, "donna_upstream_circuit_open{upstream=\"openai\"}"), 1);
}

TEST_F(HttpClient, AHalfOpenProbeThatSucceedsClosesTheBreaker)
{
    fake.set_fault(openai_http_fault::status_500, 2);
    auto settings = fast_settings();
    settings.limits.retry.max_attempts = 1;
    settings.breaker = {.failure_threshold = 2, .open_for = 200ms};
    client.configure("openai", settings);
    ASSERT_EQ(call(client, chat_request(fake.base_url(), false))->status, 500U);
    ASSERT_EQ(call(client, chat_request(fake.base_url(), false))->status, 500U);
    ASSERT_EQ(client.breaker_state("openai"), circuit_breaker::state::open);
    std::this_thread::sleep_for(250ms); // past open_for: the next call is the probe
    const auto probe = call(client, chat_request(fake.base_url(), false));
    ASSERT_TRUE(probe) << probe.error().message;
    EXPECT_EQ(probe->status, 200U);
    EXPECT_EQ(client.breaker_state("openai"), circuit_breaker::state::closed);
}

TEST_F(HttpClient, TheUpstreamRateLimitRefusesBeyondItWithAClearMessage)
{
    auto settings = fast_settings();
    settings.limit = {.requests = 2, .window = 60s};
    client.configure("openai", settings);
    ASSERT_TRUE(call(client, chat_request(fake.base_url(), false)));
    ASSERT_TRUE(call(client, chat_request(fake.base_url(), false)));
    const auto refused = call(client, chat_request(fake.base_url(), false));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, errc::rate_limited);
    EXPECT_NE(refused.error().message.find("openai: the relay's limit of 2 requests per 60 s"),
              std::string::npos)
        << refused.error().message;
    EXPECT_EQ(fake.requests().size(), 2U);
    EXPECT_EQ(counter_value(
                  registry,
                  "donna_upstream_requests_total{outcome=\"rate_limited\",upstream=\"openai\"}"),
              1);
}

TEST_F(HttpClient, ACancelledCallRunsNoCallback)
{
    fake.set_fault(openai_http_fault::stall_stream, 1);
    std::atomic<int> callbacks{0};
    auto handle = client.stream("openai", chat_request(fake.base_url(), true),
                                {.on_head = [&](const upstream_response&) {},
                                 .on_data = [&](std::string_view) {},
                                 .on_done =
                                     [&](const result<upstream_response>&) {
                                         ++callbacks;
                                     }});
    ASSERT_TRUE(fake.wait_until([](const auto& r) { return r.size() == 1; }));
    handle->cancel();
    fake.set_fault(openai_http_fault::none);
    // A later call completes, so the cancelled one had every chance to call back.
    ASSERT_TRUE(call(client, chat_request(fake.base_url(), false)));
    EXPECT_EQ(callbacks.load(), 0);
    EXPECT_EQ(
        counter_value(registry,
                      "donna_upstream_requests_total{outcome=\"cancelled\",upstream=\"openai\"}"),
        1);
}

TEST_F(HttpClient, AnInvalidUrlIsRefusedBeforeAnyConnection)
{
    upstream_request req{.method = "GET", .url = "ftp://example/x", .headers = {}, .body = {}};
    const auto r = call(client, std::move(req));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_argument);
    EXPECT_EQ(fake.accepted_connections(), 0);
}

fakes::fake_openai_http_options tls_options()
{
    auto options = reply("Secure hello.");
    options.tls = true;
    return options;
}

TEST(HttpClientTls, VerifiesTheUpstreamAgainstATrustedCaAndReusesTheSession)
{
    fake_openai_http fake(tls_options());
    ASSERT_TRUE(fake.start());
    metrics_registry registry;
    donna::test::io_thread io;
    http_client client(registry, io.executor(),
                       {.extra_ca_pem = test::shared_test_pki().ca_cert_pem,
                        .max_idle_per_host = 8,
                        .idle_timeout = std::chrono::seconds(50)});
    client.configure("openai", fast_settings());
    const std::string base = "https://localhost:" + std::to_string(fake.port()) + "/v1";
    for (int i = 0; i < 3; ++i) {
        const auto r = call(client, chat_request(base, false));
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->status, 200U);
    }
    // One handshake for three requests: the TLS connection was kept alive and reused.
    EXPECT_EQ(fake.tls_handshakes(), 1);
    EXPECT_EQ(counter_value(registry, "donna_upstream_tls_handshakes_total{upstream=\"openai\"}"),
              1);
    // The request named the host the URL named (the name TLS verified).
    EXPECT_EQ(fake.requests()[0].headers.at("host"), "localhost:" + std::to_string(fake.port()));
}

TEST(HttpClientTls, AnUntrustedCertificateIsAFailureNeverATrustedAnswer)
{
    fake_openai_http fake(tls_options());
    ASSERT_TRUE(fake.start());
    metrics_registry registry;
    donna::test::io_thread io;
    http_client client(registry, io.executor()); // the system store only: no test CA in it
    client.configure("openai", fast_settings()); // three attempts allowed
    const auto r = call(client, chat_request(fake.base_url(), false));
    ASSERT_FALSE(r);
    // A verdict of OpenSSL, reported as such and not retried: it would not heal by itself.
    EXPECT_EQ(r.error().code, errc::upstream_tls_failed);
    EXPECT_EQ(r.error().message.find("attempts"), std::string::npos) << r.error().message;
    EXPECT_EQ(fake.accepted_connections(), 1);
    EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
        << r.error().message;
    EXPECT_TRUE(fake.requests().empty());
}

TEST_F(HttpClient, ShutdownEndsACallInFlightAtOnceInsteadOfAtItsTimeout)
{
    fake.set_fault(openai_http_fault::stall_stream, 1); // the answer never comes
    auto settings = fast_settings();
    settings.limits.read_timeout = 120s;
    settings.limits.total_timeout = 120s;
    client.configure("openai", settings);
    std::promise<result<upstream_response>> done;
    auto answer = done.get_future();
    client.request("openai", chat_request(fake.base_url(), false),
                   [&done](result<upstream_response> r) { done.set_value(std::move(r)); });
    ASSERT_TRUE(fake.wait_until([](const auto& requests) { return requests.size() == 1; }));
    std::promise<void> stopped;
    client.shutdown([&stopped] { stopped.set_value(); });
    ASSERT_EQ(answer.wait_for(generous), std::future_status::ready);
    const auto r = answer.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::upstream_unavailable);
    EXPECT_NE(r.error().message.find("shutting down"), std::string::npos) << r.error().message;
    EXPECT_EQ(stopped.get_future().wait_for(generous), std::future_status::ready);
    // A call made after the shutdown is refused the same way, without a connection.
    const auto later = call(client, chat_request(fake.base_url(), false));
    ASSERT_FALSE(later);
    EXPECT_NE(later.error().message.find("shutting down"), std::string::npos);
    EXPECT_EQ(fake.accepted_connections(), 1);
    EXPECT_EQ(
        counter_value(registry,
                      "donna_upstream_requests_total{outcome=\"shutdown\",upstream=\"openai\"}"),
        2);
}

TEST_F(HttpClient, CallbacksRunOnTheCallersExecutorWhenItGivesOne)
{
    donna::test::io_thread caller;
    auto strand = boost::asio::make_strand(caller.executor());
    std::promise<bool> done_on_strand;
    auto heads_on_strand = std::make_shared<std::atomic<int>>(0);
    auto data_on_strand = std::make_shared<std::atomic<int>>(0);
    auto data_elsewhere = std::make_shared<std::atomic<int>>(0);
    client.stream("openai", chat_request(fake.base_url(), true),
                  {.on_head =
                       [&strand, heads_on_strand](const upstream_response&) {
                           if (strand.running_in_this_thread())
                               ++*heads_on_strand;
                       },
                   .on_data =
                       [&strand, data_on_strand, data_elsewhere](std::string_view) {
                           ++*(strand.running_in_this_thread() ? data_on_strand : data_elsewhere);
                       },
                   .on_done =
                       [&strand, &done_on_strand](const result<upstream_response>& r) {
                           done_on_strand.set_value(r && strand.running_in_this_thread());
                       },
                   .executor = strand});
    auto done = done_on_strand.get_future();
    ASSERT_EQ(done.wait_for(generous), std::future_status::ready);
    // The client's strand has let go of the caller's executor once this returns (it waits for
    // the strand): the caller's io_context may then end before the client does.
    (void)client.breaker_state("openai");
    EXPECT_TRUE(done.get());
    EXPECT_EQ(heads_on_strand->load(), 1);
    EXPECT_GT(data_on_strand->load(), 0);
    EXPECT_EQ(data_elsewhere->load(), 0);
}

} // namespace
} // namespace donna::relay
