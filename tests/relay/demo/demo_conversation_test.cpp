#include "demo/demo_conversation.hpp"

#include "audio/base64.hpp"
#include "audio/pcm16.hpp"
#include "audio/resampler.hpp"
#include "wav_file.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace donna::relay {
namespace {

using json = nlohmann::json;

constexpr int rate = demo_conversation::sample_rate;
const char* const greeting = "Hello, I am DONNA.";

// One synthesiser for the whole suite, as the relay keeps one per process.
speech_synth* shared_synth()
{
    static auto synth = speech_synth::create();
    return synth ? &*synth : nullptr;
}

// A generated fixture at 24 kHz (resampled with the shared resampler if stored at another
// rate); an unreadable file fails the calling test.
std::vector<float> load_24k(const std::string& name)
{
    auto wav = test::read_wav(test::audio_path(name));
    EXPECT_TRUE(wav.has_value()) << (wav ? "" : wav.error().message);
    if (!wav)
        return {};
    if (wav->sample_rate == rate)
        return std::move(wav->samples);
    auto converter = resampler::create(wav->sample_rate, rate);
    EXPECT_TRUE(converter.has_value());
    std::vector<float> out;
    if (converter) {
        converter->process(wav->samples, out);
        converter->flush(out);
    }
    return out;
}

std::string append_event(std::span<const float> samples)
{
    std::vector<std::int16_t> pcm(samples.size());
    float_to_pcm16(samples, pcm);
    return json{{"type", "input_audio_buffer.append"},
                {"audio", base64_encode(pcm16_to_bytes(pcm))}}
        .dump();
}

std::vector<json> parse_all(const std::vector<std::string>& texts)
{
    std::vector<json> events;
    events.reserve(texts.size());
    for (const auto& text : texts) {
        json event = json::parse(text, nullptr, false);
        EXPECT_FALSE(event.is_discarded()) << text;
        events.push_back(std::move(event));
    }
    return events;
}

std::vector<std::string> types_of(const std::vector<json>& events)
{
    std::vector<std::string> types;
    types.reserve(events.size());
    for (const auto& e : events)
        types.push_back(e.value("type", ""));
    return types;
}

std::size_t count_type(const std::vector<json>& events, const std::string& type)
{
    return static_cast<std::size_t>(std::count_if(
        events.begin(), events.end(), [&](const json& e) { return e.value("type", "") == type; }));
}

// Index of the first event of `type`, or events.size() if none.
std::size_t index_of(const std::vector<json>& events, const std::string& type)
{
    for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].value("type", "") == type)
            return i;
    return events.size();
}

const json& first_of(const std::vector<json>& events, const std::string& type)
{
    static const json none = json::object();
    const std::size_t i = index_of(events, type);
    return i < events.size() ? events[i] : none;
}

// The PCM of every audio delta of `type`, concatenated; each delta must be valid base64 of at
// most 100 ms, and all but the last exactly 100 ms.
std::vector<std::int16_t> decode_audio(const std::vector<json>& events, const std::string& type)
{
    std::vector<std::int16_t> pcm;
    std::vector<std::size_t> sizes;
    for (const auto& e : events) {
        if (e.value("type", "") != type)
            continue;
        auto bytes = base64_decode(e.value("delta", ""));
        EXPECT_TRUE(bytes.has_value());
        if (!bytes)
            continue;
        sizes.push_back(bytes->size());
        auto samples = pcm16_from_bytes(*bytes);
        pcm.insert(pcm.end(), samples.begin(), samples.end());
    }
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (i + 1 < sizes.size())
            EXPECT_EQ(sizes[i], 4800U) << "delta " << i;
        else
            EXPECT_LE(sizes[i], 4800U);
    }
    return pcm;
}

// Where speech really is in a noise-free fixture, measured without the detector: the first and
// last 10 ms window whose peak exceeds -40 dBFS, in milliseconds.
struct speech_bounds {
    double start_ms = -1;
    double end_ms = -1;
};

