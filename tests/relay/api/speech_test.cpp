// DONNA's voice through the real relay over loopback: POST /v1/speech and /v1/voices against
// the fake ElevenLabs API (tests/fakes), which checks every request's shape.
#include "app/services.hpp"
#include "fake_elevenlabs_http.hpp"
#include "relay_harness.hpp"
#include "upstream/multipart.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>

namespace donna::relay::test {
namespace {

using fakes::fake_elevenlabs_http;
using fakes::http_fault;
using json = nlohmann::json;

config speech_config(const fake_elevenlabs_http& fake)
{
    auto c = test_config();
    c.elevenlabs_api_key = fakes::fake_elevenlabs_default_key();
    c.elevenlabs_base_url = fake.base_url();
    c.upstream_connect_attempts = 2;
    c.admin_token = test_admin_token;
    return c;
}

// The loudest sample of little-endian PCM16 bytes, as a fraction of full scale.
double peak(const std::string& pcm)
{
    double loudest = 0;
    for (std::size_t i = 0; i + 1 < pcm.size(); i += 2) {
        std::int16_t s = 0;
        std::memcpy(&s, pcm.data() + i, 2);
        loudest = std::max(loudest, std::abs(s / 32768.0));
    }
    return loudest;
}

class Speech : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(fake.start()); }
    fake_elevenlabs_http fake;
};

TEST_F(Speech, PostStreamsElevenLabsPcmFromTheDefaultVoiceWithTheSeedsSettings)
{
    relay_harness relay(speech_config(fake));
    const auto token = relay.session_token("demo");
    const auto r = relay.request("POST", "/v1/speech", R"({"text":"Hello there"})", bearer(token));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.headers.at("content-type"), "application/octet-stream");
    EXPECT_EQ(r.headers.at("x-donna-audio-format"), "pcm_24000");
    EXPECT_EQ(r.headers.at("transfer-encoding"), "chunked");
    // 11 characters x 60 ms at 24 kHz, 2 bytes a sample: the fake's whole tone, not silence.
    EXPECT_EQ(r.body.size(), 11U * 60U * 24U * 2U);
    EXPECT_NEAR(peak(r.body), 0.25, 0.01);

    const auto requests = fake.requests();
    ASSERT_EQ(requests.size(), 1U);
    const auto& sent = requests[0];
    EXPECT_EQ(sent.target,
              "/v1/text-to-speech/XcXEQzuLXRU9RcfWzEJt/stream?output_format=pcm_24000");
    EXPECT_EQ(sent.headers.at("xi-api-key"), fakes::fake_elevenlabs_default_key());
    const auto body = json::parse(sent.body);
    EXPECT_EQ(body["text"], "Hello there");
    EXPECT_EQ(body["model_id"], "eleven_multilingual_v2");
    EXPECT_EQ(body["voice_settings"]["stability"], 0.5);
    EXPECT_EQ(body["voice_settings"]["similarity_boost"], 0.5);
    EXPECT_EQ(body["voice_settings"]["style"], 0.0);
    EXPECT_EQ(body["voice_settings"]["use_speaker_boost"], true);
    for (const auto& [name, value] : r.headers)
        EXPECT_EQ(value.find(fakes::fake_elevenlabs_default_key()), std::string::npos) << name;

    EXPECT_EQ(
        relay.metric(
            R"(donna_upstream_usage_total{model="eleven_multilingual_v2",unit="characters",upstream="elevenlabs"})"),
        11);
    EXPECT_EQ(relay.metric(R"(donna_speech_requests_total{operation="speak",outcome="ok"})"), 1);
}

TEST_F(Speech, AChosenVoiceAndMp3FormatAreRelayedAsAudioMpeg)
{
    relay_harness relay(speech_config(fake));
    const auto token = relay.session_token("demo");
    const auto r = relay.request(
        "POST", "/v1/speech",
        R"({"text":"Hi","voice_id":"21m00Tcm4TlvDq8ikWAM","output_format":"mp3_44100_128"})",
        bearer(token));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.at("content-type"), "audio/mpeg");
    ASSERT_GE(r.body.size(), 4U);
    EXPECT_EQ(static_cast<unsigned char>(r.body[0]), 0xFFU); // an MPEG frame sync
    EXPECT_EQ(fake.requests().at(0).path(), "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream");
}

