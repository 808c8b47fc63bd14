// The ElevenLabs HTTP fake over real TCP on loopback, driven by the tests' Beast client.
#include "fake_elevenlabs_http.hpp"

#include "http_test_client.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace donna::fakes {
namespace {

namespace http = boost::beast::http;
namespace net = boost::asio;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct started_elevenlabs {
    explicit started_elevenlabs(const fake_elevenlabs_http_options& options = {}) : fake(options)
    {
        const auto started = fake.start();
        EXPECT_TRUE(started) << (started ? "" : started.error().message);
    }
    fake_elevenlabs_http fake;
};

http::request<http::string_body> request(http::verb verb, const std::string& target,
                                         const std::string& key = fake_elevenlabs_default_key())
{
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!key.empty())
        req.set("xi-api-key", key);
    return req;
}

http::request<http::string_body> speech(const std::string& target, const json& body,
                                        const std::string& key = fake_elevenlabs_default_key())
{
    auto req = request(http::verb::post, target, key);
    req.set(http::field::content_type, "application/json");
    req.body() = body.dump();
    return req;
}

const std::string donna_tts = std::string("/v1/text-to-speech/") + donna_voice_id;

json hello() // five characters: 300 ms of audio
{
    return {{"text", "Hello"}, {"model_id", "eleven_flash_v2_5"}};
}

std::int16_t sample_at(const std::string& pcm, std::size_t index)
{
    const auto lo = static_cast<unsigned char>(pcm[2 * index]);
    const auto hi = static_cast<unsigned char>(pcm[2 * index + 1]);
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8U)));
}

TEST(FakeElevenLabs, RequestWithoutKeyIsRefusedWith401InvalidApiKey)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts, hello(), ""));
    EXPECT_EQ(r.response.result(), http::status::unauthorized);
    EXPECT_EQ(json::parse(r.response.body()),
              json({{"detail", {{"status", "invalid_api_key"}, {"message", "Invalid API key"}}}}));
}

TEST(FakeElevenLabs, WrongKeyIsRefusedWith401)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(request(http::verb::get, "/v1/voices", "sk_wrong"));
    EXPECT_EQ(r.response.result(), http::status::unauthorized);
}

TEST(FakeElevenLabs, FullEndpointAnswersPcmWithContentLengthLastingSixtyMsPerCharacter)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts + "?output_format=pcm_16000", hello()));
    ASSERT_FALSE(r.ec) << r.ec.message();
    ASSERT_EQ(r.response.result(), http::status::ok) << r.response.body();
    EXPECT_FALSE(r.response.chunked());
    EXPECT_EQ(r.response[http::field::content_length], "9600"); // 0.3 s * 16000 * 2 bytes
    EXPECT_EQ(r.response.body().size(), 9600U);
    EXPECT_EQ(r.response[http::field::content_type], "application/octet-stream");
    EXPECT_EQ(r.response["x-character-count"], "5");
}

TEST(FakeElevenLabs, PcmIsALittleEndianSixteenBitToneAt220Hz)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts + "?output_format=pcm_22050", hello()));
    const auto& pcm = r.response.body();
    ASSERT_EQ(pcm.size(), 2U * 6615U); // 0.3 s at 22.05 kHz
    // A quarter period of 220 Hz in: the crest, a quarter of full scale.
    const auto crest = static_cast<std::size_t>(std::lround(22050.0 / 220.0 / 4.0));
    EXPECT_EQ(sample_at(pcm, 0), 0);
    EXPECT_NEAR(sample_at(pcm, crest), 8191, 10);
    EXPECT_NEAR(sample_at(pcm, 3 * crest), -8191, 10);
}

TEST(FakeElevenLabs, StreamEndpointSendsPcmInSeveralChunksOfAHundredMs)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts + "/stream?output_format=pcm_24000",
                                     {{"text", "Hello there"}})); // 11 characters: 660 ms
    ASSERT_FALSE(r.ec) << r.ec.message();
    ASSERT_EQ(r.response.result(), http::status::ok);
    EXPECT_TRUE(r.response.chunked());
    ASSERT_EQ(r.chunks.size(), 7U);
    for (std::size_t i = 0; i + 1 < r.chunks.size(); ++i)
        EXPECT_EQ(r.chunks[i].size(), 4800U); // 100 ms at 24 kHz, 2 bytes a sample
    EXPECT_EQ(r.chunks.back().size(), 2U * 1440U);
    EXPECT_EQ(r.response.body().size(), 2U * 15840U);
}

