// The Whisper voice chat through the real relay over loopback: a recorded turn to POST
// /v1/voice-chat, transcribed by the fake OpenAI API, answered by its chat completions and
// spoken by the fake ElevenLabs API, all streamed back as server-sent events.
#include "audio/base64.hpp"
#include "audio/wav.hpp"
#include "fake_elevenlabs_http.hpp"
#include "fake_openai_http.hpp"
#include "relay_harness.hpp"
#include "voice_upload_body.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay::test {
namespace {

using json = nlohmann::json;

// A 300 Hz tone at 0.3 of full scale.
std::vector<float> tone(int rate, double seconds)
{
    return test::tone(rate, seconds, 300, 0.3F);
}

std::string wav_upload(int rate, double seconds)
{
    const auto bytes = encode_wav(tone(rate, seconds), rate);
    return {bytes.begin(), bytes.end()};
}

class VoiceChat : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(openai.start());
        ASSERT_TRUE(elevenlabs.start());
    }
    config voice_config() const
    {
        auto c = test_config();
        c.openai_api_key = fakes::fake_openai_default_key();
        c.openai_base_url = openai.base_url();
        c.elevenlabs_api_key = fakes::fake_elevenlabs_default_key();
        c.elevenlabs_base_url = elevenlabs.base_url();
        c.moderation = false;
        c.upstream_connect_attempts = 2;
        return c;
    }
    static std::map<std::string, std::string> upload(const std::string& token,
                                                     const std::string& type = "audio/wav")
    {
        return {{"Authorization", "Bearer " + token}, {"Content-Type", type}};
    }
    std::vector<fakes::recorded_request> openai_requests(const std::string& path) const
    {
        std::vector<fakes::recorded_request> out;
        for (auto& r : openai.requests())
            if (r.path() == path)
                out.push_back(r);
        return out;
    }

    fakes::fake_openai_http openai{
        {.reply_text = "We open at nine.", .transcript_text = "When do you open?"}};
    fakes::fake_elevenlabs_http elevenlabs;
};

TEST_F(VoiceChat, ARecordedTurnStreamsTranscriptReplyAndSpeechInThatOrder)
{
    relay_harness relay(voice_config());
    const auto token = relay.session_token("demo");
    const auto r = relay.request("POST", "/v1/voice-chat?persona=receptionist",
                                 wav_upload(48000, 1.0), upload(token));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.at("content-type"), "text/event-stream; charset=utf-8");
    const auto events = sse_events(r.body);
    ASSERT_GE(events.size(), 5U) << r.body;

    EXPECT_EQ(events.front()["type"], "donna.voice.transcript");
    EXPECT_EQ(events.front()["text"], "When do you open?");
    std::string deltas, audio;
    std::size_t message_at = 0, first_audio_at = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto type = events[i]["type"].get<std::string>();
        if (type == "donna.chat.delta")
            deltas += events[i]["delta"].get<std::string>();
        if (type == "donna.chat.message") {
            message_at = i;
            EXPECT_EQ(events[i]["text"], "We open at nine.");
            EXPECT_EQ(events[i]["persona"], "receptionist");
            EXPECT_EQ(events[i]["fallback"], false);
        }
        if (type == "donna.voice.audio") {
            if (first_audio_at == 0)
                first_audio_at = i;
            EXPECT_EQ(events[i]["format"], "pcm_24000");
            const auto bytes = base64_decode(events[i]["audio"].get<std::string>());
            ASSERT_TRUE(bytes);
            audio.append(bytes->begin(), bytes->end());
        }
        EXPECT_NE(type, "donna.error") << events[i].dump();
    }
    EXPECT_EQ(deltas, "We open at nine.");
    EXPECT_GT(message_at, 0U);
    EXPECT_GT(first_audio_at, message_at);
    // "We open at nine." is 16 characters: 960 ms of the fake's speech at 24 kHz.
    EXPECT_EQ(audio.size(), 16U * 60U * 24U * 2U);
    EXPECT_EQ(events.back()["type"], "donna.voice.done");
    EXPECT_EQ(events.back()["transcript"], "When do you open?");
    EXPECT_EQ(events.back()["audio_bytes"], audio.size());

    // The transcription got the default model, the seed's settings and a 16 kHz mono WAV of
    // the recording's length.
    const auto transcriptions = openai_requests("/v1/audio/transcriptions");
    ASSERT_EQ(transcriptions.size(), 1U);
    const auto& sent = transcriptions[0];
    EXPECT_EQ(sent.part("model")->data, "gpt-transcribe");
    EXPECT_EQ(sent.part("language")->data, "en");
    EXPECT_EQ(sent.part("response_format")->data, "json");
    EXPECT_EQ(sent.part("temperature"), nullptr);
    const auto& file = sent.part("file")->data;
    const auto wav =
        decode_wav(std::span(reinterpret_cast<const std::uint8_t*>(file.data()), file.size()));
    ASSERT_TRUE(wav);
    EXPECT_EQ(wav->sample_rate, 16000);
    EXPECT_NEAR(wav->seconds(), 1.0, 0.02);

    // The chat saw the transcript as the visitor's message; ElevenLabs got the reply.
    const auto chats = openai_requests("/v1/chat/completions");
    ASSERT_EQ(chats.size(), 1U);
    const auto messages = json::parse(chats[0].body)["messages"];
    EXPECT_EQ(messages.back()["role"], "user");
    EXPECT_EQ(messages.back()["content"], "When do you open?");
    const auto spoken = elevenlabs.requests();
    ASSERT_EQ(spoken.size(), 1U);
    EXPECT_EQ(json::parse(spoken[0].body)["text"], "We open at nine.");
    EXPECT_EQ(spoken[0].target,
              "/v1/text-to-speech/XcXEQzuLXRU9RcfWzEJt/stream?output_format=pcm_24000");
}