TEST_F(Speech, BadRequestsAreRefusedBeforeElevenLabsIsCalled)
{
    auto cfg = speech_config(fake);
    cfg.speech_max_characters = 20;
    relay_harness relay(cfg);
    const auto token = relay.session_token("demo");
    const auto refused = [&](const std::string& body, int status, const std::string& code) {
        const auto r = relay.request("POST", "/v1/speech", body, bearer(token));
        EXPECT_EQ(r.status, status) << body << " -> " << r.body;
        EXPECT_EQ(r.json()["error"]["code"], code) << body;
    };
    refused("not json", 400, "invalid_json");
    refused(R"({"voice_id":"x"})", 400, "missing_field");
    refused(R"({"text":5})", 400, "wrong_type");
    refused(R"({"text":"   "})", 400, "empty_text");
    refused(R"({"text":"This sentence is longer than twenty."})", 413, "text_too_long");
    refused(R"({"text":"Hi","voice_id":"../../v1/voices"})", 400, "invalid_voice_id");
    refused(R"({"text":"Hi","output_format":"wav"})", 400, "unsupported_format");
    const auto anonymous = relay.request("POST", "/v1/speech", R"({"text":"Hi"})");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_TRUE(fake.requests().empty());
    EXPECT_EQ(relay.metric(R"(donna_errors_total{code="text_too_long"})"), 1);
}

TEST_F(Speech, AnUnknownVoiceIsA404VoiceNotFoundWithElevenLabsMessage)
{
    relay_harness relay(speech_config(fake));
    const auto token = relay.session_token("demo");
    const auto r = relay.request("POST", "/v1/speech",
                                 R"({"text":"Hi","voice_id":"NoSuchVoice123"})", bearer(token));
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.json()["error"]["code"], "voice_not_found");
    EXPECT_NE(r.json()["error"]["message"].get<std::string>().find("ElevenLabs answered HTTP 404"),
              std::string::npos);
}

TEST_F(Speech, AStreamResetMidwayReachesTheCallerAsATruncatedBody)
{
    fake_elevenlabs_http broken({.fault = http_fault::reset_mid_stream, .fault_count = 2});
    ASSERT_TRUE(broken.start());
    relay_harness relay(speech_config(broken));
    const auto token = relay.session_token("demo");
    const auto r =
        relay.request("POST", "/v1/speech",
                      R"({"text":"A sentence long enough for several chunks."})", bearer(token));
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.complete);                  // never mistaken for the whole audio
    EXPECT_EQ(r.body.size(), 2U * 2400U * 2U); // the two 100 ms chunks that came
}

TEST_F(Speech, WithoutAnElevenLabsKeySpeechIsA503NotConfigured)
{
    auto cfg = speech_config(fake);
    cfg.elevenlabs_api_key.clear();
    relay_harness relay(cfg);
    const auto token = relay.session_token("demo");
    const auto r = relay.request("POST", "/v1/speech", R"({"text":"Hi"})", bearer(token));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.json()["error"]["code"], "upstream_not_configured");
}

TEST_F(Speech, AVisitorOverTheSpeechRateIsRefusedWith429)
{
    auto cfg = speech_config(fake);
    cfg.speech_requests_per_minute = 1;
    relay_harness relay(cfg);
    const auto token = relay.session_token("demo");
    EXPECT_EQ(relay.request("POST", "/v1/speech", R"({"text":"Hi"})", bearer(token)).status, 200);
    const auto second = relay.request("POST", "/v1/speech", R"({"text":"Hi"})", bearer(token));
    EXPECT_EQ(second.status, 429);
    EXPECT_EQ(second.json()["error"]["code"], "rate_limited");
    EXPECT_EQ(fake.requests().size(), 1U);
}