speech_bounds true_speech_ms(const std::vector<float>& clean)
{
    constexpr std::size_t window = rate / 100;
    constexpr float threshold = 0.01f; // -40 dBFS
    speech_bounds bounds;
    for (std::size_t begin = 0; begin + window <= clean.size(); begin += window) {
        float p = 0.0f;
        for (std::size_t i = begin; i < begin + window; ++i)
            p = std::max(p, std::abs(clean[i]));
        if (p <= threshold)
            continue;
        if (bounds.start_ms < 0)
            bounds.start_ms = static_cast<double>(begin) * 1000.0 / rate;
        bounds.end_ms = static_cast<double>(begin + window) * 1000.0 / rate;
    }
    return bounds;
}

using donna::test::peak;

class DemoConversation : public testing::Test {
protected:
    void SetUp() override
    {
        synth_ = shared_synth();
        ASSERT_NE(synth_, nullptr) << "espeak-ng could not start";
    }

    demo_conversation make(dialect spelling = dialect::ga)
    {
        return demo_conversation(greeting, spelling, *synth_);
    }

    // Feeds samples as 100 ms appends, like a client streaming its microphone.
    static std::vector<json> stream(demo_conversation& demo, const std::vector<float>& samples)
    {
        std::vector<json> events;
        for (std::size_t at = 0; at < samples.size(); at += 2400) {
            const std::size_t n = std::min<std::size_t>(2400, samples.size() - at);
            auto out =
                parse_all(demo.on_client_event(append_event(std::span(samples).subspan(at, n))));
            events.insert(events.end(), out.begin(), out.end());
        }
        return events;
    }

    static std::vector<json> send(demo_conversation& demo, const json& event)
    {
        return parse_all(demo.on_client_event(event.dump()));
    }

    speech_synth* synth_ = nullptr;
};

// ---------------------------------------------------------------- session

TEST_F(DemoConversation, StartSendsSessionCreatedWithServerVadAndAudioOutput)
{
    auto demo = make();
    auto events = parse_all(demo.start());
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0]["type"], "session.created");
    const json& session = events[0]["session"];
    EXPECT_EQ(session["output_modalities"], json::array({"audio"}));
    EXPECT_EQ(session["audio"]["input"]["turn_detection"]["type"], "server_vad");
    EXPECT_EQ(session["audio"]["input"]["format"]["rate"], 24000);
}

TEST_F(DemoConversation, SessionUpdateAnswersSessionUpdatedWithTheNewSettings)
{
    auto demo = make();
    auto events = send(
        demo,
        {{"type", "session.update"},
         {"session",
          {{"type", "realtime"},
           {"instructions", "Be brief."},
           {"audio",
            {{"input",
              {{"turn_detection", {{"type", "server_vad"}, {"silence_duration_ms", 800}}}}}}}}}});
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0]["type"], "session.updated");
    EXPECT_EQ(events[0]["session"]["instructions"], "Be brief.");
    const json& td = events[0]["session"]["audio"]["input"]["turn_detection"];
    EXPECT_EQ(td["silence_duration_ms"], 800);
    EXPECT_EQ(td["prefix_padding_ms"], 300); // unspecified fields take the API's defaults
}

// ---------------------------------------------------------------- turns from audio