TEST(FakeElevenLabs, DefaultFormatIsSilentMp3FramesLabelledAudioMpeg)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts, hello()));
    ASSERT_EQ(r.response.result(), http::status::ok);
    EXPECT_EQ(r.response[http::field::content_type], "audio/mpeg");
    const auto& mp3 = r.response.body();
    // MPEG-1 Layer III, 128 kbps, 44.1 kHz, mono: 417-byte frames of 1152 samples; 300 ms
    // takes 12 of them.
    constexpr std::size_t frame = 417;
    ASSERT_EQ(mp3.size(), 12 * frame);
    for (std::size_t at = 0; at < mp3.size(); at += frame) {
        EXPECT_EQ(static_cast<unsigned char>(mp3[at]), 0xFFU);
        EXPECT_EQ(static_cast<unsigned char>(mp3[at + 1]), 0xFBU);
        EXPECT_EQ(static_cast<unsigned char>(mp3[at + 2]), 0x90U);    // 128 kbps, 44.1 kHz
        EXPECT_EQ(static_cast<unsigned char>(mp3[at + 3]) >> 6U, 3U); // mono
    }
}

TEST(FakeElevenLabs, StreamedMp3ChunksHoldWholeFrames)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(
        speech(donna_tts + "/stream?output_format=mp3_22050_32", {{"text", "Good morning"}}));
    ASSERT_EQ(r.response.result(), http::status::ok);
    ASSERT_GE(r.chunks.size(), 2U);
    constexpr std::size_t frame = 104; // MPEG-2: 72 * 32000 / 22050
    for (const auto& chunk : r.chunks) {
        EXPECT_EQ(chunk.size() % frame, 0U);
        EXPECT_EQ(static_cast<unsigned char>(chunk[1]), 0xF3U);
    }
}

TEST(FakeElevenLabs, MissingTextIsA422FieldRequired)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts, {{"model_id", "eleven_flash_v2_5"}}));
    EXPECT_EQ(r.response.result(), http::status::unprocessable_entity);
    EXPECT_EQ(json::parse(r.response.body()),
              json::parse(R"({"detail":[{"loc":["body","text"],"msg":"field required",)"
                          R"("type":"value_error.missing"}]})"));
}

TEST(FakeElevenLabs, EmptyTextIsA422FieldRequired)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts + "/stream", {{"text", ""}}));
    EXPECT_EQ(r.response.result(), http::status::unprocessable_entity);
    EXPECT_EQ(json::parse(r.response.body())["detail"][0]["loc"], json({"body", "text"}));
}

TEST(FakeElevenLabs, UnknownVoiceIsA404VoiceNotFound)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech("/v1/text-to-speech/NoSuchVoice000000000", hello()));
    EXPECT_EQ(r.response.result(), http::status::not_found);
    EXPECT_EQ(json::parse(r.response.body())["detail"]["status"], "voice_not_found");
}

TEST(FakeElevenLabs, TextOverMaxCharactersIsA400MaxCharacterLimitExceeded)
{
    started_elevenlabs s({.max_characters = 10});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts, {{"text", "Eleven char"}}));
    EXPECT_EQ(r.response.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(r.response.body())["detail"]["status"], "max_character_limit_exceeded");
}

TEST(FakeElevenLabs, OutputFormatTheFakeDoesNotMakeIsA422SayingSo)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts + "?output_format=ulaw_8000", hello()));
    EXPECT_EQ(r.response.result(), http::status::unprocessable_entity);
    const auto detail = json::parse(r.response.body())["detail"][0];
    EXPECT_EQ(detail["loc"], json({"query", "output_format"}));
    EXPECT_NE(detail["msg"].get<std::string>().find("not simulated"), std::string::npos);
}

TEST(FakeElevenLabs, UnknownOutputFormatIsA422EnumerationError)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts + "?output_format=wav_16000", hello()));
    EXPECT_EQ(r.response.result(), http::status::unprocessable_entity);
    EXPECT_EQ(json::parse(r.response.body())["detail"][0]["type"], "type_error.enum");
}

TEST(FakeElevenLabs, VoiceSettingsOutOfRangeIsA422NamingTheField)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    auto body = hello();
    body["voice_settings"] = {{"stability", 0.5}, {"similarity_boost", 0.75}, {"speed", 2.0}};
    const auto r = c.exchange(speech(donna_tts, body));
    EXPECT_EQ(r.response.result(), http::status::unprocessable_entity);
    EXPECT_EQ(json::parse(r.response.body())["detail"][0]["loc"],
              json({"body", "voice_settings", "speed"}));
}

