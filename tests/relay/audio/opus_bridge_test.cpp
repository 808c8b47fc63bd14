#include "audio/opus_bridge.hpp"

#include "audio/base64.hpp"
#include "audio/opus_codec.hpp"
#include "audio/pcm16.hpp"
#include "protocol/audio_frame.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <set>

namespace donna::relay {
namespace {

using json = nlohmann::json;
using frame_bytes = std::vector<std::uint8_t>;

constexpr double pi = 3.14159265358979323846;
constexpr double tone_hz = 440.0;
constexpr float tone_amplitude = 0.5f;

std::vector<float> tone(std::size_t samples)
{
    std::vector<float> out(samples);
    for (std::size_t i = 0; i < samples; ++i)
        out[i] = tone_amplitude *
                 static_cast<float>(
                     std::sin(2 * pi * tone_hz * static_cast<double>(i) / bridge_sample_rate));
    return out;
}

double rms(std::span<const float> x)
{
    double sum = 0;
    for (float v : x)
        sum += double{v} * v;
    return std::sqrt(sum / static_cast<double>(x.size()));
}

// The frequency (10 Hz steps, 100 Hz to 2 kHz) holding the most energy, by Goertzel.
double dominant_frequency(std::span<const float> x)
{
    double best_hz = 0, best_power = -1;
    for (double hz = 100; hz <= 2000; hz += 10) {
        const double coeff = 2 * std::cos(2 * pi * hz / bridge_sample_rate);
        double s1 = 0, s2 = 0;
        for (float v : x) {
            const double s0 = v + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        if (power > best_power) {
            best_power = power;
            best_hz = hz;
        }
    }
    return best_hz;
}

// The client's side: 20 ms Opus packets in opus_input frames, sequence from first_sequence.
std::vector<frame_bytes> client_frames(const std::vector<float>& pcm,
                                       std::uint16_t first_sequence = 0)
{
    auto enc = opus_encoder::create({.sample_rate = bridge_sample_rate});
    EXPECT_TRUE(enc);
    std::vector<frame_bytes> frames;
    std::array<std::uint8_t, opus_max_packet> packet{};
    std::uint16_t sequence = first_sequence;
    for (std::size_t at = 0; at + bridge_frame_samples <= pcm.size(); at += bridge_frame_samples) {
        auto size = enc->encode(std::span(pcm).subspan(at, bridge_frame_samples), packet);
        EXPECT_TRUE(size) << size.error().message;
        frame_bytes frame;
        EXPECT_TRUE(encode_audio_frame(
            {audio_frame_kind::opus_input, sequence, static_cast<std::uint32_t>(at)},
            std::span(packet).first(*size), frame));
        frames.push_back(std::move(frame));
        sequence = next_sequence(sequence);
    }
    return frames;
}

// The audio of an input_audio_buffer.append event.
std::vector<float> append_audio(const std::string& text)
{
    const json j = json::parse(text, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << text;
    EXPECT_EQ(j.value("type", ""), "input_audio_buffer.append");
    auto bytes = base64_decode(j.value("audio", ""));
    EXPECT_TRUE(bytes);
    const auto samples = pcm16_from_bytes(*bytes);
    std::vector<float> out(samples.size());
    pcm16_to_float(samples, out);
    return out;
}

// Feeds every frame and returns all the audio the appends carried.
std::vector<float> feed(opus_input_bridge& bridge, const std::vector<frame_bytes>& frames)
{
    std::vector<float> audio;
    for (const auto& frame : frames) {
        auto text = bridge.on_frame(frame);
        EXPECT_TRUE(text) << text.error().message;
        if (!text)
            continue;
        const auto part = append_audio(*text);
        audio.insert(audio.end(), part.begin(), part.end());
    }
    return audio;
}

double db(double ratio)
{
    return 20 * std::log10(ratio);
}

// ---------------------------------------------------------------- input

TEST(OpusInputBridge, OneSecondOfToneComesOutAsOneSecondOfTheSameTone)
{
    auto bridge = opus_input_bridge::create();
    ASSERT_TRUE(bridge);
    const auto original = tone(bridge_sample_rate);
    const auto audio = feed(*bridge, client_frames(original));

    EXPECT_NEAR(static_cast<double>(audio.size()), bridge_sample_rate, bridge_frame_samples);
    EXPECT_NEAR(bridge->seconds_decoded(), 1.0, 0.02);
    // The middle 0.8 s: past the codec's start-up, whole periods either way.
    const auto steady = std::span(audio).subspan(2400, 19200);
    EXPECT_NEAR(db(rms(steady) / rms(original)), 0.0, 3.0);
    EXPECT_NEAR(dominant_frequency(steady), tone_hz, 10.0);
}

TEST(OpusInputBridge, MissingSequenceNumbersAreConcealedSoTheDurationStaysRight)
{
    auto bridge = opus_input_bridge::create();
    ASSERT_TRUE(bridge);
    // Starts near the wrap, so the gap at index 6 (sequence 0) spans 65535 -> 0 -> 1.
    auto frames = client_frames(tone(bridge_sample_rate), 65530);
    frames.erase(frames.begin() + 30);
    frames.erase(frames.begin() + 6);
    frames.erase(frames.begin() + 5);
    const auto audio = feed(*bridge, frames);

    EXPECT_NEAR(static_cast<double>(audio.size()), bridge_sample_rate, bridge_frame_samples);
    EXPECT_NEAR(bridge->seconds_decoded(), 1.0, 0.02);
}

TEST(OpusInputBridge, AGapLongerThanTheConcealmentLimitInventsAtMostOneSecond)
{
    auto bridge = opus_input_bridge::create();
    ASSERT_TRUE(bridge);
    auto frames = client_frames(tone(2 * bridge_frame_samples));
    frames[1][2] = 0x03; // sequence 1 -> 1000: 998 frames missing
    frames[1][3] = 0xE8;
    const auto audio = feed(*bridge, frames);
    EXPECT_EQ(audio.size(), (2 + max_concealed_frames) * bridge_frame_samples);
}

TEST(OpusInputBridge, BadHeadersAreRefusedWithTheReason)
{
    auto bridge = opus_input_bridge::create();
    ASSERT_TRUE(bridge);
    const auto good = client_frames(tone(bridge_frame_samples)).front();

    auto r = bridge->on_frame(std::span(good).first(5));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::frame_too_short);
    EXPECT_NE(r.error().message.find("opus_input frame refused"), std::string::npos)
        << r.error().message;

    auto other_version = good;
    other_version[0] = 2;
    r = bridge->on_frame(other_version);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::unsupported_version);

    auto output_kind = good;
    output_kind[1] = static_cast<std::uint8_t>(audio_frame_kind::opus_output);
    r = bridge->on_frame(output_kind);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_argument);
    EXPECT_NE(r.error().message.find("has kind opus_output"), std::string::npos)
        << r.error().message;
}

TEST(OpusInputBridge, CorruptPacketsAreRefusedAndConcealedByTheNextGoodFrame)
{
    auto bridge = opus_input_bridge::create();
    ASSERT_TRUE(bridge);
    auto frames = client_frames(tone(10 * bridge_frame_samples));
    std::vector<float> audio =
        feed(*bridge, std::vector<frame_bytes>(frames.begin(), frames.begin() + 5));

    // Code-3 TOC (several frames) with a frame count of zero: structurally impossible.
    const std::array<std::uint8_t, 2> corrupt = {0x03, 0x00};
    frame_bytes bad;
    ASSERT_TRUE(encode_audio_frame({audio_frame_kind::opus_input, 5, 2400}, corrupt, bad));
    auto r = bridge->on_frame(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::codec_error);
    EXPECT_NE(r.error().message.find("opus_input frame 5: corrupt Opus packet"), std::string::npos)
        << r.error().message;

    const auto rest = feed(*bridge, std::vector<frame_bytes>(frames.begin() + 6, frames.end()));
    audio.insert(audio.end(), rest.begin(), rest.end());
    EXPECT_EQ(audio.size(), 10 * bridge_frame_samples);
}

TEST(OpusInputBridge, DuplicateOrReorderedFramesAreRefused)
{
    auto bridge = opus_input_bridge::create();
    ASSERT_TRUE(bridge);
    const auto frames = client_frames(tone(3 * bridge_frame_samples));
    ASSERT_TRUE(bridge->on_frame(frames[0]));
    ASSERT_TRUE(bridge->on_frame(frames[2]));
    for (const auto* late : {&frames[2], &frames[1]}) {
        auto r = bridge->on_frame(*late);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, errc::out_of_range);
        EXPECT_NE(r.error().message.find("is not after frame 2"), std::string::npos)
            << r.error().message;
    }
    EXPECT_NEAR(bridge->seconds_decoded(), 3.0 * 0.02, 1e-9);
}

