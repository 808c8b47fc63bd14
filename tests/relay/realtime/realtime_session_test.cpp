// WS /v1/realtime: who gets in, the limits, no-key and demo modes, key rotation, graceful
// shutdown and churn. A real relay on loopback; the fake OpenAI Realtime server upstream.
#include "app/relay_app.hpp"
#include "app/services.hpp"
#include "chat/chat_tools.hpp"
#include "fake_realtime_server.hpp"
#include "relay_harness.hpp"
#include "test_pki.hpp"

#include "audio/base64.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace donna::relay {
namespace {

using fakes::fake_realtime_server;
using test::relay_harness;
using test::ws_message;
using test::ws_options;

class RealtimeSession : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(fake_.start()); }

    config relay_config() { return test::test_config_with_upstream(fake_.base_url()); }

    relay_harness& relay(std::optional<config> c = std::nullopt)
    {
        if (!relay_ || c)
            relay_ = std::make_unique<relay_harness>(c ? *c : relay_config(), &log_);
        return *relay_;
    }

    ws_options with_token(ws_options o = {})
    {
        if (o.token.empty())
            o.token = relay().session_token();
        return o;
    }

    // `seconds` of silence as one input_audio_buffer.append (PCM16 24 kHz).
    static std::string append_of(double seconds)
    {
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(seconds * 24000) * 2, 0);
        return R"({"type":"input_audio_buffer.append","audio":")" + base64_encode(bytes) + R"("})";
    }

    std::ostringstream log_;
    fake_realtime_server fake_;
    std::unique_ptr<relay_harness> relay_;
};

// --- who gets in ---

TEST_F(RealtimeSession, UpgradeWithoutATokenIs401WithAnOpenAIStyleBody)
{
    const auto res = relay().refused_upgrade({});
    EXPECT_EQ(res.status, 401);
    EXPECT_EQ(res.json()["error"]["code"], "missing_session_token");
    EXPECT_EQ(fake_.upgrade_attempts(), 0);
}

TEST_F(RealtimeSession, ForgedOrForeignTokensAre401)
{
    auto token = relay().session_token();
    token.back() = token.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(relay().refused_upgrade({.token = token}).json()["error"]["code"],
              "invalid_session_token");
    // A token from another relay (another secret) is not accepted here.
    auto other_config = relay_config();
    other_config.token_secret = "another-secret-of-at-least-32-chars!";
    relay_harness other(other_config);
    EXPECT_EQ(relay().refused_upgrade({.token = other.session_token()}).status, 401);
    // Nor an OpenAI key: the relay only knows its own tokens.
    EXPECT_EQ(relay().refused_upgrade({.token = test::fake_openai_key}).status, 401);
}

TEST_F(RealtimeSession, ExpiredTokenIsRefusedAsExpired)
{
    const auto& settings = *relay().svc().settings();
    session_claims claims{"demo", "general", "", "", 1000, 1300};
    const auto res = relay().refused_upgrade({.token = settings.signer.issue(claims)});
    EXPECT_EQ(res.status, 401);
    EXPECT_EQ(res.json()["error"]["code"], "session_token_expired");
}

TEST_F(RealtimeSession, BrowserOnAnotherOriginCannotUseTheToken)
{
    const auto res = relay().refused_upgrade(
        {.token = relay().session_token(), .origin = "https://evil.example"});
    EXPECT_EQ(res.status, 403);
    EXPECT_EQ(res.json()["error"]["code"], "origin_not_allowed");
}

TEST_F(RealtimeSession, SessionsPerTokenAreLimited)
{
    auto c = relay_config();
    c.max_sessions_per_token = 2;
    relay(c);
    const auto token = relay().session_token();
    auto first = relay().open_realtime({.token = token});
    auto second = relay().open_realtime({.token = token});
    const auto third = relay().refused_upgrade({.token = token});
    EXPECT_EQ(third.status, 429);
    EXPECT_EQ(third.json()["error"]["code"], "too_many_sessions");
    // A slot frees up when a session ends.
    first.close();
    ASSERT_TRUE(
        fake_.wait_until([&](const auto&) { return relay().svc().sessions().active() == 1; }));
    EXPECT_NO_THROW(relay().open_realtime({.token = token}));
}