TEST(FakeElevenLabs, ValidVoiceSettingsAreAccepted)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    auto body = hello();
    body["voice_settings"] = {{"stability", 0.5},
                              {"similarity_boost", 0.75},
                              {"style", 0.0},
                              {"use_speaker_boost", true},
                              {"speed", 1.1}};
    EXPECT_EQ(c.exchange(speech(donna_tts, body)).response.result(), http::status::ok);
}

TEST(FakeElevenLabs, AnswersCarryARequestId)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto first = c.exchange(speech(donna_tts, hello()));
    const auto second = c.exchange(request(http::verb::get, "/v1/voices"));
    EXPECT_FALSE(first.response["request-id"].empty());
    EXPECT_FALSE(second.response["request-id"].empty());
    EXPECT_NE(first.response["request-id"], second.response["request-id"]);
}

TEST(FakeElevenLabs, VoiceListHasTheDonnaVoiceAndPremadeOnes)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(request(http::verb::get, "/v1/voices"));
    ASSERT_EQ(r.response.result(), http::status::ok);
    const auto voices = json::parse(r.response.body())["voices"];
    ASSERT_GE(voices.size(), 3U);
    EXPECT_EQ(voices[0]["voice_id"], donna_voice_id);
    EXPECT_EQ(voices[0]["name"], "Donna");
    EXPECT_EQ(voices[1]["voice_id"], "21m00Tcm4TlvDq8ikWAM");
    EXPECT_EQ(voices[1]["name"], "Rachel");
    EXPECT_EQ(voices[1]["category"], "premade");
    for (const auto& v : voices) {
        EXPECT_TRUE(v["labels"].is_object());
        EXPECT_TRUE(v.contains("description"));
        EXPECT_TRUE(v.contains("preview_url"));
        EXPECT_TRUE(v.contains("settings"));
    }
}

TEST(FakeElevenLabs, VoiceListRequestsAreCounted)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    EXPECT_EQ(s.fake.voice_list_requests(), 0);
    ASSERT_FALSE(c.exchange(request(http::verb::get, "/v1/voices")).ec);
    ASSERT_FALSE(c.exchange(speech(donna_tts, hello())).ec);
    ASSERT_FALSE(c.exchange(request(http::verb::get, "/v1/voices?show_legacy=true")).ec);
    EXPECT_EQ(s.fake.voice_list_requests(), 2);
}

http::request<http::string_body> add_voice(const std::vector<form_data::field>& fields)
{
    const form_data form;
    auto req = request(http::verb::post, "/v1/voices/add");
    req.set(http::field::content_type, form.content_type());
    req.body() = form.body(fields);
    return req;
}

TEST(FakeElevenLabs, AddedVoiceIsListedAndSpeaks)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto added =
        c.exchange(add_voice({{.name = "name", .data = "Receptionist"},
                              {.name = "files",
                               .data = wav_bytes(16000, 0.5),
                               .filename = "a.wav",
                               .content_type = "audio/wav"},
                              {.name = "files",
                               .data = wav_bytes(16000, 0.5),
                               .filename = "b.wav",
                               .content_type = "audio/wav"},
                              {.name = "description", .data = "Front desk"},
                              {.name = "labels", .data = R"({"accent":"british"})"}}));
    ASSERT_EQ(added.response.result(), http::status::ok) << added.response.body();
    const auto answer = json::parse(added.response.body());
    EXPECT_EQ(answer["requires_verification"], false);
    const auto id = answer["voice_id"].get<std::string>();
    EXPECT_EQ(id.size(), 20U);

    const auto list =
        json::parse(c.exchange(request(http::verb::get, "/v1/voices")).response.body());
    const auto& last = list["voices"].back();
    EXPECT_EQ(last["voice_id"], id);
    EXPECT_EQ(last["name"], "Receptionist");
    EXPECT_EQ(last["category"], "cloned");
    EXPECT_EQ(last["description"], "Front desk");
    EXPECT_EQ(last["labels"], json({{"accent", "british"}}));

    const auto spoken = c.exchange(speech("/v1/text-to-speech/" + id, hello()));
    EXPECT_EQ(spoken.response.result(), http::status::ok);
}