TEST_F(DemoConversation, SpokenTurnGivesOneStartStopCommitAndASpokenResponse)
{
    const std::vector<float> turn = load_24k("turn_24000.wav"); // 1.5 s + speech + 2.0 s
    const speech_bounds truth = true_speech_ms(load_24k("turn_clean_24000.wav"));
    ASSERT_FALSE(turn.empty());
    ASSERT_GT(truth.start_ms, 1000.0);

    auto demo = make();
    demo.start();
    auto events = stream(demo, turn);

    ASSERT_EQ(count_type(events, "input_audio_buffer.speech_started"), 1U);
    ASSERT_EQ(count_type(events, "input_audio_buffer.speech_stopped"), 1U);
    ASSERT_EQ(count_type(events, "input_audio_buffer.committed"), 1U);
    const std::size_t started = index_of(events, "input_audio_buffer.speech_started");
    const std::size_t stopped = index_of(events, "input_audio_buffer.speech_stopped");
    const std::size_t committed = index_of(events, "input_audio_buffer.committed");
    const std::size_t transcript =
        index_of(events, "conversation.item.input_audio_transcription.completed");
    const std::size_t created = index_of(events, "response.created");
    const std::size_t done = index_of(events, "response.done");
    EXPECT_LT(started, stopped);
    EXPECT_LT(stopped, committed);
    EXPECT_LT(committed, transcript);
    EXPECT_LT(transcript, created);
    ASSERT_LT(done, events.size());
    EXPECT_LT(created, done);

    // audio_start_ms is the onset minus the 300 ms prefix padding; audio_end_ms the last
    // voiced moment (not when the stop was decided, silence_duration_ms later).
    const auto start_ms = events[started]["audio_start_ms"].get<double>();
    EXPECT_NEAR(start_ms, truth.start_ms - 300.0, 100.0);
    const auto end_ms = events[stopped]["audio_end_ms"].get<double>();
    EXPECT_NEAR(end_ms, truth.end_ms, 150.0);

    const std::string item_id = events[started]["item_id"];
    EXPECT_EQ(events[stopped]["item_id"], item_id);
    EXPECT_EQ(events[committed]["item_id"], item_id);
    EXPECT_EQ(events[transcript]["item_id"], item_id);
    const std::string said = events[transcript]["transcript"];
    EXPECT_NE(said.find("demo mode"), std::string::npos) << said;
    EXPECT_NE(said.find("seconds of speech"), std::string::npos) << said;

    EXPECT_EQ(events[done]["response"]["status"], "completed");
    const auto pcm = decode_audio(events, "response.output_audio.delta");
    EXPECT_GT(pcm.size(), static_cast<std::size_t>(rate)); // over a second of reply
    EXPECT_GT(peak(pcm), 3000);
}

TEST_F(DemoConversation, GaUserAudioItemIsAddedAndDoneWithInputAudioContent)
{
    auto demo = make();
    auto events = stream(demo, load_24k("turn_24000.wav"));
    const json& added = first_of(events, "conversation.item.added");
    ASSERT_TRUE(added.contains("item"));
    EXPECT_EQ(added["item"]["role"], "user");
    EXPECT_EQ(added["item"]["content"][0]["type"], "input_audio");
    EXPECT_EQ(added["item"]["id"], first_of(events, "input_audio_buffer.committed")["item_id"]);
    EXPECT_GE(count_type(events, "conversation.item.done"), 1U);
    EXPECT_EQ(count_type(events, "conversation.item.created"), 0U);
}

TEST_F(DemoConversation, EveryEventIdInATurnIsUnique)
{
    auto demo = make();
    auto events = parse_all(demo.start());
    auto turn = stream(demo, load_24k("turn_24000.wav"));
    events.insert(events.end(), turn.begin(), turn.end());
    std::set<std::string> ids;
    for (const auto& e : events) {
        ASSERT_TRUE(e.contains("event_id")) << e.dump();
        EXPECT_TRUE(ids.insert(e["event_id"].get<std::string>()).second) << e["event_id"];
    }
    EXPECT_GT(ids.size(), 10U);
}

TEST_F(DemoConversation, NoiseAloneIsNoTurn)
{
    auto demo = make();
    auto events = stream(demo, load_24k("noise_24000.wav"));
    EXPECT_EQ(count_type(events, "input_audio_buffer.speech_started"), 0U);
    EXPECT_EQ(count_type(events, "response.created"), 0U);
}

TEST_F(DemoConversation, ThresholdOneFromSessionUpdateDetectsNothing)
{
    auto demo = make();
    send(demo,
         {{"type", "session.update"},
          {"session",
           {{"audio",
             {{"input", {{"turn_detection", {{"type", "server_vad"}, {"threshold", 1.0}}}}}}}}}});
    auto events = stream(demo, load_24k("turn_24000.wav"));
    EXPECT_EQ(count_type(events, "input_audio_buffer.speech_started"), 0U);
}

// The fixture ends with 2.0 s of noise: a 3 s silence_duration_ms never ends the turn.
TEST_F(DemoConversation, SilenceDurationFromSessionUpdateDecidesWhenTheTurnEnds)
{
    auto demo = make();
    send(demo,
         {{"type", "session.update"},
          {"session",
           {{"audio",
             {{"input",
               {{"turn_detection", {{"type", "server_vad"}, {"silence_duration_ms", 3000}}}}}}}}}});
    auto events = stream(demo, load_24k("turn_24000.wav"));
    EXPECT_EQ(count_type(events, "input_audio_buffer.speech_started"), 1U);
    EXPECT_EQ(count_type(events, "input_audio_buffer.speech_stopped"), 0U);
}

