// phone_call_fixture.hpp: the phone tests' set-up: a real relay answering for the demo site's
// number, the Telnyx fake (Call Control and signed webhooks), the fake Realtime upstream, and
// Telnyx's side of each call's media stream (fake_media_stream), all over loopback.
#pragma once

#include "call_audio.hpp"
#include "eventually.hpp"
#include "fake_media_stream.hpp"
#include "fake_realtime_server.hpp"
#include "fake_telnyx.hpp"
#include "relay_harness.hpp"
#include "telnyx_test_config.hpp"

#include "app/services.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace donna::relay {

inline constexpr const char* line = "+15550100100";
inline constexpr const char* caller = "+15550100199";
inline constexpr const char* staff = "+15550100777";

class PhoneCalls : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(telnyx_.start()); }
    void TearDown() override
    {
        telnyx_.deliver_webhooks_to("");
        relay_.reset();
    }

    // The relay, answering for the demo site's number, its public address its own.
    // `adjust` changes the configuration before the relay starts.
    void start(fakes::fake_realtime_options upstream_options = {}, bool public_address = true,
               int shutdown_grace_ms = 2000, const std::function<void(config&)>& adjust = {})
    {
        upstream_ = std::make_unique<fakes::fake_realtime_server>(std::move(upstream_options));
        ASSERT_TRUE(upstream_->start());
        auto cfg = test::telnyx_test_config(telnyx_, line);
        cfg.openai_api_key = test::fake_openai_key;
        cfg.openai_base_url = upstream_->base_url();
        cfg.sites.sites[0].greeting = "Hello, Acme reception, DONNA speaking.";
        cfg.shutdown_grace_ms = shutdown_grace_ms;
        cfg.sites.sites[0].staff_phones = {staff};
        if (adjust)
            adjust(cfg);
        relay_ = std::make_unique<test::relay_harness>(cfg);
        if (public_address) {
            cfg.public_url = relay_->self_origin(); // known once the relay listens
            ASSERT_TRUE(relay_->svc().reload(cfg));
        }
        telnyx_.deliver_webhooks_to(relay_->self_origin() + "/v1/webhooks/telnyx");
    }

    // A call comes in and the relay asks for its stream; the stream the relay asked for.
    fakes::fake_call ring(const std::string& offered = "PCMU,PCMA")
    {
        const auto id = telnyx_.call_in(caller, line, offered);
        auto call = telnyx_.wait_stream(id);
        EXPECT_TRUE(call) << "the relay never asked for the call's stream";
        return call.value_or(fakes::fake_call{});
    }

    // Telnyx opens the stream the relay asked for, in the codec it asked for.
    std::unique_ptr<fakes::fake_media_stream> stream(const fakes::fake_call& call,
                                                     std::vector<std::int16_t> caller_audio = {},
                                                     fakes::fake_media_stream_options o = {})
    {
        o.url = call.stream_url;
        o.auth_token = call.stream_auth_token;
        o.call_control_id = call.call_control_id;
        o.encoding = call.stream_bidirectional_codec;
        o.sample_rate =
            call.stream_bidirectional_codec == "G722" ? 8000 : call.stream_sampling_rate;
        o.caller_audio = std::move(caller_audio);
        auto media = std::make_unique<fakes::fake_media_stream>(std::move(o));
        EXPECT_TRUE(media->connect()) << media->refused_status() << " " << media->refused_body();
        return media;
    }

    // A ten-second reply the caller interrupts: Telnyx is told to clear, and the reply is
    // truncated at the last mark the caller's side echoed, never past what was heard.
    // `adjust`: the relay's settings (G.711 passed through, for one).
    void expect_barge_in_cut_at_the_marks_heard(const std::function<void(config&)>& adjust = {})
    {
        // Ten seconds of reply: the caller interrupts well before its end.
        std::vector<std::int16_t> long_reply;
        const auto donna = speech_at(24000);
        while (long_reply.size() < 240000)
            long_reply.insert(long_reply.end(), donna.begin(), donna.end());
        start({.response_audio = long_reply}, true, 2000, adjust);
        const auto call = ring("PCMU");
        auto media = stream(call);
        ASSERT_TRUE(media->wait_until([&] { return media->marks_echoed().size() >= 5; }));
        upstream_->send_to_all(R"({"type":"input_audio_buffer.speech_started","event_id":"e1",)"
                               R"("audio_start_ms":1200,"item_id":"item_caller_1"})");
        ASSERT_TRUE(media->wait_until([&] { return media->clears() == 1; }));
        const auto heard_ms = static_cast<std::int64_t>(media->heard().size() / 8);
        ASSERT_TRUE(upstream_->wait_until([](const auto& c) {
            for (const auto& e : c[0].client_events)
                if (e.find("conversation.item.truncate") != std::string::npos)
                    return true;
            return false;
        }));
        nlohmann::json truncate;
        const auto sessions = upstream_->connections(); // kept: a temporary's member would dangle
        for (const auto& e : sessions[0].client_events)
            if (e.find("conversation.item.truncate") != std::string::npos)
                truncate = nlohmann::json::parse(e);
        const auto end_ms = truncate["audio_end_ms"].get<std::int64_t>();
        // At a mark (each reply chunk is 100 ms: a wall-clock cut would land anywhere), never
        // past what the caller heard, and short of it only by what played while the clear was on
        // its way.
        EXPECT_EQ(end_ms % 100, 0) << end_ms;
        EXPECT_LE(end_ms, heard_ms);
        EXPECT_GE(end_ms, heard_ms - 400);
        EXPECT_LT(heard_ms, 9000);
        // Nothing more of that reply plays.
        const auto after = media->heard().size();
        EXPECT_FALSE(media->wait_until([&] { return media->heard().size() > after + 800; },
                                       std::chrono::milliseconds(300)));
        EXPECT_EQ(relay_->metric("donna_phone_barge_ins_total"), 1);
    }

    fakes::fake_telnyx telnyx_;
    std::unique_ptr<fakes::fake_realtime_server> upstream_;
    std::unique_ptr<test::relay_harness> relay_;
};

// The relay's id of a call, from the stream URL it gave Telnyx ("...?call=<id>").
inline std::int64_t call_id_of(const fakes::fake_call& call)
{
    const auto at = call.stream_url.find("call=");
    return at == std::string::npos ? 0 : std::stoll(call.stream_url.substr(at + 5));
}

inline bool was_hung_up(const fakes::fake_telnyx& telnyx, const std::string& call_control_id)
{
    for (const auto& c : telnyx.calls())
        if (c.call_control_id == call_control_id)
            return std::find(c.commands.begin(), c.commands.end(), "hangup") != c.commands.end();
    return false;
}

} // namespace donna::relay