TEST_F(Speech, TheVoiceListIsFetchedOnceAndServedFromTheCache)
{
    relay_harness relay(speech_config(fake));
    const auto token = relay.session_token("demo");
    const auto first = relay.request("GET", "/v1/voices", "", bearer(token));
    ASSERT_EQ(first.status, 200) << first.body;
    const auto list = first.json();
    EXPECT_EQ(list["default_voice_id"], "XcXEQzuLXRU9RcfWzEJt");
    ASSERT_EQ(list["voices"].size(), 3U);
    EXPECT_EQ(list["voices"][0]["voice_id"], "XcXEQzuLXRU9RcfWzEJt");
    EXPECT_EQ(list["voices"][0]["name"], "Donna");
    EXPECT_FALSE(list["voices"][0].contains("samples"));
    EXPECT_EQ(relay.request("GET", "/v1/voices", "", bearer(token)).json(), list);
    EXPECT_EQ(
        relay.request("GET", "/v1/voices", "", {{"Authorization", "Bearer " + test_admin_token}})
            .status,
        200);
    EXPECT_EQ(fake.voice_list_requests(), 1);
    EXPECT_EQ(relay.request("GET", "/v1/voices").status, 401);
}

TEST_F(Speech, CloningNeedsTheAdminTokenAndTheNewVoiceIsListedAndAudited)
{
    relay_harness relay(speech_config(fake));
    const auto token = relay.session_token("demo");
    ASSERT_EQ(relay.request("GET", "/v1/voices", "", bearer(token)).status, 200);

    multipart_form form;
    form.add_field("name", "Front desk");
    std::string sample(16000, '\0');
    form.add_file("files", "sample.wav", "audio/wav", "RIFF" + sample);
    const std::map<std::string, std::string> as_visitor{{"Authorization", "Bearer " + token},
                                                        {"Content-Type", form.content_type()}};
    EXPECT_EQ(relay.request("POST", "/v1/voices", form.body(), as_visitor).status, 403);
    const std::map<std::string, std::string> as_admin{
        {"Authorization", "Bearer " + test_admin_token}, {"Content-Type", form.content_type()}};
    const auto added = relay.request("POST", "/v1/voices", form.body(), as_admin);
    ASSERT_EQ(added.status, 200) << added.body;
    const auto id = added.json()["voice_id"].get<std::string>();
    EXPECT_EQ(id.size(), 20U);

    const auto sent = fake.requests().back();
    EXPECT_EQ(sent.path(), "/v1/voices/add");
    ASSERT_NE(sent.part("name"), nullptr);
    EXPECT_EQ(sent.part("name")->data, "Front desk");
    ASSERT_NE(sent.part("files"), nullptr);
    EXPECT_EQ(sent.part("files")->data.size(), 4U + 16000U);

    const auto list = relay.request("GET", "/v1/voices", "", bearer(token)).json();
    EXPECT_EQ(list["voices"].back()["voice_id"], id); // the cache was dropped
    EXPECT_EQ(fake.voice_list_requests(), 2);
    const auto rows =
        relay.svc().db().query("SELECT category, subject FROM audit_log WHERE category = 'voice'");
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1U);
    EXPECT_EQ(text_of(rows->at(0)[1]), id);

    const std::map<std::string, std::string> not_multipart{
        {"Authorization", "Bearer " + test_admin_token}, {"Content-Type", "application/json"}};
    EXPECT_EQ(relay.request("POST", "/v1/voices", "{}", not_multipart).status, 415);
}

TEST_F(Speech, AnUploadOverTheLimitIsRefusedWith413)
{
    auto cfg = speech_config(fake);
    cfg.voice_upload_max_bytes = 4096;
    relay_harness relay(cfg);
    const std::map<std::string, std::string> as_admin{
        {"Authorization", "Bearer " + test_admin_token},
        {"Content-Type", "multipart/form-data; boundary=x"}};
    const auto r = relay.request("POST", "/v1/voices", std::string(5000, 'a'), as_admin);
    EXPECT_EQ(r.status, 413);
    EXPECT_TRUE(fake.requests().empty());
}

} // namespace
} // namespace donna::relay::test