TEST_F(DemoConversation, CreateResponseFalseCommitsTheTurnWithoutAResponse)
{
    auto demo = make();
    send(demo,
         {{"type", "session.update"},
          {"session",
           {{"audio",
             {{"input",
               {{"turn_detection", {{"type", "server_vad"}, {"create_response", false}}}}}}}}}});
    auto events = stream(demo, load_24k("turn_24000.wav"));
    EXPECT_EQ(count_type(events, "input_audio_buffer.committed"), 1U);
    EXPECT_EQ(count_type(events, "response.created"), 0U);
    auto reply = send(demo, {{"type", "response.create"}});
    const std::string said =
        first_of(reply, "response.output_audio_transcript.done").value("transcript", "");
    EXPECT_NE(said.find("seconds of speech"), std::string::npos) << said;
}

TEST_F(DemoConversation, TurnDetectionNullMeansManualCommitsAnsweredByResponseCreate)
{
    auto demo = make();
    auto updated =
        send(demo, {{"type", "session.update"},
                    {"session", {{"audio", {{"input", {{"turn_detection", nullptr}}}}}}}});
    ASSERT_EQ(updated.size(), 1U);
    EXPECT_TRUE(updated[0]["session"]["audio"]["input"]["turn_detection"].is_null());

    auto events = stream(demo, load_24k("turn_24000.wav"));
    EXPECT_TRUE(events.empty()) << events.size() << " events, first " << events[0].dump();

    auto committed = send(demo, {{"type", "input_audio_buffer.commit"}});
    EXPECT_EQ(count_type(committed, "input_audio_buffer.committed"), 1U);
    EXPECT_EQ(count_type(committed, "conversation.item.added"), 1U);
    EXPECT_EQ(count_type(committed, "response.created"), 0U);
    const std::string heard =
        first_of(committed, "conversation.item.input_audio_transcription.completed")
            .value("transcript", "");
    EXPECT_NE(heard.find("seconds of audio"), std::string::npos) << heard;

    auto reply = send(demo, {{"type", "response.create"}});
    EXPECT_EQ(count_type(reply, "response.done"), 1U);
    EXPECT_GT(count_type(reply, "response.output_audio.delta"), 0U);
}

TEST_F(DemoConversation, CommitOfAnEmptyBufferIsCommitEmptyError)
{
    auto demo = make();
    auto events = send(demo, {{"type", "input_audio_buffer.commit"}, {"event_id", "c1"}});
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0]["type"], "error");
    EXPECT_EQ(events[0]["error"]["code"], "input_audio_buffer_commit_empty");
    EXPECT_EQ(events[0]["error"]["event_id"], "c1");
}

TEST_F(DemoConversation, ClearAnswersClearedAndEmptiesTheBuffer)
{
    auto demo = make();
    send(demo, {{"type", "session.update"},
                {"session", {{"audio", {{"input", {{"turn_detection", nullptr}}}}}}}});
    stream(demo, std::vector<float>(rate, 0.1f));
    auto cleared = send(demo, {{"type", "input_audio_buffer.clear"}});
    ASSERT_EQ(cleared.size(), 1U);
    EXPECT_EQ(cleared[0]["type"], "input_audio_buffer.cleared");
    auto commit = send(demo, {{"type", "input_audio_buffer.commit"}});
    EXPECT_EQ(first_of(commit, "error")["error"]["code"], "input_audio_buffer_commit_empty");
}

// ---------------------------------------------------------------- typed text and greeting

TEST_F(DemoConversation, TypedTextGetsASpokenReplyQuotingIt)
{
    auto demo = make();
    auto item =
        send(demo, {{"type", "conversation.item.create"},
                    {"item",
                     {{"type", "message"},
                      {"role", "user"},
                      {"content", {{{"type", "input_text"}, {"text", "Is it raining?"}}}}}}});
    EXPECT_EQ(count_type(item, "conversation.item.added"), 1U);
    EXPECT_EQ(count_type(item, "conversation.item.done"), 1U);
    EXPECT_EQ(count_type(item, "response.created"), 0U); // text alone does not start a reply

    auto reply = send(demo, {{"type", "response.create"}});
    const std::string said =
        first_of(reply, "response.output_audio_transcript.done").value("transcript", "");
    EXPECT_NE(said.find("Is it raining?"), std::string::npos) << said;
    std::string deltas;
    for (const auto& e : reply)
        if (e["type"] == "response.output_audio_transcript.delta")
            deltas += e["delta"].get<std::string>();
    EXPECT_EQ(deltas, said);
    EXPECT_GT(count_type(reply, "response.output_audio_transcript.delta"), 3U);
    EXPECT_GT(peak(decode_audio(reply, "response.output_audio.delta")), 3000);
}

