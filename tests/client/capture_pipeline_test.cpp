// The microphone path on generated speech (espeak-ng fixtures at the browser's 48 kHz).
#include "client/capture_pipeline.hpp"

#include "audio/base64.hpp"
#include "audio/opus_codec.hpp"
#include "audio/pcm16.hpp"
#include "protocol/audio_frame.hpp"
#include "wav_file.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace donna::client {
namespace {

constexpr std::size_t batch = 960; // 20 ms at 48 kHz, as the capture worklet posts
// One Opus frame (40 ms) and one PCM16 frame (20 ms) at 24 kHz.
constexpr std::size_t opus_frame = 960;
constexpr std::size_t pcm16_frame = 480;

struct run_result {
    uplink_messages out;
    std::vector<turn_event> events;
};

run_result feed(capture_pipeline& capture, const std::vector<float>& samples, bool sending)
{
    run_result r;
    uplink_messages out;
    for (std::size_t at = 0; at < samples.size(); at += batch) {
        const std::size_t n = std::min(batch, samples.size() - at);
        capture.process(std::span(samples).subspan(at, n), sending, out, r.events);
        for (auto& b : out.binary)
            r.out.binary.push_back(std::move(b));
        for (auto& t : out.text)
            r.out.text.push_back(std::move(t));
        out.clear();
    }
    return r;
}

double rms(std::span<const float> s)
{
    double sum = 0;
    for (float v : s)
        sum += static_cast<double>(v) * v;
    return s.empty() ? 0 : std::sqrt(sum / static_cast<double>(s.size()));
}

TEST(CapturePipeline, SpeechBecomesOneOpusFramePer40msThatDecodesBackToSpeechAt24k)
{
    auto wav = test::read_wav(test::audio_path("turn_48000.wav"));
    ASSERT_TRUE(wav) << wav.error().message;
    auto capture = capture_pipeline::create(48000, {});
    ASSERT_TRUE(capture) << capture.error().message;
    const auto r = feed(*capture, wav->samples, true);

    const std::size_t expected_frames = wav->samples.size() / 2 / opus_frame;
    EXPECT_NEAR(static_cast<double>(r.out.binary.size()), static_cast<double>(expected_frames),
                1.0);
    EXPECT_TRUE(r.out.text.empty());

    auto decoder = opus_decoder::create(24000);
    ASSERT_TRUE(decoder);
    std::vector<float> decoded;
    std::vector<float> pcm(2880);
    std::uint16_t expected_sequence = 0;
    for (const auto& message : r.out.binary) {
        const auto frame = decode_audio_frame(message);
        ASSERT_TRUE(frame) << frame.error().message;
        EXPECT_EQ(frame->header.kind, audio_frame_kind::opus_input);
        EXPECT_EQ(frame->header.sequence, expected_sequence++);
        const auto n = decoder->decode(frame->payload, pcm);
        ASSERT_TRUE(n);
        decoded.insert(decoded.end(), pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    EXPECT_EQ(decoded.size(), r.out.binary.size() * opus_frame);
    EXPECT_EQ(capture->sent_samples(), decoded.size());
    // The middle of the file is speech (1.5 s of padding on each side): it must not come out
    // as silence, and the padding must not come out as speech.
    const auto speech = std::span(decoded).subspan(std::size_t{24000} * 2, 24000);
    const auto lead = std::span(decoded).subspan(24000 / 5, 24000);
    EXPECT_GT(rms(speech), 4 * rms(lead));
}

TEST(CapturePipeline, DetectorReportsTheSpokenTurnInWireSamples)
{
    auto wav = test::read_wav(test::audio_path("turn_48000.wav"));
    ASSERT_TRUE(wav) << wav.error().message;
    auto capture = capture_pipeline::create(48000, {});
    ASSERT_TRUE(capture);
    const auto r = feed(*capture, wav->samples, false);
    ASSERT_GE(r.events.size(), 2u);
    EXPECT_EQ(r.events.front().kind, turn_event_kind::speech_started);
    // 1.5 s of leading silence (plus espeak-ng's own ~10 ms) at 24 kHz.
    EXPECT_NEAR(static_cast<double>(r.events.front().sample) / 24000.0, 1.51, 0.15);
    EXPECT_EQ(r.events.back().kind, turn_event_kind::speech_stopped);
}

TEST(CapturePipeline, NothingIsSentWhileNotSending)
{
    auto wav = test::read_wav(test::audio_path("speech_48000.wav"));
    ASSERT_TRUE(wav);
    auto capture = capture_pipeline::create(48000, {});
    ASSERT_TRUE(capture);
    const auto r = feed(*capture, wav->samples, false);
    EXPECT_TRUE(r.out.binary.empty());
    EXPECT_EQ(capture->sent_samples(), 0u);
    EXPECT_GT(capture->level(), -1.0f);
}

TEST(CapturePipeline, Pcm16ModeSends100msAppendsHoldingEverySample)
{
    auto wav = test::read_wav(test::audio_path("speech_48000.wav"));
    ASSERT_TRUE(wav);
    auto capture = capture_pipeline::create(48000, {}, uplink_format::pcm16);
    ASSERT_TRUE(capture);
    auto r = feed(*capture, wav->samples, true);
    capture->finish(r.out);
    ASSERT_FALSE(r.out.text.empty());
    EXPECT_TRUE(r.out.binary.empty());
    std::size_t samples = 0;
    for (std::size_t i = 0; i < r.out.text.size(); ++i) {
        const auto event = nlohmann::json::parse(r.out.text[i]);
        EXPECT_EQ(event["type"], "input_audio_buffer.append");
        const auto bytes = base64_decode(event["audio"].get<std::string>());
        ASSERT_TRUE(bytes);
        if (i + 1 < r.out.text.size()) {
            EXPECT_EQ(bytes->size(), 4800u); // 100 ms of PCM16 at 24 kHz
        }
        samples += bytes->size() / 2;
    }
    EXPECT_EQ(samples, capture->sent_samples());
    // Every input sample is represented: 48 kHz in, half as many out, padded to 20 ms.
    EXPECT_GE(samples + pcm16_frame, wav->samples.size() / 2);
}

TEST(CapturePipeline, FinishPadsThePartialFrameSoNoSpokenSampleIsLost)
{
    auto capture = capture_pipeline::create(48000, {});
    ASSERT_TRUE(capture);
    std::vector<float> tone(3000); // 62.5 ms at 48 kHz: one whole 40 ms frame and a part
    for (std::size_t i = 0; i < tone.size(); ++i)
        tone[i] = 0.3f * static_cast<float>(std::sin(0.05 * static_cast<double>(i)));
    uplink_messages out;
    std::vector<turn_event> events;
    capture->process(tone, true, out, events);
    const auto before = out.binary.size();
    capture->finish(out);
    EXPECT_EQ(out.binary.size(), before + 1);
    EXPECT_EQ(capture->sent_samples(), 2 * opus_frame);
}

TEST(CapturePipeline, SwitchingToPcm16GathersTwentyMillisecondFramesInto100msAppends)
{
    auto wav = test::read_wav(test::audio_path("speech_48000.wav"));
    ASSERT_TRUE(wav);
    auto capture = capture_pipeline::create(48000, {});
    ASSERT_TRUE(capture);
    capture->set_format(uplink_format::pcm16); // the relay asked for PCM16 at session start
    auto r = feed(*capture, wav->samples, true);
    EXPECT_TRUE(r.out.binary.empty());
    ASSERT_GE(r.out.text.size(), 2u);
    const auto first = nlohmann::json::parse(r.out.text.front());
    const auto bytes = base64_decode(first["audio"].get<std::string>());
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->size(), 4800u); // 100 ms, not a multiple of 40 ms
}

TEST(CapturePipeline, UnsupportedInputRateIsAClearError)
{
    auto capture = capture_pipeline::create(0, {});
    ASSERT_FALSE(capture);
    EXPECT_EQ(capture.error().code, errc::invalid_argument);
}

} // namespace
} // namespace donna::client
