// The client's behaviour against a recording stand-in for the browser (the browser itself is
// exercised end to end in tests/browser). Server events are real Realtime event texts.
#include "client/voice_client.hpp"

#include "client/frame_pacer.hpp"

#include "audio/opus_codec.hpp"
#include "protocol/audio_frame.hpp"
#include "wav_file.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace donna::client {
namespace {

using json = nlohmann::json;

struct recording_io : client_io {
    std::vector<std::string> session_requests;
    std::vector<std::pair<std::string, std::string>> sockets_opened; // url, token
    int sockets_closed = 0;
    std::vector<std::string> sent_text;
    std::vector<std::vector<std::uint8_t>> sent_binary;
    std::vector<std::int64_t> timers;
    int mic_starts = 0, mic_stops = 0, flushes = 0, drains = 0;
    std::uint64_t queued = 0;
    std::vector<json> notices;

    void request_session(std::string_view persona) override
    {
        session_requests.emplace_back(persona);
    }
    void open_socket(const std::string& url, const std::string& token) override
    {
        sockets_opened.emplace_back(url, token);
    }
    void close_socket() override { ++sockets_closed; }
    void send_text(std::string_view text) override { sent_text.emplace_back(text); }
    void send_binary(std::span<const std::uint8_t> b) override
    {
        sent_binary.emplace_back(b.begin(), b.end());
    }
    void start_timer(std::int64_t ms) override { timers.push_back(ms); }
    void start_microphone() override { ++mic_starts; }
    void stop_microphone() override { ++mic_stops; }
    void play(std::span<const float> s) override { queued += s.size(); }
    void flush_playback() override { ++flushes; }
    void drain_playback() override { ++drains; }
    double random_unit() override { return 0.5; }
    void notify(std::string_view event) override { notices.push_back(json::parse(event)); }

    std::vector<json> sent_events() const
    {
        std::vector<json> out;
        out.reserve(sent_text.size());
        for (const auto& t : sent_text)
            out.push_back(json::parse(t));
        return out;
    }
    std::vector<std::string> sent_types() const
    {
        std::vector<std::string> out;
        out.reserve(sent_text.size());
        for (const auto& t : sent_text)
            out.push_back(json::parse(t)["type"].get<std::string>());
        return out;
    }
    bool notified(const std::string& type) const
    {
        return std::any_of(notices.begin(), notices.end(),
                           [&](const json& n) { return n["type"] == type; });
    }
};

session_grant grant()
{
    return {.token = "dt1.test.token",
            .realtime_url = "ws://127.0.0.1:1/v1/realtime?donna_client=1&donna_output_audio=opus",
            .greeting = "Hello, how can I help?",
            .persona = "receptionist"};
}

// A client with a live session (token, socket, session.created) and audio at 48 kHz.
void connect(voice_client& client)
{
    client.on_audio_ready(48000);
    client.start();
    client.on_session(grant());
    client.on_socket_open();
    client.on_socket_text(
        R"({"type":"session.created","event_id":"e0","session":{"type":"realtime","id":"s1"}})");
}

std::vector<std::uint8_t> voice_frame(std::uint16_t sequence)
{
    static auto encoder = opus_encoder::create({.sample_rate = 24000});
    std::vector<float> pcm(480);
    for (std::size_t i = 0; i < pcm.size(); ++i)
        pcm[i] = 0.3f * static_cast<float>(std::sin(0.1 * static_cast<double>(i)));
    std::vector<std::uint8_t> packet(opus_max_packet);
    const auto size = encoder->encode(pcm, packet);
    std::vector<std::uint8_t> frame;
    (void)encode_audio_frame(
        {.kind = audio_frame_kind::opus_output, .sequence = sequence, .timestamp = 0u},
        std::span(packet.data(), *size), frame);
    return frame;
}

// DONNA says `frames` x 20 ms of item `item` (Opus mode: the JSON delta, then binary frames).
void donna_speaks(voice_client& client, const std::string& item, int frames,
                  std::uint16_t first_sequence = 0)
{
    client.on_socket_text(
        R"({"type":"response.output_audio.delta","response_id":"r1","item_id":")" + item +
        R"(","output_index":0,"content_index":0,"delta":""})");
    for (int f = 0; f < frames; ++f)
        client.on_socket_binary(voice_frame(static_cast<std::uint16_t>(first_sequence + f)));
}