TEST_F(RealtimeSession, SessionsPerAddressAreLimited)
{
    auto c = relay_config();
    c.max_sessions_per_ip = 1;
    relay(c);
    auto first = relay().open_realtime(with_token());
    const auto second = relay().refused_upgrade(with_token());
    EXPECT_EQ(second.status, 429);
    EXPECT_NE(second.json()["error"]["message"].get<std::string>().find("address"),
              std::string::npos);
}

// --- limits ---

TEST_F(RealtimeSession, MessageOverTheSizeLimitIsRefusedAndTheSessionGoesOn)
{
    auto c = relay_config();
    c.max_message_bytes = std::size_t{64} * 1024;
    relay(c);
    auto ws = relay().open_realtime(with_token());
    ASSERT_TRUE(ws.read_until_type("session.created"));
    ws.send(append_of(2.0)); // 96 000 bytes of audio, base64: about 128 KB
    auto error = ws.read_until_type("error");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->json()["error"]["code"], "donna_message_too_large");
    ws.send(append_of(0.5)); // within the limit: forwarded
    EXPECT_TRUE(fake_.wait_until(
        [](const auto& cs) { return !cs.empty() && cs[0].input_audio_bytes == 24000; }));
    EXPECT_EQ(fake_.connections()[0].input_audio_bytes, 24000u); // the big one never went up
    EXPECT_NE(relay()
                  .request("GET", "/metrics")
                  .body.find(R"(donna_errors_total{code="donna_message_too_large"} 1)"),
              std::string::npos);
}

TEST_F(RealtimeSession, AudioFasterThanThePerMinuteLimitIsRefusedWithAnError)
{
    auto c = relay_config();
    c.max_audio_seconds_per_minute = 3;
    relay(c);
    auto ws = relay().open_realtime(with_token());
    for (int i = 0; i < 5; ++i)
        ws.send(append_of(1.0));
    auto error = ws.read_until_type("error");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->json()["error"]["code"], "donna_audio_limit");
    ws.send(R"({"type":"input_audio_buffer.clear"})");
    ASSERT_TRUE(fake_.wait_until([](const auto& cs) {
        return !cs.empty() && !cs[0].client_events.empty() &&
               cs[0].client_events.back().find("clear") != std::string::npos;
    }));
    // Exactly the three seconds within the limit reached OpenAI.
    EXPECT_EQ(fake_.connections()[0].input_audio_bytes, 3u * 48000u);
}

TEST_F(RealtimeSession, AudioPerSessionIsLimited)
{
    auto c = relay_config();
    c.max_audio_seconds_per_session = 2;
    relay(c);
    auto ws = relay().open_realtime(with_token());
    ws.send(append_of(1.5));
    ws.send(append_of(1.0));
    auto error = ws.read_until_type("error");
    ASSERT_TRUE(error);
    EXPECT_NE(error->json()["error"]["message"].get<std::string>().find("2 seconds"),
              std::string::npos);
}

// --- no key, demo ---

TEST_F(RealtimeSession, WithoutAKeyTheClientGetsAClearErrorNotAHang)
{
    auto c = test::test_config();
    relay(c);
    auto ws = relay().open_realtime(with_token());
    auto error = ws.read_until_type("error");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->json()["error"]["code"], "upstream_not_configured");
    EXPECT_NE(error->json()["error"]["message"].get<std::string>().find("OPENAI_API_KEY"),
              std::string::npos);
    EXPECT_FALSE(ws.read());
    EXPECT_TRUE(ws.closed());
}

TEST_F(RealtimeSession, DemoModeAnswersWithASpokenReplyFromTheLocalSynthesiser)
{
    auto c = test::test_config();
    c.demo = true;
    relay(c);
    auto ws = relay().open_realtime(with_token());
    ASSERT_TRUE(ws.read_until_type("session.created"));
    ws.send(R"({"type":"conversation.item.create","item":{"type":"message","role":"user",)"
            R"("content":[{"type":"input_text","text":"hello there"}]}})");
    ws.send(R"({"type":"response.create"})");
    std::vector<ws_message> seen;
    ASSERT_TRUE(ws.read_until_type("response.done", &seen, std::chrono::seconds(30)));
    std::size_t audio_bytes = 0;
    std::string transcript;
    for (const auto& m : seen) {
        const auto j = m.json();
        if (m.type() == "response.output_audio.delta")
            audio_bytes += base64_decode(j["delta"].get<std::string>())->size();
        if (m.type() == "response.output_audio_transcript.delta")
            transcript += j["delta"].get<std::string>();
    }
    EXPECT_GT(audio_bytes, 24000u); // more than half a second of speech
    EXPECT_NE(transcript.find("hello there"), std::string::npos) << transcript;
}

