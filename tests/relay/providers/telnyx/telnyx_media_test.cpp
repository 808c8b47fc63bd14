// Telnyx's media stream frames (relay/providers/telnyx/telnyx_media), without I/O: the
// documented start frame, numbers sent as strings, what is refused and why, and the frames
// the relay writes.
#include "providers/telnyx/telnyx_media.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

TEST(TelnyxMedia, TheDocumentedStartFrameNamesTheCallAndItsMediaFormat)
{
    // The AsyncAPI page's own example.
    const auto frame = parse_telnyx_media_frame(
        R"({"event":"start","sequence_number":"1","stream_id":"32DE0DEA-53CB-4B21-89A4-9E1819C043BC",
            "start":{"user_id":"3E6F","call_control_id":"v2:T02l","call_session_id":"ff55a038",
            "from":"+13122010094","to":"+13122123456","tags":["TAG1"],
            "client_state":"aGF2ZSBhIG5pY2UgZGF5ID1d","custom_parameters":{"customer_id":"c"},
            "media_format":{"encoding":"PCMU","sample_rate":8000,"channels":1}}})");
    ASSERT_TRUE(frame) << frame.error().message;
    EXPECT_EQ(frame->kind, telnyx_media_kind::start);
    EXPECT_EQ(frame->sequence, 1);
    EXPECT_EQ(frame->stream_id, "32DE0DEA-53CB-4B21-89A4-9E1819C043BC");
    EXPECT_EQ(frame->call_control_id, "v2:T02l");
    EXPECT_EQ(frame->from, "+13122010094");
    EXPECT_EQ(frame->to, "+13122123456");
    EXPECT_EQ(frame->encoding, "PCMU");
    EXPECT_EQ(frame->sample_rate, 8000);
    EXPECT_EQ(frame->channels, 1);
}

TEST(TelnyxMedia, AMediaFrameReadsItsNumbersWhetherSentAsStringsOrNumbers)
{
    const auto as_strings = parse_telnyx_media_frame(
        R"({"event":"media","sequence_number":"4","stream_id":"s",
            "media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"AAEC"}})");
    ASSERT_TRUE(as_strings);
    EXPECT_EQ(as_strings->kind, telnyx_media_kind::media);
    EXPECT_EQ(as_strings->sequence, 4);
    EXPECT_EQ(as_strings->chunk, 2);
    EXPECT_EQ(as_strings->timestamp, 5);
    EXPECT_EQ(as_strings->track, "inbound");
    EXPECT_EQ(as_strings->payload_base64, "AAEC");
    const auto as_numbers = parse_telnyx_media_frame(
        R"({"event":"media","sequence_number":4,"media":{"chunk":2,"timestamp":5,"payload":""}})");
    ASSERT_TRUE(as_numbers);
    EXPECT_EQ(as_numbers->sequence, 4);
    EXPECT_EQ(as_numbers->chunk, 2);
}

TEST(TelnyxMedia, DtmfMarkStopAndErrorFramesAreRead)
{
    const auto dtmf = parse_telnyx_media_frame(R"({"event":"dtmf","dtmf":{"digit":"0"}})");
    ASSERT_TRUE(dtmf);
    EXPECT_EQ(dtmf->kind, telnyx_media_kind::dtmf);
    EXPECT_EQ(dtmf->digit, "0");
    const auto mark = parse_telnyx_media_frame(R"({"event":"mark","mark":{"name":"reply-3"}})");
    ASSERT_TRUE(mark);
    EXPECT_EQ(mark->kind, telnyx_media_kind::mark);
    EXPECT_EQ(mark->mark_name, "reply-3");
    const auto stop = parse_telnyx_media_frame(R"({"event":"stop","stop":{}})");
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->kind, telnyx_media_kind::stop);
    const auto error = parse_telnyx_media_frame(
        R"({"event":"error","payload":{"code":100002,"title":"Unknown error",
            "detail":"An unknown error occurred"}})");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind, telnyx_media_kind::error);
    EXPECT_EQ(error->error_code, "100002");
    EXPECT_EQ(error->error_title, "Unknown error");
    const auto unknown = parse_telnyx_media_frame(R"({"event":"something_new"})");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->kind, telnyx_media_kind::other);
}

TEST(TelnyxMedia, MalformedFramesAreRefusedWithTheirReason)
{
    const std::vector<std::pair<std::string, errc>> cases = {
        {"not json", errc::invalid_json},
        {"[1]", errc::not_an_object},
        {R"({"sequence_number":1})", errc::missing_field},
        {R"({"event":7})", errc::wrong_type},
        {R"({"event":"start","start":{"call_control_id":"v3:x"}})", errc::missing_field},
        {R"({"event":"media","media":{}})", errc::missing_field},
        {R"({"event":"media","media":{"payload":12}})", errc::wrong_type},
        {std::string(telnyx_media_frame_max + 1, ' '), errc::payload_too_large},
    };
    for (const auto& [text, code] : cases) {
        const auto frame = parse_telnyx_media_frame(text);
        ASSERT_FALSE(frame) << text.substr(0, 40);
        EXPECT_EQ(frame.error().code, code) << text.substr(0, 40);
        EXPECT_FALSE(frame.error().message.empty());
    }
}

TEST(TelnyxMedia, TheRelaysMediaMarkAndClearFramesHaveTelnyxsShape)
{
    EXPECT_EQ(nlohmann::json::parse(telnyx_media_out("AAEC")),
              nlohmann::json::parse(R"({"event":"media","media":{"payload":"AAEC"}})"));
    EXPECT_EQ(nlohmann::json::parse(telnyx_mark_out("reply-1-7")),
              nlohmann::json::parse(R"({"event":"mark","mark":{"name":"reply-1-7"}})"));
    EXPECT_EQ(nlohmann::json::parse(telnyx_clear_out()),
              nlohmann::json::parse(R"({"event":"clear"})"));
}

} // namespace
} // namespace donna::relay