// ---------------------------------------------------------------- output

std::string audio_delta(const std::string& type, std::span<const float> pcm)
{
    std::vector<std::int16_t> samples(pcm.size());
    float_to_pcm16(pcm, samples);
    const json j = {{"type", type},
                    {"event_id", "event_1"},
                    {"response_id", "resp_1"},
                    {"item_id", "item_1"},
                    {"output_index", 0},
                    {"content_index", 0},
                    {"delta", base64_encode(pcm16_to_bytes(samples))}};
    return j.dump();
}

struct played {
    std::vector<float> audio;
    std::vector<audio_frame_header> headers;
};

// The client's side: decodes every frame the way the browser will.
played decode_frames(const std::vector<frame_bytes>& frames)
{
    played p;
    auto dec = opus_decoder::create(bridge_sample_rate);
    EXPECT_TRUE(dec);
    std::vector<float> pcm(2880);
    for (const auto& frame : frames) {
        auto view = decode_audio_frame(frame);
        EXPECT_TRUE(view) << view.error().message;
        p.headers.push_back(view->header);
        auto n = dec->decode(view->payload, pcm);
        EXPECT_TRUE(n) << n.error().message;
        p.audio.insert(p.audio.end(), pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    return p;
}

class OpusOutputBridge : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};
INSTANTIATE_TEST_SUITE_P(
    BothDialects, OpusOutputBridge,
    ::testing::Values(std::pair<std::string, std::string>{"response.output_audio.delta",
                                                          "response.output_audio.done"},
                      std::pair<std::string, std::string>{"response.audio.delta",
                                                          "response.audio.done"}),
    [](const auto& param_info) {
        return param_info.param.first == "response.audio.delta" ? std::string("beta")
                                                                : std::string("ga");
    });

TEST_P(OpusOutputBridge, DeltasBecomeFramesWhoseAudioMatchesPaddedTo20ms)
{
    const auto& [delta_type, done_type] = GetParam();
    auto bridge = opus_output_bridge::create();
    ASSERT_TRUE(bridge);
    const auto original = tone(3200);
    const std::array<std::size_t, 3> sizes = {1000, 1500, 700};
    const std::array<std::size_t, 3> frames_expected = {2, 3, 1}; // whole 480s so far

    std::vector<frame_bytes> frames;
    std::size_t at = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const std::string text = audio_delta(delta_type, std::span(original).subspan(at, sizes[i]));
        at += sizes[i];
        auto c = bridge->on_server_event(text);
        ASSERT_TRUE(c) << c.error().message;
        EXPECT_EQ(c->frames.size(), frames_expected[i]);
        json expected = json::parse(text);
        expected["delta"] = "";
        EXPECT_EQ(json::parse(c->event_text), expected); // item_id, response_id... kept
        frames.insert(frames.end(), c->frames.begin(), c->frames.end());
    }
    const std::string done = R"({"type":")" + done_type +
                             R"(","response_id":"resp_1","item_id":"item_1",)"
                             R"("output_index":0,"content_index":0})";
    auto c = bridge->on_server_event(done);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->event_text, done);
    EXPECT_EQ(c->frames.size(), 1u); // the last 320 samples, padded
    frames.insert(frames.end(), c->frames.begin(), c->frames.end());

    const auto p = decode_frames(frames);
    EXPECT_EQ(p.audio.size(), 7 * bridge_frame_samples); // 3200 rounded up to 20 ms
    for (std::size_t i = 0; i < p.headers.size(); ++i) {
        EXPECT_EQ(p.headers[i].kind, audio_frame_kind::opus_output);
        EXPECT_EQ(p.headers[i].sequence, i);
        EXPECT_EQ(p.headers[i].timestamp, i * bridge_frame_samples);
    }
    const auto steady = std::span(p.audio).subspan(480, 2400);
    EXPECT_NEAR(db(rms(steady) / rms(original)), 0.0, 3.0);
}