TEST_F(RealtimeSession, DemoModeIsNeverUsedWhenAKeyIsPresent)
{
    auto c = relay_config();
    c.demo = true;
    relay(c);
    auto ws = relay().open_realtime(with_token());
    ASSERT_TRUE(ws.read_until_type("session.created"));
    EXPECT_EQ(fake_.connections().size(), 1u);
}

// --- rotation, shutdown, churn ---

TEST_F(RealtimeSession, ReloadRotatesTheKeyForNewSessionsWithoutDroppingLiveOnes)
{
    auto live = relay().open_realtime(with_token());
    ASSERT_TRUE(live.read_until_type("session.created"));
    const auto token_before_reload = relay().session_token();

    auto rotated = relay_config();
    rotated.openai_api_key = std::string("sk-") + "rotated-key-the-fake-does-not-know";
    ASSERT_TRUE(relay().svc().reload(rotated));

    auto fresh = relay().open_realtime(with_token());
    auto error = fresh.read_until_type("error");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->json()["error"]["code"], "upstream_unauthorized");
    // The live session still works, with the key it started with.
    live.send(R"({"type":"response.create"})");
    EXPECT_TRUE(live.read_until_type("response.done"));
    // Tokens issued before the reload stay valid (same secret): the upgrade is accepted.
    EXPECT_NO_THROW(relay().open_realtime({.token = token_before_reload}));
    EXPECT_EQ(relay().svc().settings()->generation, 2u);
}

TEST_F(RealtimeSession, GracefulShutdownTellsSessionsAndWaitsForThem)
{
    auto c = relay_config();
    c.shutdown_grace_ms = 800;
    relay(c);
    auto ws = relay().open_realtime(with_token());
    ASSERT_TRUE(ws.read_until_type("session.created"));
    bool drained = false;
    std::thread stopper([&] { drained = relay().app().shutdown(std::chrono::milliseconds(800)); });
    auto error = ws.read_until_type("error", nullptr, std::chrono::seconds(10));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->json()["error"]["code"], "relay_shutting_down");
    EXPECT_FALSE(ws.read());
    EXPECT_EQ(ws.close_code(), 1001);
    stopper.join();
    EXPECT_TRUE(drained);
}