TEST_F(DemoConversation, ResponseCreateAloneSpeaksTheGreeting)
{
    auto demo = make();
    auto reply = send(demo, {{"type", "response.create"}});
    const std::vector<std::string> expected_order = {
        "response.created",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
    };
    const auto types = types_of(reply);
    ASSERT_GE(types.size(), expected_order.size());
    EXPECT_TRUE(std::equal(expected_order.begin(), expected_order.end(), types.begin()));
    EXPECT_EQ(types.back(), "response.done");
    EXPECT_EQ(first_of(reply, "response.output_audio_transcript.done")["transcript"], greeting);
    const json& item = first_of(reply, "response.output_item.done")["item"];
    EXPECT_EQ(item["role"], "assistant");
    EXPECT_EQ(item["content"][0]["type"], "output_audio");
    EXPECT_EQ(item["content"][0]["transcript"], greeting);
    EXPECT_GT(peak(decode_audio(reply, "response.output_audio.delta")), 3000);
}

TEST_F(DemoConversation, BetaDialectUsesBetaEventNames)
{
    auto demo = make(dialect::beta);
    auto session = parse_all(demo.start());
    EXPECT_EQ(session[0]["session"]["modalities"], json::array({"text", "audio"}));
    auto reply = send(demo, {{"type", "response.create"}});
    EXPECT_GT(count_type(reply, "response.audio.delta"), 0U);
    EXPECT_GT(count_type(reply, "response.audio_transcript.delta"), 0U);
    EXPECT_EQ(count_type(reply, "response.audio.done"), 1U);
    EXPECT_EQ(count_type(reply, "response.audio_transcript.done"), 1U);
    EXPECT_EQ(count_type(reply, "conversation.item.created"), 1U);
    EXPECT_EQ(count_type(reply, "response.output_audio.delta"), 0U);
    EXPECT_EQ(count_type(reply, "conversation.item.added"), 0U);
    EXPECT_EQ(first_of(reply, "response.output_item.done")["item"]["content"][0]["type"], "audio");
    EXPECT_GT(peak(decode_audio(reply, "response.audio.delta")), 3000);
}

TEST_F(DemoConversation, TextOnlySessionGetsTextEventsAndNoAudio)
{
    auto demo = make();
    send(demo, {{"type", "session.update"}, {"session", {{"output_modalities", {"text"}}}}});
    auto reply = send(demo, {{"type", "response.create"}});
    EXPECT_EQ(count_type(reply, "response.output_audio.delta"), 0U);
    EXPECT_EQ(count_type(reply, "response.output_audio_transcript.delta"), 0U);
    EXPECT_GT(count_type(reply, "response.output_text.delta"), 0U);
    EXPECT_EQ(first_of(reply, "response.output_text.done")["text"], greeting);
    EXPECT_EQ(first_of(reply, "response.done")["response"]["status"], "completed");
}

TEST_F(DemoConversation, TextOnlyResponseCreateOverridesAnAudioSession)
{
    auto demo = make(dialect::beta);
    auto reply =
        send(demo, {{"type", "response.create"}, {"response", {{"modalities", {"text"}}}}});
    EXPECT_EQ(count_type(reply, "response.audio.delta"), 0U);
    EXPECT_GT(count_type(reply, "response.text.delta"), 0U);
}

// ---------------------------------------------------------------- truncate, cancel

TEST_F(DemoConversation, TruncatingTheSpokenReplyAnswersTruncated)
{
    auto demo = make();
    auto reply = send(demo, {{"type", "response.create"}});
    const std::string item_id = first_of(reply, "response.output_item.done")["item"]["id"];
    auto events = send(demo, {{"type", "conversation.item.truncate"},
                              {"item_id", item_id},
                              {"content_index", 0},
                              {"audio_end_ms", 500}});
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0]["type"], "conversation.item.truncated");
    EXPECT_EQ(events[0]["item_id"], item_id);
    EXPECT_EQ(events[0]["audio_end_ms"], 500);
}

