// The browser client end to end: Debian's Chromium (driven by playwright-core in
// client_scenarios.mjs) loads the WASM client from a real relay, which proxies to the fake
// OpenAI Realtime server. The page-side checks are in the scenario script; what reached the
// upstream is checked here, on the fake's recordings.
#include "command_output.hpp"
#include "config/sites.hpp"
#include "fake_realtime_server.hpp"
#include "relay_harness.hpp"
#include "wav_file.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <future>
#include <thread>

namespace donna::relay {
namespace {

using json = nlohmann::json;
using connections = std::vector<fakes::recorded_connection>;

// Runs one scenario of client_scenarios.mjs against the relay at `relay_url`; the script's
// last line is its JSON summary.
struct scenario_result : donna::test::command_result {
    json summary() const { return json::parse(last_line(), nullptr, false); }
};

scenario_result run_scenario(const std::string& name, const std::string& relay_url,
                             const std::string& environment = "")
{
    const std::string artifacts = DONNA_BROWSER_ARTIFACTS;
    std::filesystem::create_directories(artifacts);
    return {donna::test::run_command(
        "DONNA_RELAY_URL='" + relay_url + "' DONNA_ARTIFACTS='" + artifacts + "' " + environment +
        " node '" DONNA_SOURCE_DIR "/tests/browser/client_scenarios.mjs' " + name + " 2>&1")};
}

// A port nothing listens on right now, for the customer's page the scenario serves.
int free_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        ADD_FAILURE() << "no free port on loopback";
    socklen_t size = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
}

// The relay serving the built client (build/wasm/site) in front of `fake`.
config client_config(const fakes::fake_realtime_server& fake)
{
    auto c = test::test_config_with_upstream(fake.base_url());
    c.web_root = DONNA_SITE_DIR;
    return c;
}

std::string url_of(const test::relay_harness& relay)
{
    return "http://127.0.0.1:" + std::to_string(relay.port());
}

std::vector<json> client_events(const fakes::recorded_connection& c, const std::string& type)
{
    std::vector<json> found;
    for (const auto& text : c.client_events) {
        auto event = json::parse(text, nullptr, false);
        if (event.is_object() && event.value("type", "") == type)
            found.push_back(std::move(event));
    }
    return found;
}

bool has_user_text(const fakes::recorded_connection& c, const std::string& text)
{
    const auto items = client_events(c, "conversation.item.create");
    return std::any_of(items.begin(), items.end(), [&](const json& e) {
        return e["item"]["content"][0].value("text", "") == text;
    });
}

double rms(std::span<const std::int16_t> s)
{
    double sum = 0;
    for (const auto v : s)
        sum += static_cast<double>(v) * v;
    return s.empty() ? 0 : std::sqrt(sum / static_cast<double>(s.size())) / 32768.0;
}

TEST(BrowserClient, PageLoadsAndDrawsTheUiAtWidgetAndPageSize)
{
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    test::relay_harness relay(client_config(fake));
    const auto r = run_scenario("draws", url_of(relay));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* name : {"widget", "page"}) {
        const auto shot = r.summary()["shots"][name];
        EXPECT_TRUE(std::filesystem::exists(shot["file"].get<std::string>())) << name;
        // Text, buttons, the level meter: many colours and a real share of drawn pixels. A
        // blank or cleared canvas has one or two colours and nothing drawn.
        EXPECT_GT(shot["distinctColours"].get<int>(), 20) << name << ": " << r.output;
        EXPECT_GT(shot["drawnShare"].get<double>(), 0.05) << name << ": " << r.output;
    }
}