TEST_F(RealtimeSession, ChurnReturnsSessionsAndUpstreamsToZero)
{
    for (int i = 0; i < 30; ++i) {
        auto ws = relay().open_realtime(with_token());
        ASSERT_TRUE(ws.read_until_type("session.created")) << i;
        if (i % 2 == 0)
            ws.close(); // half close cleanly, half just vanish
    }
    EXPECT_TRUE(fake_.wait_until([&](const auto& cs) {
        return cs.size() == 30 &&
               std::all_of(cs.begin(), cs.end(), [](const auto& c) { return c.closed; }) &&
               relay().svc().sessions().active() == 0;
    }));
    const auto metrics = relay().request("GET", "/metrics").body;
    EXPECT_NE(metrics.find("donna_realtime_sessions_active 0"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("donna_realtime_sessions_total 30"), std::string::npos) << metrics;
}

// --- personas ---

TEST_F(RealtimeSession, PersonasFileDecidesTheInstructionsAndVoiceSentUpstream)
{
    const auto file = std::filesystem::temp_directory_path() /
                      ("donna-personas-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << R"({"personas":{"general":{"instructions":"You are Acme's DONNA.",)"
                           R"("realtime_voice":"sage"}}})";
    auto c = relay_config();
    c.personas_file = file.string();
    relay(c);
    auto ws = relay().open_realtime(with_token());
    ASSERT_TRUE(ws.read_until_type("session.created"));
    ASSERT_TRUE(fake_.wait_until(
        [](const auto& cs) { return !cs.empty() && !cs[0].client_events.empty(); }));
    const auto first = nlohmann::json::parse(fake_.connections()[0].client_events[0]);
    EXPECT_EQ(first["session"]["instructions"],
              "You are Acme's DONNA." + std::string(actions_instructions()));
    EXPECT_EQ(first["session"]["audio"]["output"]["voice"], "sage");
    std::filesystem::remove(file);
}

// --- the Realtime model: reasoning settings, transcription, cost ---

// The relay's event number `n` on upstream connection 0, once the fake has it.
nlohmann::json upstream_event(fake_realtime_server& fake, std::size_t n = 0)
{
    EXPECT_TRUE(fake.wait_until(
        [n](const auto& cs) { return !cs.empty() && cs[0].client_events.size() > n; }));
    const auto connections = fake.connections();
    return connections.empty() || connections[0].client_events.size() <= n
               ? nlohmann::json()
               : nlohmann::json::parse(connections[0].client_events[n]);
}

TEST_F(RealtimeSession, DefaultModelGetsThePersonasReasoningThenTheRelaysTranscription)
{
    auto ws = relay().open_realtime(with_token());
    std::vector<ws_message> seen;
    // The fake answers each of the relay's session.updates with session.updated, or with an
    // error event for a field the model does not take.
    ASSERT_TRUE(ws.read_until_type("session.updated", &seen));
    ASSERT_TRUE(ws.read_until_type("session.updated", &seen));
    for (const auto& m : seen)
        EXPECT_NE(m.type(), "error") << m.data;
    EXPECT_EQ(fake_.connections()[0].target, "/v1/realtime?model=gpt-realtime-2.1");
    const auto persona = upstream_event(fake_, 0);
    EXPECT_EQ(persona["session"]["reasoning"], nlohmann::json({{"effort", "low"}}));
    EXPECT_EQ(persona["session"]["parallel_tool_calls"], true);
    EXPECT_FALSE(persona["session"]["audio"].contains("input"));
    // Its own update: a transcription model the upstream refused would not cost the persona.
    const auto transcription = upstream_event(fake_, 1);
    EXPECT_EQ(transcription["session"]["audio"]["input"]["transcription"],
              nlohmann::json({{"model", "gpt-transcribe"}, {"language", "en"}}));
}

TEST_F(RealtimeSession, PersonasFileDecidesTheReasoningEffort)
{
    const auto file = std::filesystem::temp_directory_path() /
                      ("donna-personas-effort-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << R"({"personas":{"general":{"realtime_reasoning_effort":"high",)"
                           R"("realtime_parallel_tool_calls":false}}})";
    auto c = relay_config();
    c.personas_file = file.string();
    relay(c);
    auto ws = relay().open_realtime(with_token());
    ASSERT_TRUE(ws.read_until_type("session.updated"));
    const auto first = upstream_event(fake_);
    EXPECT_EQ(first["session"]["reasoning"]["effort"], "high");
    EXPECT_EQ(first["session"]["parallel_tool_calls"], false);
    std::filesystem::remove(file);
}

TEST_F(RealtimeSession, ClientMayNotSetReasoningOrParallelToolCalls)
{
    auto ws = relay().open_realtime(with_token());
    ASSERT_TRUE(ws.read_until_type("session.updated"));
    ws.send(R"({"type":"session.update","event_id":"u1","session":{"type":"realtime",)"
            R"("reasoning":{"effort":"xhigh"},"parallel_tool_calls":false}})");
    const auto error = ws.read_until_type("error");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->json()["error"]["code"], "donna_field_not_allowed");
    EXPECT_EQ(error->json()["error"]["event_id"], "u1");
    ws.send(
        R"({"type":"response.create","event_id":"r1","response":{"reasoning":{"effort":"xhigh"}}})");
    const auto removed = ws.read_until_type("error");
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->json()["error"]["param"], "response.reasoning");
    // The response went upstream without the field; nothing the client sent carried it.
    ASSERT_TRUE(ws.read_until_type("response.done"));
    const auto connections = fake_.connections();
    for (const auto& text : connections[0].client_events) {
        const bool relays_own = text.find("\"instructions\"") != std::string::npos;
        if (!relays_own) {
            EXPECT_EQ(text.find("reasoning"), std::string::npos) << text;
            EXPECT_EQ(text.find("parallel_tool_calls"), std::string::npos) << text;
        }
    }
}

TEST_F(RealtimeSession, ModelWithoutReasoningGetsNoReasoningFields)
{
    auto c = relay_config();
    c.openai_realtime_model = "gpt-realtime"; // the seed's model, still accepted
    relay(c);
    auto ws = relay().open_realtime(with_token());
    std::vector<ws_message> seen;
    ASSERT_TRUE(ws.read_until_type("session.updated", &seen));
    for (const auto& m : seen)
        EXPECT_NE(m.type(), "error") << m.data;
    const auto first = upstream_event(fake_);
    EXPECT_FALSE(first["session"].contains("reasoning"));
    EXPECT_FALSE(first["session"].contains("parallel_tool_calls"));
}

TEST_F(RealtimeSession, ResponseTokensAreMeteredAtTheRealtimeModelsPrices)
{
    auto ws = relay().open_realtime(with_token());
    ws.send(append_of(1.0));
    ws.send(R"({"type":"input_audio_buffer.commit"})");
    ws.send(R"({"type":"response.create"})");
    const auto done = ws.read_until_type("response.done");
    ASSERT_TRUE(done);
    const auto usage = done->json()["response"]["usage"];
    const double audio_in = usage["input_token_details"]["audio_tokens"].get<double>();
    const double audio_out = usage["output_token_details"]["audio_tokens"].get<double>();
    const double text_out = usage["output_token_details"]["text_tokens"].get<double>();
    ASSERT_GT(audio_in, 0);
    ASSERT_GT(audio_out, 0);
    const std::string labels = R"(model="gpt-realtime-2.1",)";
    EXPECT_EQ(relay().metric(R"(donna_upstream_usage_total{)" + labels +
                             R"(unit="audio_input_tokens",upstream="openai"})"),
              audio_in);
    EXPECT_EQ(relay().metric(R"(donna_upstream_usage_total{)" + labels +
                             R"(unit="audio_output_tokens",upstream="openai"})"),
              audio_out);
    // gpt-realtime-2.1: audio in $32, audio out $64, text out $24 per million tokens.
    EXPECT_NEAR(relay().metric(R"(donna_upstream_cost_dollars_total{model="gpt-realtime-2.1",)"
                               R"(upstream="openai"})"),
                (audio_in * 32 + audio_out * 64 + text_out * 24) / 1e6, 1e-9);
}

TEST_F(RealtimeSession, InvalidPersonasFileIsAStartErrorNamingTheSetting)
{
    const auto file = std::filesystem::temp_directory_path() /
                      ("donna-bad-personas-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << R"({"personas":{"sales":{"temperature":7}}})";
    auto c = relay_config();
    c.personas_file = file.string();
    logger log(log_, log_level::error);
    auto created = relay_app::create(c, log);
    ASSERT_FALSE(created);
    EXPECT_NE(created.error().message.find("DONNA_PERSONAS_FILE"), std::string::npos);
    EXPECT_NE(created.error().message.find("personas.sales.temperature"), std::string::npos)
        << created.error().message;
    std::filesystem::remove(file);
}

// --- secrets ---

TEST_F(RealtimeSession, TheKeyNeverReachesTheClientOrTheLog)
{
    fake_.set_fault(fakes::realtime_fault::reject_unauthorized);
    auto ws = relay().open_realtime(with_token());
    std::vector<ws_message> seen;
    ws.read_until_type("never", &seen, std::chrono::seconds(3));
    ASSERT_FALSE(seen.empty());
    for (const auto& m : seen)
        EXPECT_EQ(m.data.find(test::fake_openai_key), std::string::npos) << m.data;
    const auto body =
        relay().request("GET", "/readyz").body + relay().request("GET", "/metrics").body;
    EXPECT_EQ(body.find(test::fake_openai_key), std::string::npos);
    EXPECT_FALSE(log_.str().empty());
    EXPECT_EQ(log_.str().find(test::fake_openai_key), std::string::npos) << log_.str();
}

// --- TLS ---

TEST_F(RealtimeSession, WssOnTheTlsListenerCarriesASession)
{
    const auto dir = donna::test::write_test_pki(std::filesystem::temp_directory_path() /
                                                 ("donna-pki-" + std::to_string(::getpid())));
    auto c = relay_config();
    c.tls_cert_file = (dir / "server.pem").string();
    c.tls_key_file = (dir / "server.key").string();
    relay(c);
    auto ws = relay().open_realtime(with_token({.tls = true}));
    ws.send(R"({"type":"response.create"})");
    EXPECT_TRUE(ws.read_until_type("response.done"));
}

} // namespace
} // namespace donna::relay
