// voice/voice_upload and providers/openai/transcription: a recorded turn -> the WAV and the
// transcription request.
#include "voice/voice_upload.hpp"

#include "voice_upload_body.hpp"

#include "audio/wav.hpp"
#include "config/config.hpp"
#include "providers/openai/transcription.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace donna::relay {
namespace {

using test::tone;

std::string as_string(const std::vector<std::uint8_t>& bytes)
{
    return {bytes.begin(), bytes.end()};
}

wav_audio decoded(const std::string& wav)
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(wav.data());
    auto audio = decode_wav(std::span(p, wav.size()));
    EXPECT_TRUE(audio);
    return audio ? *audio : wav_audio{};
}

std::string opus_upload(double seconds, std::uint16_t skip_sequence = 0xFFFF)
{
    return test::opus_frames_upload(test::tone(24000, seconds), skip_sequence);
}

TEST(VoiceUpload, A44kStereoWavBecomes16kMonoOfTheSameDuration)
{
    // A stereo 44.1 kHz file: both channels the same tone.
    const auto mono = tone(44100, 1.5);
    std::vector<float> interleaved;
    for (const float s : mono) {
        interleaved.push_back(s);
        interleaved.push_back(s);
    }
    auto bytes = encode_wav(interleaved, 88200); // written as mono at twice the rate...
    bytes[22] = 2;                               // ...then relabelled: 2 channels at 44.1 kHz
    const std::uint32_t rate = 44100;
    for (int i = 0; i < 4; ++i)
        bytes[24 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(rate >> (8 * i));
    const auto turn = convert_voice_upload("audio/wav", as_string(bytes), 60);
    ASSERT_TRUE(std::holds_alternative<voice_turn_audio>(turn))
        << std::get<voice_upload_error>(turn).message;
    const auto& audio = std::get<voice_turn_audio>(turn);
    EXPECT_NEAR(audio.seconds, 1.5, 1e-6);
    const auto wav = decoded(audio.wav);
    EXPECT_EQ(wav.sample_rate, whisper_sample_rate);
    EXPECT_NEAR(wav.seconds(), 1.5, 0.02);
    float peak = 0;
    for (const float s : wav.samples)
        peak = std::max(peak, std::abs(s));
    EXPECT_NEAR(peak, 0.4F, 0.02F); // the tone survived, not silence
}

TEST(VoiceUpload, OpusFramesAreDecodedAndALostFrameIsConcealed)
{
    const auto whole =
        convert_voice_upload("application/x-donna-audio-frames", opus_upload(1.0), 60);
    ASSERT_TRUE(std::holds_alternative<voice_turn_audio>(whole))
        << std::get<voice_upload_error>(whole).message;
    EXPECT_NEAR(std::get<voice_turn_audio>(whole).seconds, 1.0, 0.001);

    const auto lossy =
        convert_voice_upload("application/x-donna-audio-frames", opus_upload(1.0, 10), 60);
    ASSERT_TRUE(std::holds_alternative<voice_turn_audio>(lossy));
    EXPECT_NEAR(std::get<voice_turn_audio>(lossy).seconds, 1.0, 0.001); // 20 ms concealed
    EXPECT_NEAR(decoded(std::get<voice_turn_audio>(lossy).wav).seconds(), 1.0, 0.02);
}

TEST(VoiceUpload, BadUploadsAreRefusedWithACodeAndTheReason)
{
    const auto wrong_type = convert_voice_upload("text/plain", "hello", 60);
    ASSERT_TRUE(std::holds_alternative<voice_upload_error>(wrong_type));
    EXPECT_EQ(std::get<voice_upload_error>(wrong_type).http_status, 415);
    EXPECT_EQ(std::get<voice_upload_error>(wrong_type).code, "unsupported_media_type");

    const auto not_wav = convert_voice_upload("audio/wav", "RIFF....AVI LIST", 60);
    ASSERT_TRUE(std::holds_alternative<voice_upload_error>(not_wav));
    EXPECT_EQ(std::get<voice_upload_error>(not_wav).code, "invalid_audio");

    const auto too_long =
        convert_voice_upload("audio/wav", as_string(encode_wav(tone(16000, 3.0), 16000)), 2);
    ASSERT_TRUE(std::holds_alternative<voice_upload_error>(too_long));
    EXPECT_EQ(std::get<voice_upload_error>(too_long).http_status, 413);
    EXPECT_EQ(std::get<voice_upload_error>(too_long).code, "audio_too_long");

    const auto too_short =
        convert_voice_upload("audio/wav", as_string(encode_wav(tone(16000, 0.05), 16000)), 60);
    ASSERT_TRUE(std::holds_alternative<voice_upload_error>(too_short));
    EXPECT_EQ(std::get<voice_upload_error>(too_short).code, "audio_too_short");

    auto frames = opus_upload(0.5);
    frames.resize(frames.size() - 3); // the last frame cut short
    const auto cut = convert_voice_upload("application/x-donna-audio-frames", frames, 60);
    ASSERT_TRUE(std::holds_alternative<voice_upload_error>(cut));
    EXPECT_NE(std::get<voice_upload_error>(cut).message.find("runs past the end"),
              std::string::npos);

    std::string replayed = opus_upload(0.2);
    replayed += replayed; // the same sequence numbers again
    const auto repeated = convert_voice_upload("application/x-donna-audio-frames", replayed, 60);
    ASSERT_TRUE(std::holds_alternative<voice_upload_error>(repeated));
    EXPECT_NE(std::get<voice_upload_error>(repeated).message.find("repeats or goes back"),
              std::string::npos);
}

TEST(Transcription, RequestIsTheDefaultModelWithTheSeedsSettingsAsMultipart)
{
    config cfg;
    cfg.openai_api_key = "sk-test";
    cfg.openai_base_url = "https://openai.example/v1";
    const auto req = transcription_request(cfg, "RIFFdata");
    EXPECT_EQ(req.url, "https://openai.example/v1/audio/transcriptions");
    const auto& body = req.body;
    for (const auto* expected :
         {"name=\"file\"; filename=\"turn.wav\"", "Content-Type: audio/wav", "RIFFdata",
          "name=\"model\"\r\n\r\ngpt-transcribe", "name=\"language\"\r\n\r\nen",
          "name=\"response_format\"\r\n\r\njson"})
        EXPECT_NE(body.find(expected), std::string::npos) << expected;
    EXPECT_EQ(body.find("name=\"temperature\""), std::string::npos);
    cfg.transcription_language = "";
    EXPECT_EQ(transcription_request(cfg, "RIFF").body.find("name=\"language\""), std::string::npos);
}

TEST(Transcription, AnswerTextIsTrimmedAndOtherShapesAreErrors)
{
    EXPECT_EQ(parse_transcription(R"({"text":"  Hello there. "})").value(), "Hello there.");
    EXPECT_EQ(parse_transcription(R"({"text":"   "})").value(), "");
    EXPECT_FALSE(parse_transcription(R"({"transcript":"x"})"));
    EXPECT_FALSE(parse_transcription("Hello"));
}

} // namespace
} // namespace donna::relay