TEST(VoiceClient, StartAsksForATokenThenOpensTheRealtimeUrlWithIt)
{
    recording_io io;
    voice_client client(io);
    client.start();
    ASSERT_EQ(io.session_requests, std::vector<std::string>{"general"});
    EXPECT_EQ(client.link(), link_state::fetching_token);
    client.on_session(grant());
    ASSERT_EQ(io.sockets_opened.size(), 1u);
    EXPECT_EQ(io.sockets_opened[0].first, grant().realtime_url);
    EXPECT_EQ(io.sockets_opened[0].second, "dt1.test.token");
    EXPECT_EQ(client.link(), link_state::connecting);
    EXPECT_EQ(client.current_persona(), persona::receptionist); // the token's persona
    ASSERT_EQ(client.chat().lines().size(), 1u);
    EXPECT_EQ(client.chat().lines()[0].text, "Hello, how can I help?");
}

TEST(VoiceClient, SessionCreatedSendsServerVadWithTheClientsTurnSettings)
{
    recording_io io;
    voice_client client(io);
    client.set_turn({.threshold = 0.6f, .prefix_padding_ms = 200, .silence_duration_ms = 700});
    connect(client);
    EXPECT_EQ(client.link(), link_state::connected);
    const auto events = io.sent_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["type"], "session.update");
    const auto& td = events[0]["session"]["audio"]["input"]["turn_detection"];
    EXPECT_EQ(events[0]["session"]["type"], "realtime");
    EXPECT_EQ(td["type"], "server_vad");
    EXPECT_NEAR(td["threshold"].get<double>(), 0.6, 1e-6);
    EXPECT_EQ(td["prefix_padding_ms"], 200);
    EXPECT_EQ(td["silence_duration_ms"], 700);
}

TEST(VoiceClient, PushToTalkTurnsServerTurnDetectionOff)
{
    recording_io io;
    voice_client client(io);
    connect(client);
    client.set_mode(talk_mode::push_to_talk);
    const auto events = io.sent_events();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_TRUE(events[1]["session"]["audio"]["input"]["turn_detection"].is_null());
}

TEST(VoiceClient, HandsFreeStreamsOpusFramesOnlyOnceConnected)
{
    auto wav = test::read_wav(test::audio_path("speech_48000.wav"));
    ASSERT_TRUE(wav);
    recording_io io;
    voice_client client(io);
    client.microphone(true);
    EXPECT_EQ(io.mic_starts, 1);
    client.on_microphone_started(48000);
    client.on_capture(std::span(wav->samples).first(9600)); // before any session: kept local
    EXPECT_TRUE(io.sent_binary.empty());
    connect(client);
    for (std::size_t at = 0; at + 960 <= wav->samples.size(); at += 960)
        client.on_capture(std::span(wav->samples).subspan(at, 960));
    ASSERT_FALSE(io.sent_binary.empty());
    const auto frame = decode_audio_frame(io.sent_binary.front());
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->header.kind, audio_frame_kind::opus_input);
    EXPECT_EQ(client.sent_samples(), io.sent_binary.size() * 960); // 40 ms frames at 24 kHz
}

// What the frame pacer reads of the client (wasm/client/frame_pacer): a live microphone
// listens, and connecting or starting the microphone changes what the UI shows.
TEST(VoiceClient, TheUiLookFollowsTheLinkAndTheMicrophone)
{
    recording_io io;
    voice_client client(io);
    const auto idle = look_of(client);
    EXPECT_EQ(activity_of(client), ui_activity::idle);
    connect(client);
    const auto connected = look_of(client);
    EXPECT_NE(connected, idle);
    EXPECT_EQ(connected.link, link_state::connected);
    client.microphone(true);
    client.on_microphone_started(48000);
    EXPECT_EQ(look_of(client).mic, mic_state::on);
    EXPECT_EQ(activity_of(client), ui_activity::listening);
}

