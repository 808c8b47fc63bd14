// Calls DONNA answers: a real relay, the Telnyx fake (Call Control and signed webhooks), the
// fake Telnyx media stream (a real WebSocket paced at 20 ms, playing espeak-ng speech as the
// caller) and the fake Realtime upstream, all over loopback. What the caller hears, what the
// upstream hears, barge-in by marks, lost and shuffled frames, the media upgrade's checks,
// and the ends of a call.
#include "call_audio.hpp"
#include "eventually.hpp"
#include "phone_call_fixture.hpp"
#include "wav_file.hpp"

#include "app/relay_app.hpp"
#include "app/services.hpp"
#include "audio/pcm16.hpp"
#include "audio/resampler.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <thread>

namespace donna::relay {
namespace {

using donna::test::eventually;

TEST_F(PhoneCalls, ACallToASitesNumberIsAnsweredAndItsAudioStreamedBothWaysInRtpMode)
{
    start();
    const auto call = ring("PCMU,PCMA");
    ASSERT_GE(call.commands.size(), 2u);
    EXPECT_EQ(call.commands[0], "answer");
    EXPECT_EQ(call.commands[1], "streaming_start");
    EXPECT_TRUE(call.stream_url.starts_with("ws://127.0.0.1:" + std::to_string(relay_->port()) +
                                            "/v1/phone/media?call="))
        << call.stream_url;
    EXPECT_FALSE(call.stream_auth_token.empty());
    EXPECT_EQ(call.stream_bidirectional_mode, "rtp"); // Telnyx's mp3 default drops our audio
    EXPECT_EQ(call.stream_codec, "PCMU");
    EXPECT_EQ(call.stream_bidirectional_codec, "PCMU");
    EXPECT_EQ(call.stream_sampling_rate, 8000);
}

TEST_F(PhoneCalls, TheCodecFollowsTheCallersOffer)
{
    start();
    EXPECT_EQ(ring("PCMA,PCMU").stream_bidirectional_codec, "PCMA");
    const auto wideband = ring("G722,PCMU");
    EXPECT_EQ(wideband.stream_bidirectional_codec, "G722");
    EXPECT_EQ(wideband.stream_sampling_rate, 16000);
    const auto l16 = ring("L16,PCMU");
    EXPECT_EQ(l16.stream_bidirectional_codec, "L16");
    EXPECT_EQ(l16.stream_sampling_rate, 16000);
    EXPECT_EQ(ring("").stream_bidirectional_codec, "PCMU");
}

TEST_F(PhoneCalls, ACallToANumberNoSiteClaimsIsRejected)
{
    start();
    const auto id = telnyx_.call_in(caller, "+15550109999");
    ASSERT_TRUE(eventually([&] {
        for (const auto& c : telnyx_.calls())
            if (c.call_control_id == id)
                return c.hangup_cause == "call_rejected";
        return false;
    }));
    for (const auto& c : telnyx_.calls())
        if (c.call_control_id == id) {
            EXPECT_EQ(c.commands, std::vector<std::string>{"reject"});
            EXPECT_TRUE(c.stream_url.empty());
        }
    EXPECT_TRUE(eventually(
        [&] { return relay_->metric("donna_calls_answered_total{outcome=\"rejected\"}") == 1; }));
}

TEST_F(PhoneCalls, WithoutAPublicAddressACallIsKeptInTheHistoryAndLeftAlone)
{
    start({}, false);
    const auto id = telnyx_.call_in(caller, line);
    ASSERT_TRUE(eventually([&] {
        return relay_->metric("donna_calls_answered_total{outcome=\"not_answered\"}") == 1;
    }));
    for (const auto& c : telnyx_.calls()) {
        if (c.call_control_id == id) {
            EXPECT_TRUE(c.commands.empty());
        }
    }
    const auto listed = relay_
                            ->request("GET", "/v1/calls?direction=inbound", "",
                                      test::bearer(test::test_admin_token))
                            .json();
    ASSERT_EQ(listed["calls"].size(), 1u) << listed.dump();
    EXPECT_EQ(listed["calls"][0]["from"], caller);
}

TEST_F(PhoneCalls, TheGreetingReachesTheCallerInPcmuFramesAsTheUpstreamSpokeIt)
{
    const auto donna = speech_at(24000);
    start({.response_audio = donna});
    const auto call = ring("PCMU");
    auto media = stream(call);
    // The whole greeting, played in real time.
    const auto want = donna.size() / 3;
    ASSERT_TRUE(media->wait_until([&] { return media->heard().size() >= want - 160; },
                                  std::chrono::seconds(15)))
        << media->heard().size() << " of " << want;
    for (const auto size : media->frame_sizes())
        EXPECT_EQ(size, 160u); // 20 ms of PCMU each
    const auto heard = media->heard();
    EXPECT_NEAR(static_cast<double>(heard.size()), static_cast<double>(want), 8000 * 0.06);
    EXPECT_GT(envelope_match(envelope(heard, 8000), envelope(donna, 24000)), 0.95);
    // DONNA spoke first, with the site's greeting.
    const auto sessions = upstream_->connections();
    ASSERT_EQ(sessions.size(), 1u);
    bool greeted = false;
    for (const auto& e : sessions[0].client_events)
        greeted =
            greeted || (e.find("response.create") != std::string::npos &&
                        e.find("Hello, Acme reception, DONNA speaking.") != std::string::npos);
    EXPECT_TRUE(greeted);
}

TEST_F(PhoneCalls, AWidebandCallHearsDonnaIn16kHzL16Frames)
{
    const auto donna = speech_at(24000);
    start({.response_audio = donna});
    const auto call = ring("L16");
    auto media = stream(call);
    const auto want = donna.size() * 2 / 3;
    ASSERT_TRUE(media->wait_until([&] { return media->heard().size() >= want - 320; },
                                  std::chrono::seconds(15)));
    for (const auto size : media->frame_sizes())
        EXPECT_EQ(size, 640u); // 20 ms of 16 kHz L16
    EXPECT_GT(envelope_match(envelope(media->heard(), 16000), envelope(donna, 24000)), 0.95);
}

TEST_F(PhoneCalls, TheCallersSpeechReachesTheUpstreamAs24kHzPcm16)
{
    for (const auto& [offer, rate] :
         std::vector<std::pair<std::string, int>>{{"PCMU", 8000}, {"L16", 16000}}) {
        start();
        const auto speech = speech_at(rate);
        const auto call = ring(offer);
        auto media = stream(call, speech);
        const auto want = speech.size() * 24000 / static_cast<std::size_t>(rate);
        ASSERT_TRUE(upstream_->wait_until(
            [&](const auto& c) { return !c.empty() && c[0].input_audio.size() >= want; },
            std::chrono::seconds(15)))
            << offer;
        const auto input = upstream_->connections()[0].input_audio;
        const std::vector<std::int16_t> spoken(input.begin(),
                                               input.begin() + static_cast<std::ptrdiff_t>(want));
        EXPECT_GT(envelope_match(envelope(spoken, 24000), envelope(speech, rate)), 0.95) << offer;
        media->stop();
        relay_.reset();
    }
}

TEST_F(PhoneCalls, ALostFrameIsConcealedAndShuffledFramesArriveInOrder)
{
    start();
    const auto speech = speech_at(8000);
    const auto call = ring("PCMU");
    auto media = stream(call, speech, {.reorder = true, .drop = {12}});
    const auto want = speech.size() * 3;
    ASSERT_TRUE(upstream_->wait_until(
        [&](const auto& c) { return !c.empty() && c[0].input_audio.size() >= want; },
        std::chrono::seconds(15)));
    EXPECT_TRUE(
        eventually([&] { return relay_->metric("donna_phone_frames_concealed_total") == 1; }));
    // In order despite the shuffle: the upstream's audio follows the speech's envelope.
    const auto input = upstream_->connections()[0].input_audio;
    const std::vector<std::int16_t> spoken(input.begin(),
                                           input.begin() + static_cast<std::ptrdiff_t>(want));
    EXPECT_GT(envelope_match(envelope(spoken, 24000), envelope(speech, 8000)), 0.95);
}

TEST_F(PhoneCalls, BargeInClearsTheCallersAudioAndTruncatesTheReplyAtTheMarksHeard)
{
    expect_barge_in_cut_at_the_marks_heard();
}

TEST_F(PhoneCalls, TheCallersHangUpClosesTheRealtimeSession)
{
    start();
    const auto call = ring("PCMU");
    auto media = stream(call, speech_at(8000));
    ASSERT_TRUE(upstream_->wait_until([](const auto& c) { return c.size() == 1; }));
    media->stop();
    EXPECT_TRUE(upstream_->wait_until([](const auto& c) { return c[0].closed; }));
    EXPECT_TRUE(media->wait_until([&] { return media->closed(); }));
    EXPECT_TRUE(eventually([&] { return relay_->metric("donna_phone_calls_active") == 0; }));
}

TEST_F(PhoneCalls, AMediaUpgradeWithoutItsCallsTokenIsRefused)
{
    start();
    const auto call = ring("PCMU");
    const auto other = ring("PCMU");
    const auto refused = [&](const std::string& url, const std::string& token) {
        fakes::fake_media_stream media({.url = url, .auth_token = token});
        EXPECT_FALSE(media.connect());
        return media.refused_status();
    };
    EXPECT_EQ(refused(call.stream_url, ""), 401);
    EXPECT_EQ(refused(call.stream_url, "dt1.forged.token"), 401);
    EXPECT_EQ(refused(call.stream_url, other.stream_auth_token), 401); // another call's
    auto first = stream(call);
    EXPECT_EQ(refused(call.stream_url, call.stream_auth_token), 409); // one stream a call
    EXPECT_GE(relay_->metric("donna_errors_total{code=\"invalid_media_token\"}"), 2);
}

TEST_F(PhoneCalls, ACallsMediaTokenIsNoVisitorsSessionToken)
{
    start();
    const auto call = ring();
    // Signed by the same key as a visitor's token, but it opens no session and no chat.
    const auto upgrade = relay_->refused_upgrade({.token = call.stream_auth_token});
    EXPECT_EQ(upgrade.status, 401) << upgrade.body;
    EXPECT_EQ(upgrade.json()["error"]["code"], "invalid_session_token");
    const auto chat = relay_->request("POST", "/v1/chat", R"({"message":"hello"})",
                                      test::bearer(call.stream_auth_token));
    EXPECT_EQ(chat.status, 401) << chat.body;
}

// The apology after the Realtime session failed: seconds of espeak-ng speech, heard whole.
void expect_apology_heard(const fakes::fake_media_stream& media, std::size_t before)
{
    const auto heard = media.heard();
    ASSERT_GT(heard.size(), before + std::size_t{8000} * 3);
    EXPECT_GT(donna::test::peak(std::vector<std::int16_t>(
                  heard.begin() + static_cast<std::ptrdiff_t>(before), heard.end())),
              2000);
}

TEST_F(PhoneCalls, WhenTheRealtimeSessionFailsTheCallerHearsAnApologyAndIsPutThroughToTheStaff)
{
    start();
    const auto call = ring("PCMU");
    auto media = stream(call);
    ASSERT_TRUE(upstream_->wait_until([](const auto& c) { return c.size() == 1; }));
    ASSERT_TRUE(media->wait_until([&] { return !media->heard().empty(); }));
    const auto before = media->heard().size();
    upstream_->close_all(); // OpenAI ends the session
    const auto transferred = [&] {
        for (const auto& c : telnyx_.calls())
            if (c.call_control_id == call.call_control_id)
                return c.transferred_to;
        return std::string();
    };
    ASSERT_TRUE(eventually([&] { return transferred() == staff; }, std::chrono::seconds(20)));
    expect_apology_heard(*media, before); // played whole before the transfer
    EXPECT_FALSE(was_hung_up(telnyx_, call.call_control_id));
}

TEST_F(PhoneCalls, WhenTheRealtimeSessionFailsWithNoStaffNumberTheStaffAreAskedToCallBack)
{
    start({}, true, 2000, [](config& cfg) { cfg.sites.sites[0].staff_phones.clear(); });
    const auto call = ring("PCMU");
    auto media = stream(call);
    ASSERT_TRUE(upstream_->wait_until([](const auto& c) { return c.size() == 1; }));
    ASSERT_TRUE(media->wait_until([&] { return !media->heard().empty(); }));
    const auto before = media->heard().size();
    upstream_->close_all();
    ASSERT_TRUE(eventually([&] { return was_hung_up(telnyx_, call.call_control_id); },
                           std::chrono::seconds(20)));
    expect_apology_heard(*media, before);
    // What the apology says was done has been done: the callback request is stored.
    const auto listing =
        relay_->request("GET", "/v1/messages", "", test::bearer(test::test_admin_token)).json();
    ASSERT_EQ(listing["messages"].size(), 1u) << listing.dump();
    EXPECT_EQ(listing["messages"][0]["kind"], "request_callback");
    EXPECT_EQ(listing["messages"][0]["fields"]["phone"], caller);
    // The hangup's event ends the call's record.
    EXPECT_TRUE(eventually([&] {
        return relay_
                   ->request("GET", "/v1/calls/" + std::to_string(call_id_of(call)), "",
                             test::bearer(test::test_admin_token))
                   .json()["call"]["status"] == "ended";
    }));
}

TEST_F(PhoneCalls, ADrainingRelayLetsDonnaFinishSaysGoodbyeAndHangsUp)
{
    start({}, true, 10000);
    const auto call = ring("PCMU");
    auto media = stream(call);
    // The greeting (the fake's one second of tone) is playing when SIGTERM comes.
    ASSERT_TRUE(media->wait_until([&] { return media->heard().size() >= 1600; }));
    bool drained = false;
    std::thread stopper([&] { drained = relay_->app().shutdown(std::chrono::seconds(12)); });
    const bool hung_up = eventually([&] { return was_hung_up(telnyx_, call.call_control_id); },
                                    std::chrono::seconds(15));
    stopper.join();
    ASSERT_TRUE(hung_up);
    EXPECT_TRUE(drained);
    EXPECT_EQ(media->clears(), 0); // nothing was cut
    // The whole greeting, then the goodbye (seconds of speech) before the hangup.
    EXPECT_GT(media->heard().size(), 8000u + 8000u * 2);
}

TEST_F(PhoneCalls, PressingZeroPutsTheCallerThroughToTheStaffAfterDonnaSaysSo)
{
    start();
    const auto call = ring("PCMU");
    auto media = stream(call);
    ASSERT_TRUE(media->wait_until([&] { return !media->heard().empty(); }));
    media->press('0');
    const auto transferred = [&] {
        for (const auto& c : telnyx_.calls())
            if (c.call_control_id == call.call_control_id)
                return c.transferred_to;
        return std::string();
    };
    const auto before = media->heard().size();
    ASSERT_TRUE(eventually([&] { return transferred() == staff; }));
    // The hand-off line (a second or more of speech) played before the call was put through,
    // and it was not hung up.
    EXPECT_GT(media->heard().size(), before + 8000);
    EXPECT_FALSE(was_hung_up(telnyx_, call.call_control_id));
    EXPECT_EQ(relay_->metric("donna_phone_transfers_total"), 1);
    // The call's record shows the transfer (Telnyx's call.bridged).
    EXPECT_TRUE(eventually([&] {
        const auto record = relay_
                                ->request("GET", "/v1/calls/" + std::to_string(call_id_of(call)),
                                          "", test::bearer(test::test_admin_token))
                                .json();
        return record["call"]["transfers"].size() == 1;
    }));
}

TEST_F(PhoneCalls, WhatEachSideSaysIsKeptWithTheCall)
{
    start();
    const auto call = ring("PCMU");
    auto media = stream(call);
    ASSERT_TRUE(upstream_->wait_until([](const auto& c) { return c.size() == 1; }));
    upstream_->send_to_all(
        R"({"type":"conversation.item.input_audio_transcription.completed","event_id":"e9",)"
        R"("item_id":"item_caller_1","content_index":0,"transcript":"A table for two, please."})");
    nlohmann::json record;
    ASSERT_TRUE(eventually([&] {
        record = relay_
                     ->request("GET", "/v1/calls/" + std::to_string(call_id_of(call)), "",
                               test::bearer(test::test_admin_token))
                     .json();
        int lines = 0;
        for (const auto& e : record["call"]["timeline"])
            lines += e["type"] == "transcript" ? 1 : 0;
        return lines == 2;
    })) << record.dump();
    std::vector<std::pair<std::string, std::string>> lines;
    for (const auto& e : record["call"]["timeline"])
        if (e["type"] == "transcript")
            lines.emplace_back(e["detail"]["role"], e["detail"]["text"]);
    EXPECT_NE(std::find(lines.begin(), lines.end(),
                        std::pair<std::string, std::string>{"donna", "Hello from the fake."}),
              lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(),
                        std::pair<std::string, std::string>{"caller", "A table for two, please."}),
              lines.end());
}

} // namespace
} // namespace donna::relay
