#include "protocol/audio_frame.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace donna {
namespace {

using bytes = std::vector<std::uint8_t>;

bytes payload_of(std::size_t size, std::uint8_t seed = 1)
{
    bytes p(size);
    for (std::size_t i = 0; i < size; ++i)
        p[i] = static_cast<std::uint8_t>(seed + i * 31);
    return p;
}

TEST(AudioFrame, HeaderSizeAndLimitsAreTheDocumentedNumbers)
{
    EXPECT_EQ(audio_frame_header_size, 8u);
    EXPECT_EQ(max_opus_packet_size, 1275u);
    EXPECT_EQ(max_pcm16_payload_size, 9600u);
    EXPECT_EQ(max_payload_size(audio_frame_kind::opus_input), 1275u);
    EXPECT_EQ(max_payload_size(audio_frame_kind::pcm16_output), 9600u);
}

TEST(AudioFrame, EncodesBigEndianHeaderByteForByteAgainstAGoldenFrame)
{
    const bytes payload{0xde, 0xad, 0xbe};
    bytes frame;
    ASSERT_TRUE(
        encode_audio_frame({audio_frame_kind::opus_output, 0x1234, 0x89abcdef}, payload, frame));
    const bytes golden{0x01,                   // version
                       0x02,                   // kind: opus_output
                       0x12, 0x34,             // sequence 0x1234
                       0x89, 0xab, 0xcd, 0xef, // timestamp 0x89abcdef
                       0xde, 0xad, 0xbe};      // payload
    EXPECT_EQ(frame, golden);
}

TEST(AudioFrame, DecodesAGoldenFrameIntoItsFields)
{
    const bytes golden{0x01, 0x03, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x10, 0x20};
    auto frame = decode_audio_frame(golden);
    ASSERT_TRUE(frame) << frame.error().message;
    EXPECT_EQ(frame->header.kind, audio_frame_kind::pcm16_input);
    EXPECT_EQ(frame->header.sequence, 0xff00);
    EXPECT_EQ(frame->header.timestamp, 256u);
    ASSERT_EQ(frame->payload.size(), 2u);
    EXPECT_EQ(frame->payload[0], 0x10);
    EXPECT_EQ(frame->payload[1], 0x20);
    // A view, not a copy.
    EXPECT_EQ(frame->payload.data(), golden.data() + 8);
}

TEST(AudioFrame, EveryKindRoundTripsAtItsSmallestAndLargestPayload)
{
    struct kind_case {
        audio_frame_kind kind;
        std::size_t smallest;
        std::size_t largest;
    };
    for (const auto& c : {kind_case{audio_frame_kind::opus_input, 1, 1275},
                          kind_case{audio_frame_kind::opus_output, 1, 1275},
                          kind_case{audio_frame_kind::pcm16_input, 2, 9600},
                          kind_case{audio_frame_kind::pcm16_output, 2, 9600}}) {
        for (std::size_t size : {c.smallest, c.largest}) {
            const audio_frame_header header{c.kind, 40000, 4000000000u};
            const bytes payload = payload_of(size);
            bytes frame;
            auto encoded = encode_audio_frame(header, payload, frame);
            ASSERT_TRUE(encoded) << to_string(c.kind) << " " << size << ": "
                                 << encoded.error().message;
            ASSERT_EQ(frame.size(), 8 + size);
            auto decoded = decode_audio_frame(frame);
            ASSERT_TRUE(decoded) << decoded.error().message;
            EXPECT_EQ(decoded->header, header);
            EXPECT_TRUE(std::equal(decoded->payload.begin(), decoded->payload.end(),
                                   payload.begin(), payload.end()));
        }
    }
}

TEST(AudioFrame, SequenceWrapsFrom65535ToZero)
{
    EXPECT_EQ(next_sequence(65534), 65535);
    EXPECT_EQ(next_sequence(65535), 0);
    EXPECT_EQ(sequence_delta(65535, 0), 1);
    EXPECT_EQ(sequence_delta(65530, 4), 10);
    EXPECT_EQ(sequence_delta(0, 65535), -1); // reordered: older than the last one seen
    EXPECT_EQ(sequence_delta(7, 7), 0);

    const bytes payload{0x42};
    std::uint16_t seq = 65534;
    std::uint16_t seen[3] = {};
    for (auto& s : seen) {
        bytes frame;
        ASSERT_TRUE(
            encode_audio_frame({audio_frame_kind::opus_input, seq, 0xffffffffu}, payload, frame));
        auto decoded = decode_audio_frame(frame);
        ASSERT_TRUE(decoded);
        EXPECT_EQ(decoded->header.timestamp, 0xffffffffu);
        s = decoded->header.sequence;
        if (s == 65535) {
            EXPECT_EQ(frame[2], 0xff);
            EXPECT_EQ(frame[3], 0xff);
        }
        seq = next_sequence(seq);
    }
    EXPECT_EQ(seen[0], 65534);
    EXPECT_EQ(seen[1], 65535);
    EXPECT_EQ(seen[2], 0);
}

TEST(AudioFrame, DecodeRejectsFramesShorterThanTheHeaderSayingTheSize)
{
    const bytes full{0x01, 0x01, 0, 0, 0, 0, 0, 0, 0x55};
    for (std::size_t n = 0; n < 8; ++n) {
        auto decoded = decode_audio_frame(std::span(full.data(), n));
        ASSERT_FALSE(decoded) << n;
        EXPECT_EQ(decoded.error().code, errc::frame_too_short);
        EXPECT_EQ(decoded.error().message,
                  "frame of " + std::to_string(n) + " bytes is shorter than the 8-byte header");
    }
}

TEST(AudioFrame, DecodeRejectsOtherVersions)
{
    for (std::uint8_t version : std::initializer_list<std::uint8_t>{0, 2, 255}) {
        const bytes frame{version, 0x01, 0, 0, 0, 0, 0, 0, 0x55};
        auto decoded = decode_audio_frame(frame);
        ASSERT_FALSE(decoded);
        EXPECT_EQ(decoded.error().code, errc::unsupported_version);
        EXPECT_NE(decoded.error().message.find("version " + std::to_string(version)),
                  std::string::npos)
            << decoded.error().message;
    }
}

TEST(AudioFrame, DecodeRejectsUnknownKinds)
{
    for (std::uint8_t kind : std::initializer_list<std::uint8_t>{0, 5, 200}) {
        const bytes frame{0x01, kind, 0, 0, 0, 0, 0, 0, 0x55};
        auto decoded = decode_audio_frame(frame);
        ASSERT_FALSE(decoded);
        EXPECT_EQ(decoded.error().code, errc::unknown_frame_kind);
        EXPECT_NE(decoded.error().message.find("kind " + std::to_string(kind)), std::string::npos)
            << decoded.error().message;
    }
}

TEST(AudioFrame, DecodeRejectsAHeaderWithoutPayload)
{
    const bytes frame{0x01, 0x02, 0, 1, 0, 0, 0, 2};
    auto decoded = decode_audio_frame(frame);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, errc::empty_payload);
    EXPECT_NE(decoded.error().message.find("8-byte header and no payload"), std::string::npos)
        << decoded.error().message;
}