TEST(VoiceClient, PushToTalkReleaseCommitsAndAsksForAResponse)
{
    auto wav = test::read_wav(test::audio_path("speech_48000.wav"));
    ASSERT_TRUE(wav);
    recording_io io;
    voice_client client(io);
    connect(client);
    client.set_mode(talk_mode::push_to_talk);
    client.microphone(true);
    client.on_microphone_started(48000);
    client.on_capture(std::span(wav->samples).first(4800)); // not held: nothing sent
    EXPECT_TRUE(io.sent_binary.empty());
    client.push_to_talk(true);
    for (std::size_t at = 0; at + 960 <= 48000; at += 960)
        client.on_capture(std::span(wav->samples).subspan(at, 960));
    client.push_to_talk(false);
    EXPECT_EQ(io.sent_binary.size(), 25u); // 1 s of 40 ms frames
    const auto types = io.sent_types();
    ASSERT_GE(types.size(), 2u);
    EXPECT_EQ(types[types.size() - 2], "input_audio_buffer.commit");
    EXPECT_EQ(types.back(), "response.create");
}

TEST(VoiceClient, TooShortPushToTalkPressIsClearedNotCommitted)
{
    recording_io io;
    voice_client client(io);
    connect(client);
    client.set_mode(talk_mode::push_to_talk);
    client.microphone(true);
    client.on_microphone_started(48000);
    client.push_to_talk(true);
    const std::vector<float> blip(960, 0.1f);
    client.on_capture(blip);
    client.push_to_talk(false);
    EXPECT_EQ(io.sent_types().back(), "input_audio_buffer.clear");
}

TEST(VoiceClient, BargeInFlushesAtOnceThenTruncatesAtWhatWasPlayed)
{
    recording_io io;
    voice_client client(io);
    connect(client);
    donna_speaks(client, "item_a", 100); // 2 s
    EXPECT_NEAR(static_cast<double>(io.queued), 96000.0, 200.0);
    client.on_playback_progress(24000, io.queued - 24000);
    EXPECT_TRUE(client.donna_speaking());
    client.on_socket_text(
        R"({"type":"input_audio_buffer.speech_started","audio_start_ms":1000,"item_id":"u2"})");
    EXPECT_EQ(io.flushes, 1);
    EXPECT_TRUE(io.notified("barge_in"));
    // More of the cut item still arriving is dropped, not queued.
    const auto queued_before = io.queued;
    donna_speaks(client, "item_a", 5, 100);
    EXPECT_EQ(io.queued, queued_before);
    client.on_playback_flushed(36000); // the worklet had played 0.75 s
    const auto events = io.sent_events();
    ASSERT_EQ(events.back()["type"], "conversation.item.truncate");
    EXPECT_EQ(events.back()["item_id"], "item_a");
    EXPECT_EQ(events.back()["content_index"], 0);
    EXPECT_EQ(events.back()["audio_end_ms"], 750);
    EXPECT_FALSE(client.donna_speaking());
}

TEST(VoiceClient, ClientDetectorSpeechBargesInHandsFree)
{
    auto wav = test::read_wav(test::audio_path("turn_48000.wav"));
    ASSERT_TRUE(wav);
    recording_io io;
    voice_client client(io);
    connect(client);
    client.microphone(true);
    client.on_microphone_started(48000);
    donna_speaks(client, "item_b", 250); // 5 s, longer than the visitor waits
    for (std::size_t at = 0; at + 960 <= wav->samples.size() && io.flushes == 0; at += 960)
        client.on_capture(std::span(wav->samples).subspan(at, 960));
    EXPECT_EQ(io.flushes, 1);
    EXPECT_TRUE(io.notified("speech_started"));
}

TEST(VoiceClient, NoBargeInWhenDonnaIsSilent)
{
    recording_io io;
    voice_client client(io);
    connect(client);
    client.on_socket_text(
        R"({"type":"input_audio_buffer.speech_started","audio_start_ms":0,"item_id":"u1"})");
    EXPECT_EQ(io.flushes, 0);
}

TEST(VoiceClient, TypedMessageSendsAUserItemAndAResponseCreate)
{
    recording_io io;
    voice_client client(io);
    connect(client);
    EXPECT_TRUE(client.send_text("What time do you open?"));
    const auto events = io.sent_events();
    ASSERT_GE(events.size(), 3u);
    const auto& item = events[events.size() - 2];
    EXPECT_EQ(item["type"], "conversation.item.create");
    EXPECT_EQ(item["item"]["role"], "user");
    EXPECT_EQ(item["item"]["content"][0]["type"], "input_text");
    EXPECT_EQ(item["item"]["content"][0]["text"], "What time do you open?");
    EXPECT_EQ(events.back()["type"], "response.create");
    EXPECT_EQ(client.chat().lines().back().text, "What time do you open?");
}