TEST_F(VoiceChat, TheClientsOpusFramesAreDecodedForWhisper)
{
    const auto body = test::opus_frames_upload(tone(24000, 0.8));
    ASSERT_FALSE(body.empty());
    relay_harness relay(voice_config());
    const auto token = relay.session_token("demo");
    const auto r = relay.request("POST", "/v1/voice-chat", body,
                                 upload(token, "application/x-donna-audio-frames"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(sse_events(r.body).back()["type"], "donna.voice.done");
    const auto file = openai_requests("/v1/audio/transcriptions").at(0).part("file")->data;
    const auto wav =
        decode_wav(std::span(reinterpret_cast<const std::uint8_t*>(file.data()), file.size()));
    ASSERT_TRUE(wav);
    EXPECT_NEAR(wav->seconds(), 0.8, 0.02);
}

TEST_F(VoiceChat, BadRecordingsAreRefusedBeforeAnyUpstreamCall)
{
    auto cfg = voice_config();
    cfg.voice_chat_max_seconds = 2;
    cfg.voice_upload_max_bytes = 200000;
    relay_harness relay(cfg);
    const auto token = relay.session_token("demo");
    const auto refused = [&](const std::string& body, const std::string& type, int status,
                             const std::string& code) {
        const auto r = relay.request("POST", "/v1/voice-chat", body, upload(token, type));
        EXPECT_EQ(r.status, status) << code << ": " << r.body;
        if (!code.empty()) {
            EXPECT_EQ(r.json()["error"]["code"], code);
        }
    };
    refused("hello", "text/plain", 415, "unsupported_media_type");
    refused("RIFF0000WAVEjunk", "audio/wav", 400, "invalid_audio");
    refused(wav_upload(16000, 3.0), "audio/wav", 413, "audio_too_long");
    refused(wav_upload(16000, 0.05), "audio/wav", 400, "audio_too_short");
    refused(wav_upload(48000, 2.5), "audio/wav", 413, ""); // 240 kB: over the upload limit
    EXPECT_EQ(relay.request("POST", "/v1/voice-chat", wav_upload(16000, 1.0)).status, 401);
    const auto persona = relay.request("POST", "/v1/voice-chat?persona=pirate",
                                       wav_upload(16000, 1.0), upload(token));
    EXPECT_EQ(persona.json()["error"]["code"], "unknown_persona");
    EXPECT_TRUE(openai.requests().empty());
    EXPECT_TRUE(elevenlabs.requests().empty());
}

TEST_F(VoiceChat, SilenceThatWhisperHearsAsNothingIsA422NoSpeech)
{
    openai.set_transcript_text("");
    relay_harness relay(voice_config());
    const auto token = relay.session_token("demo");
    const auto r = relay.request("POST", "/v1/voice-chat", wav_upload(16000, 1.0), upload(token));
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.json()["error"]["code"], "no_speech");
    EXPECT_TRUE(openai_requests("/v1/chat/completions").empty());
}

TEST_F(VoiceChat, AFailedTranscriptionIsAnUpstreamErrorBeforeAnythingStreams)
{
    fakes::fake_openai_http failing({.fault = fakes::http_fault::status_500, .fault_count = 10});
    ASSERT_TRUE(failing.start());
    auto cfg = voice_config();
    cfg.openai_base_url = failing.base_url();
    relay_harness relay(cfg);
    const auto token = relay.session_token("demo");
    const auto r = relay.request("POST", "/v1/voice-chat", wav_upload(16000, 1.0), upload(token));
    EXPECT_EQ(r.status, 502) << r.body;
    EXPECT_EQ(r.json()["error"]["code"], "upstream_error");
    EXPECT_NE(r.json()["error"]["message"].get<std::string>().find("transcription failed"),
              std::string::npos);
    EXPECT_EQ(failing.requests().size(), 2U); // retried once (DONNA_UPSTREAM_CONNECT_ATTEMPTS=2)
}

TEST_F(VoiceChat, WithoutSpeechTheReplyTextStillArrivesAndTheErrorIsSaid)
{
    auto cfg = voice_config();
    cfg.elevenlabs_api_key.clear();
    relay_harness relay(cfg);
    const auto token = relay.session_token("demo");
    const auto r = relay.request("POST", "/v1/voice-chat", wav_upload(16000, 1.0), upload(token));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto events = sse_events(r.body);
    ASSERT_GE(events.size(), 4U);
    EXPECT_EQ(events.front()["type"], "donna.voice.transcript");
    const auto message = std::ranges::find_if(
        events, [](const json& e) { return e["type"] == "donna.chat.message"; });
    ASSERT_NE(message, events.end());
    EXPECT_EQ((*message)["text"], "We open at nine.");
    const auto& error = events[events.size() - 2];
    EXPECT_EQ(error["type"], "donna.error");
    EXPECT_EQ(error["code"], "upstream_not_configured");
    EXPECT_EQ(events.back()["type"], "donna.voice.done");
    EXPECT_EQ(events.back()["audio_bytes"], 0);
}

} // namespace
} // namespace donna::relay::test
