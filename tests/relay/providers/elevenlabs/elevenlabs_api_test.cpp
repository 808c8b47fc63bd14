// providers/elevenlabs/elevenlabs_api: the requests DONNA sends ElevenLabs and how it reads
// the answers.
#include "providers/elevenlabs/elevenlabs_api.hpp"

#include "config/config.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

config voice_config()
{
    config c;
    c.elevenlabs_api_key = "el-test-key";
    c.elevenlabs_base_url = "https://voices.example";
    return c;
}

TEST(ElevenLabsApi, SpeechRequestCarriesTheSeedsVoiceSettingsAndTheKeyOnlyInItsHeader)
{
    const auto cfg = voice_config();
    const auto req = elevenlabs_speech_request(
        cfg, {.text = "Hello there", .voice_id = "", .output_format = "pcm_24000"});
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.url, "https://voices.example/v1/text-to-speech/XcXEQzuLXRU9RcfWzEJt/stream"
                       "?output_format=pcm_24000");
    const auto body = json::parse(req.body);
    EXPECT_EQ(body["text"], "Hello there");
    EXPECT_EQ(body["model_id"], "eleven_multilingual_v2");
    EXPECT_EQ(body["voice_settings"],
              json::parse(R"({"stability":0.5,"similarity_boost":0.5,"style":0.0,
                              "use_speaker_boost":true})"));
    int key_headers = 0;
    for (const auto& [name, value] : req.headers)
        if (name == "xi-api-key") {
            ++key_headers;
            EXPECT_EQ(value, "el-test-key");
        }
    EXPECT_EQ(key_headers, 1);
    EXPECT_EQ(req.url.find("el-test-key"), std::string::npos);
    EXPECT_EQ(req.body.find("el-test-key"), std::string::npos);
}

TEST(ElevenLabsApi, AChosenVoiceGoesIntoThePath)
{
    const auto req = elevenlabs_speech_request(
        voice_config(),
        {.text = "Hi", .voice_id = "21m00Tcm4TlvDq8ikWAM", .output_format = "mp3_44100_128"});
    EXPECT_NE(
        req.url.find("/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream?output_format=mp3_44100_128"),
        std::string::npos);
}

TEST(ElevenLabsApi, VoiceIdsAndFormatsAreCheckedBeforeTheyReachAUrl)
{
    EXPECT_TRUE(is_voice_id("XcXEQzuLXRU9RcfWzEJt"));
    EXPECT_FALSE(is_voice_id(""));
    EXPECT_FALSE(is_voice_id("../v1/voices"));
    EXPECT_FALSE(is_voice_id("abc?x=1"));
    EXPECT_FALSE(is_voice_id(std::string(65, 'a')));
    EXPECT_TRUE(is_speech_output_format("pcm_24000"));
    EXPECT_TRUE(is_speech_output_format("mp3_44100_128"));
    EXPECT_FALSE(is_speech_output_format("wav"));
    EXPECT_FALSE(is_speech_output_format("pcm_24000&enable_logging=true"));
    EXPECT_EQ(pcm_format_rate("pcm_24000"), 24000);
    EXPECT_EQ(pcm_format_rate("mp3_44100_128"), 0);
    EXPECT_EQ(speech_content_type("mp3_44100_128"), "audio/mpeg");
    EXPECT_EQ(speech_content_type("pcm_16000"), "application/octet-stream");
}

TEST(ElevenLabsApi, ErrorMessagesAreReadFromEachDocumentedShape)
{
    EXPECT_EQ(
        elevenlabs_error_message(
            R"({"detail":{"status":"voice_not_found","message":"A voice with that id was not found."}})"),
        "A voice with that id was not found.");
    EXPECT_EQ(elevenlabs_error_status(R"({"detail":{"status":"voice_not_found","message":"x"}})"),
              "voice_not_found");
    EXPECT_EQ(
        elevenlabs_error_message(
            R"({"detail":[{"loc":["body","text"],"msg":"field required","type":"value_error.missing"}]})"),
        "body.text: field required");
    EXPECT_EQ(elevenlabs_error_message(R"({"detail":"Not Found"})"), "Not Found");
    EXPECT_EQ(elevenlabs_error_message("<html>bad gateway</html>"), "");
    EXPECT_EQ(elevenlabs_error_status(R"({"detail":"Not Found"})"), "");
}

TEST(ElevenLabsApi, VoiceListIsCutToWhatAPickerNeeds)
{
    const auto list = voice_list_json(R"({"voices":[
        {"voice_id":"v1","name":"Donna","category":"cloned","labels":{"accent":"american","n":3},
         "description":"warm","preview_url":"https://x/p.mp3","samples":[{"sample_id":"s"}],
         "settings":{"stability":0.5}},
        {"name":"no id"}]})");
    ASSERT_TRUE(list) << list.error().message;
    const auto doc = json::parse(*list);
    ASSERT_EQ(doc["voices"].size(), 1U);
    EXPECT_EQ(doc["voices"][0], json::parse(R"({"voice_id":"v1","name":"Donna","category":"cloned",
                              "description":"warm","preview_url":"https://x/p.mp3",
                              "labels":{"accent":"american"}})"));
    EXPECT_FALSE(voice_list_json(R"({"items":[]})"));
    EXPECT_FALSE(voice_list_json("not json"));
}

TEST(ElevenLabsApi, AddVoicePassesTheAdminsMultipartBodyThrough)
{
    const auto req = elevenlabs_add_voice_request(voice_config(),
                                                  "multipart/form-data; boundary=abc", "--abc--");
    EXPECT_EQ(req.url, "https://voices.example/v1/voices/add");
    EXPECT_EQ(req.body, "--abc--");
    EXPECT_NE(std::ranges::find(req.headers,
                                std::pair<std::string, std::string>{
                                    "Content-Type", "multipart/form-data; boundary=abc"}),
              req.headers.end());
}

} // namespace
} // namespace donna::relay
