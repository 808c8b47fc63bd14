// Calls whose G.711 passes straight through to the Realtime session (DONNA_PHONE_AUDIO=g711):
// the call is asked for G.711, the session for the same format both ways, and every byte the
// caller sends reaches the upstream as it was sent, every byte the upstream speaks reaches
// the caller as it was spoken; barge-in still cuts the reply at the marks heard. A real relay,
// the Telnyx fakes and the fake Realtime upstream over loopback.
#include "call_audio.hpp"
#include "phone_call_fixture.hpp"

#include "config/config.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace donna::relay {
namespace {

const auto pass_g711 = [](config& cfg) {
    cfg.phone_audio = "g711";
};

// The session.update events the relay sent, parsed.
std::vector<nlohmann::json> session_updates(const fakes::recorded_connection& session)
{
    std::vector<nlohmann::json> updates;
    for (const auto& e : session.client_events) {
        auto event = nlohmann::json::parse(e, nullptr, false);
        if (event.is_object() && event.value("type", "") == "session.update")
            updates.push_back(std::move(event));
    }
    return updates;
}

TEST_F(PhoneCalls, WithG711PassedThroughAWidebandOfferIsStillAnsweredInG711)
{
    start({}, true, 2000, pass_g711);
    EXPECT_EQ(ring("G722,L16,PCMA,PCMU").stream_bidirectional_codec, "PCMA");
    const auto pcmu = ring("G722,PCMU");
    EXPECT_EQ(pcmu.stream_bidirectional_codec, "PCMU");
    EXPECT_EQ(pcmu.stream_sampling_rate, 8000);
    // No G.711 offered: Telnyx transcodes only between PCMU and PCMA, so the band is kept.
    EXPECT_EQ(ring("G722").stream_bidirectional_codec, "G722");
}

TEST_F(PhoneCalls, WithG711PassedThroughTheSessionIsAskedForTheCallsCodecBothWays)
{
    start({}, true, 2000, pass_g711);
    const auto call = ring("PCMA");
    auto media = stream(call);
    ASSERT_TRUE(upstream_->wait_until(
        [](const auto& c) { return !c.empty() && !session_updates(c[0]).empty(); }));
    const auto updates = session_updates(upstream_->connections()[0]);
    const auto& audio = updates[0]["session"]["audio"];
    EXPECT_EQ(audio["input"]["format"], nlohmann::json({{"type", "audio/pcma"}})) << audio;
    EXPECT_EQ(audio["output"]["format"], nlohmann::json({{"type", "audio/pcma"}})) << audio;
    // The upstream took it (it refuses a format it does not know): the caller's audio is
    // counted in it.
    EXPECT_TRUE(upstream_->wait_until(
        [](const auto& c) { return !c.empty() && c[0].input_format == "audio/pcma"; }));
}

TEST_F(PhoneCalls, WithG711PassedThroughTheCallersBytesReachTheUpstreamUnchanged)
{
    start({}, true, 2000, pass_g711);
    const auto speech = speech_at(8000);
    const auto call = ring("PCMU");
    auto media = stream(call, speech);
    ASSERT_TRUE(upstream_->wait_until(
        [&](const auto& c) { return !c.empty() && c[0].input_bytes.size() >= speech.size(); },
        std::chrono::seconds(15)));
    const auto upstream = upstream_->connections()[0]; // first: the caller has sent as much
    const auto sent = media->sent_bytes();
    EXPECT_EQ(upstream.input_format, "audio/pcmu");
    ASSERT_GE(sent.size(), upstream.input_bytes.size());
    EXPECT_TRUE(std::equal(upstream.input_bytes.begin(), upstream.input_bytes.end(), sent.begin()))
        << "the caller's bytes were changed on their way";
    EXPECT_EQ(relay_->metric("donna_phone_frames_concealed_total"), 0);
}

TEST_F(PhoneCalls, WithG711PassedThroughTheCallerHearsTheUpstreamsBytesUnchanged)
{
    const auto donna = speech_at(24000);
    start({.response_audio = donna}, true, 2000, pass_g711);
    const auto call = ring("PCMU");
    auto media = stream(call);
    ASSERT_TRUE(upstream_->wait_until(
        [](const auto& c) { return !c.empty() && !c[0].output_audio.empty(); }));
    const auto spoken = upstream_->connections()[0].output_audio;
    // The greeting's bytes, then PCMU's silence (0xFF) to the end of the last 20 ms frame.
    const auto framed = (spoken.size() + 159) / 160 * 160;
    ASSERT_TRUE(media->wait_until([&] { return media->received_bytes().size() >= framed; },
                                  std::chrono::seconds(15)))
        << media->received_bytes().size() << " of " << framed;
    const auto heard = media->received_bytes();
    ASSERT_EQ(heard.size(), framed);
    EXPECT_TRUE(std::equal(spoken.begin(), spoken.end(), heard.begin()))
        << "the upstream's bytes were changed on their way";
    EXPECT_TRUE(std::all_of(heard.begin() + static_cast<std::ptrdiff_t>(spoken.size()), heard.end(),
                            [](auto b) { return b == 0xFF; }));
    for (const auto size : media->frame_sizes())
        EXPECT_EQ(size, 160u);
    // And it is DONNA's speech, at the phone's rate.
    EXPECT_GT(envelope_match(envelope(media->heard(), 8000), envelope(donna, 24000)), 0.95);
}

TEST_F(PhoneCalls, WithG711PassedThroughBargeInTruncatesTheReplyAtTheMarksHeard)
{
    expect_barge_in_cut_at_the_marks_heard(pass_g711);
}

} // namespace
} // namespace donna::relay
