// The HTTP deadlines per phase (DONNA_HTTP_*_SECONDS, server/http_session): a streamed answer
// lives as long as it makes progress, on a fresh or a kept-alive connection. A real relay on
// loopback, the fake OpenAI and ElevenLabs APIs upstream.
#include "audio/wav.hpp"
#include "fake_elevenlabs_http.hpp"
#include "fake_openai_http.hpp"
#include "relay_harness.hpp"
#include "voice_upload_body.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace donna::relay::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using namespace std::chrono_literals;

// `words` words, the fake streaming one a chunk.
std::string words_of(int words)
{
    std::string text;
    for (int i = 0; i < words; ++i)
        text += (i == 0 ? "" : " ") + std::string("word") + std::to_string(i);
    return text;
}

config with_upstreams(const fakes::fake_openai_http& openai)
{
    auto c = test_config();
    c.openai_api_key = fakes::fake_openai_default_key();
    c.openai_base_url = openai.base_url();
    c.moderation = false;
    c.upstream_connect_attempts = 2;
    c.chat_timeout_ms = 120000;
    return c;
}

TEST(HttpDeadlines, AStreamedChatAnswerOf45SecondsArrivesWholeWithTheDefaultDeadlines)
{
    // One word a second: the answer outlives every default deadline (30 s) by half.
    const auto reply = words_of(45);
    fakes::fake_openai_http openai({.reply_text = reply, .chunk_interval = 1000ms});
    ASSERT_TRUE(openai.start());
    relay_harness relay(with_upstreams(openai));
    const auto started = std::chrono::steady_clock::now();
    const auto r = relay.request("POST", "/v1/chat", R"({"message":"Talk.","stream":true})",
                                 bearer(relay.session_token("demo")));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_GT(std::chrono::steady_clock::now() - started, 40s); // it really took that long
    const auto events = sse_events(r.body);
    ASSERT_FALSE(events.empty()) << r.body;
    EXPECT_EQ(events.back()["type"], "donna.chat.message") << r.body;
    EXPECT_EQ(events.back()["text"], reply);
}

TEST(HttpDeadlines, ASlowVoiceChatOnAKeptAliveConnectionArrivesWholeUnderShortDeadlines)
{
    fakes::fake_openai_http openai({.reply_text = words_of(8),
                                    .transcript_text = "When do you open?",
                                    .chunk_interval = 600ms});
    fakes::fake_elevenlabs_http elevenlabs;
    ASSERT_TRUE(openai.start());
    ASSERT_TRUE(elevenlabs.start());
    auto c = with_upstreams(openai);
    c.elevenlabs_api_key = fakes::fake_elevenlabs_default_key();
    c.elevenlabs_base_url = elevenlabs.base_url();
    // Every phase 2 s: the answer below takes about 5 s, so it needs its deadline renewed.
    c.http_idle_seconds = c.http_header_seconds = c.http_body_seconds = c.http_upload_seconds =
        c.http_write_seconds = 2;
    relay_harness relay(c);
    const auto token = relay.session_token("demo");

    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), relay.port()));
    beast::flat_buffer buffer;
    // A first request on the connection, then the voice chat on the same connection.
    http::request<http::string_body> health{http::verb::get, "/healthz", 11};
    health.set(http::field::host, "127.0.0.1");
    http::write(stream, health);
    http::response<http::string_body> first;
    http::read(stream, buffer, first);
    ASSERT_EQ(first.result_int(), 200);
    ASSERT_TRUE(first.keep_alive());

    const auto wav = encode_wav(test::tone(16000, 1.0, 300, 0.3F), 16000);
    http::request<http::string_body> turn{http::verb::post, "/v1/voice-chat", 11};
    turn.set(http::field::host, "127.0.0.1");
    turn.set(http::field::authorization, "Bearer " + token);
    turn.set(http::field::content_type, "audio/wav");
    turn.body().assign(wav.begin(), wav.end());
    turn.prepare_payload();
    const auto started = std::chrono::steady_clock::now();
    http::write(stream, turn);
    http::response<http::string_body> answer;
    beast::error_code ec;
    http::read(stream, buffer, answer, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_GT(std::chrono::steady_clock::now() - started, 4s);
    ASSERT_EQ(answer.result_int(), 200) << answer.body();
    const auto events = sse_events(answer.body());
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back()["type"], "donna.voice.done") << answer.body();
}

} // namespace
} // namespace donna::relay::test