TEST(BrowserClient, SpeechReachesTheUpstreamAsPcm16At24kWithTheFilesDuration)
{
    const auto wav_path = donna::test::audio_path("turn_48000.wav");
    auto wav = donna::test::read_wav(wav_path);
    ASSERT_TRUE(wav) << wav.error().message;
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    test::relay_harness relay(client_config(fake));
    const auto r = run_scenario("speech", url_of(relay),
                                "DONNA_WAV='" + wav_path +
                                    "' DONNA_WAV_SECONDS=" + std::to_string(wav->seconds()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_TRUE(fake.wait_until([&](const connections& c) {
        return !c.empty() &&
               static_cast<double>(c[0].input_audio.size()) >= 0.95 * wav->seconds() * 24000;
    })) << r.output;
    const auto audio = fake.connections()[0].input_audio;
    const double seconds = static_cast<double>(audio.size()) / 24000.0;
    EXPECT_NEAR(seconds, wav->seconds(), 0.05 * wav->seconds());
    // Speech, not silence: the spoken middle is far louder than the noise before it.
    const auto lead = std::span(audio).subspan(2400, 24000); // 0.1 - 1.1 s: noise only
    const auto speech =
        std::span(audio).subspan(std::size_t{24000} * 2, 24000); // 2.0 - 3.0 s: speech
    EXPECT_GT(rms(speech), 0.02) << "speech RMS";
    EXPECT_GT(rms(speech), 4 * rms(lead));
}

TEST(BrowserClient, ClientDetectorFiresSpeechStartedAndStoppedAroundTheSpeech)
{
    const auto wav_path = donna::test::audio_path("turn_48000.wav");
    auto wav = donna::test::read_wav(wav_path);
    ASSERT_TRUE(wav);
    // The true boundaries, from the clean file's energy (not from the detector under test).
    auto clean = donna::test::read_wav(donna::test::audio_path("turn_clean_48000.wav"));
    ASSERT_TRUE(clean);
    std::size_t first = clean->samples.size(), last = 0;
    for (std::size_t i = 0; i < clean->samples.size(); ++i)
        if (std::abs(clean->samples[i]) > 0.01f) {
            first = std::min(first, i);
            last = i;
        }
    const double speech_start = static_cast<double>(first) / clean->sample_rate;
    const double speech_end = static_cast<double>(last) / clean->sample_rate;
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    test::relay_harness relay(client_config(fake));
    const auto r = run_scenario("speech", url_of(relay),
                                "DONNA_WAV='" + wav_path +
                                    "' DONNA_WAV_SECONDS=" + std::to_string(wav->seconds()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto events = r.summary()["events"];
    ASSERT_GE(events.size(), 2u) << r.output;
    EXPECT_EQ(events.front()["type"], "speech_started");
    EXPECT_NEAR(events.front()["seconds"].get<double>(), speech_start, 0.25) << r.output;
    const auto stopped = std::find_if(events.begin(), events.end(),
                                      [](const json& e) { return e["type"] == "speech_stopped"; });
    ASSERT_NE(stopped, events.end()) << r.output;
    // The last stop is the end of the utterance (pauses inside it may split the turn).
    double last_stop = 0;
    for (const auto& e : events)
        if (e["type"] == "speech_stopped")
            last_stop = e["seconds"].get<double>();
    EXPECT_NEAR(last_stop, speech_end, 0.3) << r.output;
}

TEST(BrowserClient, TypedChatMessageRoundTrips)
{
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    test::relay_harness relay(client_config(fake));
    const auto r = run_scenario("typed_chat", url_of(relay));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_TRUE(fake.wait_until([](const connections& c) {
        return !c.empty() && has_user_text(c[0], "What are your opening hours?");
    })) << r.output;
    EXPECT_FALSE(client_events(fake.connections()[0], "response.create").empty());
    EXPECT_EQ(r.summary()["transcript"], "Hello from the fake.");
}

TEST(BrowserClient, UpstreamAudioDeltasArePlayedToTheLastSampleInTheWorklet)
{
    fakes::fake_realtime_server fake; // answers with 1.0 s of 440 Hz
    ASSERT_TRUE(fake.start());
    test::relay_harness relay(client_config(fake));
    const auto r = run_scenario("playback", url_of(relay));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const double rate = r.summary()["rate"].get<double>();
    const double played_seconds = r.summary()["played"].get<double>() / rate;
    // 1.0 s, give or take the resampler's delay and the last frame's zero padding.
    EXPECT_NEAR(played_seconds, 1.0, 0.05) << r.output;
}

TEST(BrowserClient, BargeInStopsPlaybackAndTruncatesAtThePlayedAudio)
{
    fakes::fake_realtime_options options;
    options.response_audio.assign(std::size_t{24000} * 8,
                                  0); // 8 s: still playing when the visitor talks
    for (std::size_t i = 0; i < options.response_audio.size(); ++i)
        options.response_audio[i] = static_cast<std::int16_t>(
            6000 * std::sin(2 * M_PI * 220.0 * static_cast<double>(i) / 24000.0));
    fakes::fake_realtime_server fake(options);
    ASSERT_TRUE(fake.start());
    test::relay_harness relay(client_config(fake));
    const auto r = run_scenario("barge_in", url_of(relay),
                                "DONNA_WAV='" + donna::test::audio_path("turn_48000.wav") + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_TRUE(fake.wait_until([](const connections& c) {
        return !c.empty() && !client_events(c[0], "conversation.item.truncate").empty();
    })) << r.output;
    const auto truncate =
        client_events(fake.connections()[0], "conversation.item.truncate").front();
    const auto audio_end_ms = truncate["audio_end_ms"].get<std::int64_t>();
    // The visitor starts talking 1.5 s into the microphone, after at least 0.25 s of DONNA.
    EXPECT_GT(audio_end_ms, 250);
    EXPECT_LT(audio_end_ms, 8000);
    EXPECT_EQ(truncate["content_index"], 0);
    EXPECT_EQ(truncate["audio_end_ms"], r.summary()["truncate"]["audio_end_ms"]);
    // What the worklet had played when it was cut matches the truncate (within a 20 ms
    // report interval), and nothing more played afterwards.
    const double rate = r.summary()["rate"].get<double>();
    EXPECT_NEAR(static_cast<double>(audio_end_ms),
                r.summary()["playedAtCut"].get<double>() * 1000.0 / rate, 60.0)
        << r.output;
    EXPECT_EQ(r.summary()["playedAfter"], r.summary()["playedAtCut"]);
    EXPECT_TRUE(r.summary()["errors"].empty()) << "the fake refused the truncate: " << r.output;
}

TEST(BrowserClient, MicrophoneDeniedShowsWhyAndTextChatStillWorks)
{
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    test::relay_harness relay(client_config(fake));
    const auto r = run_scenario("mic_denied", url_of(relay),
                                "DONNA_WAV='" + donna::test::audio_path("speech_48000.wav") + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.summary()["failure"]["kind"], "denied");
    EXPECT_FALSE(r.summary()["failure"]["message"].get<std::string>().empty());
    ASSERT_TRUE(fake.wait_until([](const connections& c) {
        return !c.empty() && has_user_text(c[0], "Typing without a microphone");
    })) << r.output;
}

TEST(BrowserClient, NoMicrophoneDeviceShowsWhyAndTextChatStillWorks)
{
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    test::relay_harness relay(client_config(fake));
    const auto r = run_scenario("mic_missing", url_of(relay)); // no DONNA_WAV: no device at all
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.summary()["failure"]["kind"], "no_device") << r.output;
    ASSERT_TRUE(fake.wait_until([](const connections& c) {
        return !c.empty() && has_user_text(c[0], "Typing without any microphone");
    })) << r.output;
}

TEST(BrowserClient, DroppedSessionReconnectsWithANewTokenAndChatGoesOn)
{
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    test::relay_harness relay(client_config(fake));
    auto run =
        std::async(std::launch::async, [&] { return run_scenario("reconnect", url_of(relay)); });
    // Once the first session is up (the persona's session.update and the client's own
    // settings have arrived), the upstream ends it.
    ASSERT_TRUE(fake.wait_until(
        [](const connections& c) {
            return c.size() == 1 && !client_events(c[0], "session.update").empty();
        },
        std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    fake.close_all();
    const auto r = run.get();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto connections_now = fake.connections();
    ASSERT_EQ(connections_now.size(), 2u) << r.output;
    EXPECT_TRUE(has_user_text(connections_now[1], "Still there?"));
    const auto states = r.summary()["states"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(states.begin(), states.end(), "waiting_to_retry"), states.end());
    EXPECT_EQ(states.back(), "connected");
}

config widget_config(const fakes::fake_realtime_server& fake, int allowed_host_port)
{
    auto c = client_config(fake);
    auto sites =
        parse_sites(R"({"sites":[{"id":"acme","allowed_origins":["http://127.0.0.1:)" +
                    std::to_string(allowed_host_port) + R"(","self"],"persona":"receptionist",
                             "greeting":"Hello, Acme reception."}]})");
    EXPECT_TRUE(sites) << sites.error().message;
    c.sites = std::move(*sites);
    return c;
}

TEST(BrowserClient, WidgetOnAnotherOriginWaitsForAClickThenOpensTheRelaysIframeAndChats)
{
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    const int host_port = free_port();
    test::relay_harness relay(widget_config(fake, host_port));
    const auto r = run_scenario("widget", url_of(relay),
                                "DONNA_SITE=acme DONNA_HOST_PORT=" + std::to_string(host_port));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // Until the click, the embed costs the customer's page one request: the script itself.
    EXPECT_EQ(r.summary()["beforeClick"], json::array({"/donna-widget.js"})) << r.output;
    EXPECT_EQ(
        r.summary()["frameUrl"].get<std::string>().rfind(url_of(relay) + "/embed?site=acme", 0), 0u)
        << r.output;
    ASSERT_TRUE(fake.wait_until([](const connections& c) {
        return !c.empty() && has_user_text(c[0], "Hello from the widget");
    })) << r.output;
}

// Runs `scenario` with the customer's page on an origin the site does not allow.
scenario_result run_on_foreign_origin(const fakes::fake_realtime_server& fake,
                                      const std::string& scenario)
{
    const int allowed = free_port();
    int other = free_port();
    while (other == allowed)
        other = free_port();
    test::relay_harness relay(widget_config(fake, allowed));
    return run_scenario(scenario, url_of(relay),
                        "DONNA_SITE=acme DONNA_HOST_PORT=" + std::to_string(other));
}

TEST(BrowserClient, WidgetOnAnOriginNotInTheAllowlistShowsAVisibleRefusal)
{
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    const auto r = run_on_foreign_origin(fake, "widget_refused");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.summary()["message"].get<std::string>().find("not enabled"), std::string::npos)
        << r.output;
    EXPECT_TRUE(fake.connections().empty()); // no session was ever opened
}

TEST(BrowserClient, EmbedPageIsRefusedByTheBrowserInAFrameOnAnotherOrigin)
{
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    const auto r = run_on_foreign_origin(fake, "embed_framing_refused");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_FALSE(r.summary()["loaded"].get<bool>()) << r.output;
}

} // namespace
} // namespace donna::relay