TEST(VoiceClient, TypedMessageWhileDisconnectedIsKeptAndExplained)
{
    recording_io io;
    voice_client client(io);
    EXPECT_FALSE(client.send_text("hello"));
    EXPECT_TRUE(io.sent_text.empty());
    ASSERT_EQ(client.chat().errors().size(), 1u);
    EXPECT_EQ(client.chat().errors()[0].code, "not_connected");
}

TEST(VoiceClient, LostConnectionRetriesWithGrowingBackoffAndANewToken)
{
    recording_io io;
    voice_client client(io);
    connect(client);
    client.on_socket_closed(1006, "");
    EXPECT_EQ(client.link(), link_state::waiting_to_retry);
    ASSERT_EQ(io.timers.size(), 1u);
    EXPECT_EQ(io.timers[0], 500);
    client.on_timer();
    EXPECT_EQ(io.session_requests.size(), 2u);
    client.on_session_failed("network", "The relay could not be reached.");
    ASSERT_EQ(io.timers.size(), 2u);
    EXPECT_EQ(io.timers[1], 1000);
    client.on_timer();
    client.on_session(grant());
    client.on_socket_open();
    client.on_socket_text(R"({"type":"session.created","session":{"type":"realtime"}})");
    EXPECT_EQ(client.link(), link_state::connected);
    client.on_socket_closed(1001, "relay_shutting_down");
    EXPECT_EQ(io.timers.back(), 500); // a session that came up resets the backoff
    EXPECT_NE(client.link_detail().find("relay_shutting_down"), std::string::npos);
    // The greeting is shown once, not once per reconnect.
    EXPECT_EQ(
        std::count_if(client.chat().lines().begin(), client.chat().lines().end(),
                      [](const transcript_line& l) { return l.text == "Hello, how can I help?"; }),
        1);
}

TEST(VoiceClient, OriginNotAllowedStopsRetryingAndSaysWhy)
{
    recording_io io;
    voice_client client(io);
    client.start();
    client.on_session_failed("origin_not_allowed", "DONNA is not enabled for this website.");
    EXPECT_EQ(client.link(), link_state::failed);
    EXPECT_TRUE(io.timers.empty());
    EXPECT_EQ(client.link_detail(), "DONNA is not enabled for this website.");
}

TEST(VoiceClient, MicrophoneDeniedLeavesTextChatWorking)
{
    recording_io io;
    voice_client client(io);
    connect(client);
    client.microphone(true);
    client.on_microphone_failed("denied", "Microphone access was denied.");
    EXPECT_EQ(client.mic(), mic_state::failed);
    EXPECT_NE(client.mic_message().find("denied"), std::string::npos);
    ASSERT_FALSE(client.chat().errors().empty());
    EXPECT_EQ(client.chat().errors().back().code, "microphone_denied");
    EXPECT_TRUE(client.send_text("typing still works"));
}

TEST(VoiceClient, PersonaChangeIsSentAndConfirmedByTheRelay)
{
    recording_io io;
    voice_client client(io);
    connect(client);
    client.set_persona(persona::sales);
    const auto events = io.sent_events();
    EXPECT_EQ(events.back()["type"], "donna.persona");
    EXPECT_EQ(events.back()["persona"], "sales");
    client.on_socket_text(R"({"type":"donna.persona","persona":"sales"})");
    EXPECT_EQ(client.current_persona(), persona::sales);
    EXPECT_NE(client.chat().lines().back().text.find("sales"), std::string::npos);
}

TEST(VoiceClient, GarbageFromTheSocketIsIgnoredWithoutHarm)
{
    recording_io io;
    voice_client client(io);
    connect(client);
    client.on_socket_text("not json");
    client.on_socket_text(R"({"type":"no.such.event"})");
    client.on_socket_binary(std::vector<std::uint8_t>{1, 2, 3});
    EXPECT_EQ(client.link(), link_state::connected);
    EXPECT_EQ(io.queued, 0u);
}

} // namespace
} // namespace donna::client