TEST(FakeElevenLabs, AddVoiceWithoutNameOrFilesIsA422ListingBoth)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(add_voice({{.name = "description", .data = "nothing else"}}));
    EXPECT_EQ(r.response.result(), http::status::unprocessable_entity);
    const auto detail = json::parse(r.response.body())["detail"];
    ASSERT_EQ(detail.size(), 2U);
    EXPECT_EQ(detail[0]["loc"], json({"body", "name"}));
    EXPECT_EQ(detail[1]["loc"], json({"body", "files"}));
    EXPECT_EQ(detail[1]["type"], "value_error.missing");
}

TEST(FakeElevenLabs, RateLimitIsA429WithRetryAfterThenSpeechSucceeds)
{
    started_elevenlabs s(
        {.fault = http_fault::status_429_with_retry_after, .retry_after_seconds = 4});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto limited = c.exchange(speech(donna_tts, hello()));
    EXPECT_EQ(limited.response.result(), http::status::too_many_requests);
    EXPECT_EQ(limited.response["retry-after"], "4");
    EXPECT_EQ(json::parse(limited.response.body())["detail"]["status"],
              "too_many_concurrent_requests");
    EXPECT_EQ(c.exchange(speech(donna_tts, hello())).response.result(), http::status::ok);
}

TEST(FakeElevenLabs, ServerErrorFaultDoesNotTouchTheVoiceList)
{
    started_elevenlabs s({.fault = http_fault::status_500});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    EXPECT_EQ(c.exchange(request(http::verb::get, "/v1/voices")).response.result(),
              http::status::ok);
    const auto failed = c.exchange(speech(donna_tts, hello()));
    EXPECT_EQ(failed.response.result(), http::status::internal_server_error);
    EXPECT_TRUE(json::parse(failed.response.body())["detail"].contains("status"));
}

TEST(FakeElevenLabs, ResetMidStreamEndsTheAudioAfterKChunks)
{
    started_elevenlabs s({.fault = http_fault::reset_mid_stream, .fault_count = 2});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts + "/stream?output_format=pcm_16000", hello()));
    EXPECT_EQ(r.ec, http::error::partial_message) << r.ec.message();
    EXPECT_EQ(r.chunks.size(), 2U);
    EXPECT_TRUE(c.closed_by_server());
}

TEST(FakeElevenLabs, StalledStreamSendsTheFirstChunkAndThenNothing)
{
    started_elevenlabs s({.fault = http_fault::stall_stream});
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    // Proving silence takes a wait; a short one keeps the test quick (a late byte would
    // only make it pass wrongly, never fail wrongly).
    const auto r =
        c.exchange(speech(donna_tts + "/stream?output_format=pcm_16000", hello()), 300ms);
    EXPECT_EQ(r.ec, net::error::timed_out);
    ASSERT_EQ(r.chunks.size(), 1U);
    EXPECT_EQ(r.chunks[0].size(), 3200U);
}

TEST(FakeElevenLabs, UnknownPathIsFastApisNotFound)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(request(http::verb::get, "/v1/models"));
    EXPECT_EQ(r.response.result(), http::status::not_found);
    EXPECT_EQ(json::parse(r.response.body()), json({{"detail", "Not Found"}}));
}

TEST(FakeElevenLabs, TlsServesHttpsAndCountsHandshakes)
{
    started_elevenlabs s({.tls = true});
    EXPECT_EQ(s.fake.base_url(), "https://127.0.0.1:" + std::to_string(s.fake.port()));
    http_test_client c(s.fake.port(), {.tls = true, .host = "localhost"});
    ASSERT_FALSE(c.connect());
    const auto r = c.exchange(speech(donna_tts + "/stream?output_format=pcm_16000", hello()));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.response.body().size(), 9600U);
    ASSERT_FALSE(c.exchange(request(http::verb::get, "/v1/voices")).ec);
    EXPECT_EQ(s.fake.tls_handshakes(), 1);
}

TEST(FakeElevenLabs, RequestsAreRecordedWithHeadersAndParts)
{
    started_elevenlabs s;
    http_test_client c(s.fake.port());
    ASSERT_FALSE(c.connect());
    ASSERT_FALSE(c.exchange(add_voice({{.name = "name", .data = "X"},
                                       {.name = "files", .data = "RIFF", .filename = "x.wav"}}))
                     .ec);
    const auto requests = s.fake.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].target, "/v1/voices/add");
    EXPECT_EQ(requests[0].headers.at("xi-api-key"), fake_elevenlabs_default_key());
    EXPECT_EQ(requests[0].connection, 1);
    ASSERT_EQ(requests[0].parts.size(), 2U);
    EXPECT_EQ(requests[0].parts[1].filename, "x.wav");
}

} // namespace
} // namespace donna::fakes