TEST(AudioFrame, DecodeRejectsPayloadsOverTheKindsLimit)
{
    struct over_case {
        std::uint8_t kind;
        std::size_t size;
        std::string message;
    };
    for (const auto& c :
         {over_case{1, 1276, "opus_input payload of 1276 bytes exceeds the 1275-byte maximum"},
          over_case{2, 5000, "opus_output payload of 5000 bytes exceeds the 1275-byte maximum"},
          over_case{4, 9602, "pcm16_output payload of 9602 bytes exceeds the 9600-byte maximum"}}) {
        bytes frame{0x01, c.kind, 0, 0, 0, 0, 0, 0};
        frame.resize(8 + c.size, 0x11);
        auto decoded = decode_audio_frame(frame);
        ASSERT_FALSE(decoded);
        EXPECT_EQ(decoded.error().code, errc::payload_too_large);
        EXPECT_EQ(decoded.error().message, c.message);
    }
}

TEST(AudioFrame, DecodeRejectsOddPcm16Lengths)
{
    const bytes frame{0x01, 0x03, 0, 0, 0, 0, 0, 0, 1, 2, 3};
    auto decoded = decode_audio_frame(frame);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, errc::invalid_argument);
    EXPECT_EQ(decoded.error().message,
              "pcm16_input payload of 3 bytes is not a whole number of 16-bit samples");
}

TEST(AudioFrame, EncodeRejectsWhatDecodeWouldRejectAndLeavesOutputEmpty)
{
    struct encode_case {
        audio_frame_kind kind;
        std::size_t size;
        errc code;
    };
    for (const auto& c :
         {encode_case{audio_frame_kind::opus_input, 0, errc::empty_payload},
          encode_case{audio_frame_kind::pcm16_output, 0, errc::empty_payload},
          encode_case{audio_frame_kind::opus_output, 1276, errc::payload_too_large},
          encode_case{audio_frame_kind::pcm16_input, 9602, errc::payload_too_large},
          encode_case{audio_frame_kind::pcm16_input, 7, errc::invalid_argument},
          encode_case{static_cast<audio_frame_kind>(0), 2, errc::unknown_frame_kind},
          encode_case{static_cast<audio_frame_kind>(9), 2, errc::unknown_frame_kind}}) {
        bytes frame{1, 2, 3}; // stale contents must not survive a failed encode
        auto encoded = encode_audio_frame({c.kind, 1, 2}, payload_of(c.size), frame);
        ASSERT_FALSE(encoded) << static_cast<int>(c.kind) << " " << c.size;
        EXPECT_EQ(encoded.error().code, c.code) << encoded.error().message;
        EXPECT_TRUE(frame.empty());
    }
}

TEST(AudioFrame, EncodeReusesTheOutputBuffer)
{
    bytes frame;
    ASSERT_TRUE(
        encode_audio_frame({audio_frame_kind::opus_input, 1, 960}, payload_of(1000), frame));
    const auto* data = frame.data();
    ASSERT_TRUE(encode_audio_frame({audio_frame_kind::opus_input, 2, 1920}, payload_of(10), frame));
    EXPECT_EQ(frame.size(), 18u);
    EXPECT_EQ(frame.data(), data);
}

TEST(AudioFrame, DecodeNeverCrashesOnArbitraryBytes)
{
    std::uint32_t seed = 99;
    for (int round = 0; round < 20000; ++round) {
        seed = seed * 1664525u + 1013904223u;
        bytes frame((seed >> 20) % 24);
        for (auto& b : frame) {
            seed = seed * 1664525u + 1013904223u;
            b = static_cast<std::uint8_t>(seed >> 24);
        }
        if (frame.size() >= 2 && round % 2 == 0) {
            frame[0] = 1;
            frame[1] = static_cast<std::uint8_t>(1 + round % 4);
        }
        auto decoded = decode_audio_frame(frame);
        if (decoded) {
            EXPECT_EQ(decoded->payload.size() + 8, frame.size());
        }
    }
}

} // namespace
} // namespace donna