TEST(OpusOutputBridgeEvents, ASampleSplitAcrossDeltasIsKept)
{
    auto bridge = opus_output_bridge::create();
    ASSERT_TRUE(bridge);
    const auto pcm = tone(2 * bridge_frame_samples);
    std::vector<std::int16_t> samples(pcm.size());
    float_to_pcm16(pcm, samples);
    const auto bytes = pcm16_to_bytes(samples);
    const auto delta = [](std::span<const std::uint8_t> part) {
        return json{{"type", "response.output_audio.delta"},
                    {"item_id", "item_1"},
                    {"delta", base64_encode(part)}}
            .dump();
    };
    auto first = bridge->on_server_event(delta(std::span(bytes).first(999)));
    auto second = bridge->on_server_event(delta(std::span(bytes).subspan(999)));
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->frames.size() + second->frames.size(), 2u);
}

TEST(OpusOutputBridgeEvents, OtherEventsPassThroughUnchangedWithoutFrames)
{
    auto bridge = opus_output_bridge::create();
    ASSERT_TRUE(bridge);
    for (const std::string text :
         {R"({"type":"response.output_audio_transcript.delta","item_id":"i","delta":"Hel"})",
          R"({"type":"session.created", "session":{}})",
          R"({"type":"mcp_list_tools.in_progress","item_id":"i"})"}) {
        auto c = bridge->on_server_event(text);
        ASSERT_TRUE(c) << c.error().message;
        EXPECT_EQ(c->event_text, text);
        EXPECT_TRUE(c->frames.empty());
    }
}

TEST(OpusOutputBridgeEvents, BadDeltasAreErrorsThatNameTheProblem)
{
    auto bridge = opus_output_bridge::create();
    ASSERT_TRUE(bridge);
    auto r = bridge->on_server_event(R"({"type":"response.output_audio.delta","delta":"A*=="})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_base64);
    EXPECT_NE(r.error().message.find("response.output_audio.delta delta:"), std::string::npos)
        << r.error().message;

    r = bridge->on_server_event(R"({"type":"response.audio.delta","item_id":"i"})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::missing_field);

    r = bridge->on_server_event("{\"type\":\"response.audio.delta\"");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_json);
}

} // namespace
} // namespace donna::relay