TEST_F(DemoConversation, TruncatingBeyondTheAudioOrAnUnknownItemIsAnError)
{
    auto demo = make();
    auto reply = send(demo, {{"type", "response.create"}});
    const std::string item_id = first_of(reply, "response.output_item.done")["item"]["id"];
    auto beyond = send(demo, {{"type", "conversation.item.truncate"},
                              {"item_id", item_id},
                              {"content_index", 0},
                              {"audio_end_ms", 600000}});
    ASSERT_EQ(beyond.size(), 1U);
    EXPECT_EQ(beyond[0]["type"], "error");
    EXPECT_EQ(beyond[0]["error"]["param"], "audio_end_ms");
    auto unknown = send(demo, {{"type", "conversation.item.truncate"},
                               {"item_id", "item_nope"},
                               {"content_index", 0},
                               {"audio_end_ms", 0}});
    ASSERT_EQ(unknown.size(), 1U);
    EXPECT_EQ(unknown[0]["type"], "error");
    EXPECT_EQ(unknown[0]["error"]["param"], "item_id");
}

TEST_F(DemoConversation, CancelWithNothingInProgressIsResponseCancelNotActive)
{
    auto demo = make();
    auto events = send(demo, {{"type", "response.cancel"}});
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0]["type"], "error");
    EXPECT_EQ(events[0]["error"]["code"], "response_cancel_not_active");
}

// ---------------------------------------------------------------- malformed input

TEST_F(DemoConversation, MalformedInputGivesOneErrorEventNeverAnException)
{
    std::string deep;
    for (int i = 0; i < 200; ++i)
        deep += "{\"a\":";
    deep += "1";
    for (int i = 0; i < 200; ++i)
        deep += "}";
    const std::vector<std::string> inputs = {
        "",
        "{",
        "[]",
        "null",
        "\"text\"",
        deep,
        R"({"type":5})",
        R"({"type":"input_audio_buffer.append"})",
        R"({"type":"input_audio_buffer.append","audio":"@@@@"})",
        R"({"type":"conversation.item.create","item":5})",
        R"({"type":"conversation.item.create","item":{"role":"user"}})",
        R"({"type":"conversation.item.truncate","item_id":"x","content_index":-1,"audio_end_ms":0})",
        R"({"type":"session.update","session":{"audio":{"input":{"turn_detection":{"type":"server_vad","threshold":2}}}}})",
        R"({"type":"session.update","session":{"audio":{"input":{"turn_detection":{"type":"magic"}}}}})",
        R"({"type":"session.update","session":{"audio":{"input":{"format":{"type":"audio/pcmu"}}}}})",
        R"({"type":"session.update","session":{"output_modalities":["video"]}})",
        R"({"type":"response.create","response":{"output_modalities":"audio"}})",
    };
    auto demo = make();
    for (const auto& input : inputs) {
        std::vector<json> events;
        EXPECT_NO_THROW(events = parse_all(demo.on_client_event(input))) << input;
        ASSERT_EQ(events.size(), 1U) << input;
        EXPECT_EQ(events[0]["type"], "error") << input;
        EXPECT_EQ(events[0]["error"]["type"], "invalid_request_error") << input;
        EXPECT_FALSE(events[0]["error"].value("message", "").empty()) << input;
    }
    // Still a working session afterwards.
    auto reply = send(demo, {{"type", "response.create"}});
    EXPECT_EQ(first_of(reply, "response.done")["response"]["status"], "completed");
}

TEST_F(DemoConversation, UnknownOrServerEventTypeIsUnknownEventNamingTheClientEvent)
{
    auto demo = make();
    for (const char* type : {"session.explode", "response.done", "conversation.item.delete"}) {
        auto events = send(demo, {{"type", type}, {"event_id", "evt_42"}, {"item_id", "x"}});
        ASSERT_EQ(events.size(), 1U) << type;
        EXPECT_EQ(events[0]["type"], "error") << type;
        EXPECT_EQ(events[0]["error"]["code"], "unknown_event") << type;
        EXPECT_EQ(events[0]["error"]["event_id"], "evt_42") << type;
    }
}

} // namespace
} // namespace donna::relay
