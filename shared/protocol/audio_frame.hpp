// audio_frame.hpp: the binary WebSocket frame that carries audio between client and relay.
//
// Layout (8-byte header, big-endian, then the payload):
//   byte 0     version   = 1
//   byte 1     kind      1 opus_input (client -> relay mic), 2 opus_output (relay -> client
//                        DONNA's voice), 3 pcm16_input, 4 pcm16_output
//   bytes 2-3  sequence  u16, +1 per frame of a stream, wraps 65535 -> 0
//   bytes 4-7  timestamp u32, in samples at the stream's rate (wraps like RTP's)
//   bytes 8-   payload   one Opus packet (1..1275 bytes) or PCM16 little-endian samples
//                        (even length, at most 100 ms at 48 kHz mono = 9600 bytes)
//
//   std::vector<std::uint8_t> frame;
//   auto st = donna::encode_audio_frame({donna::audio_frame_kind::opus_input, seq, ts},
//                                       packet, frame);
//   ...
//   auto in = donna::decode_audio_frame(received);   // payload is a view into received
//   if (!in) return drop(in.error().message);          // "frame of 5 bytes is shorter ..."
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace donna {

enum class audio_frame_kind : std::uint8_t {
    opus_input = 1,
    opus_output = 2,
    pcm16_input = 3,
    pcm16_output = 4,
};

inline constexpr std::uint8_t audio_frame_version = 1;
inline constexpr std::size_t audio_frame_header_size = 8;
// RFC 6716 section 3.4: the largest Opus packet.
inline constexpr std::size_t max_opus_packet_size = 1275;
// 100 ms of 16-bit mono at 48 kHz: a bound on the latency one frame may add.
inline constexpr std::size_t max_pcm16_payload_size = 48000 * 2 / 10;

constexpr bool is_known_kind(audio_frame_kind kind) noexcept
{
    const auto k = static_cast<std::uint8_t>(kind);
    return k >= 1 && k <= 4;
}
constexpr bool is_opus(audio_frame_kind kind) noexcept
{
    return kind == audio_frame_kind::opus_input || kind == audio_frame_kind::opus_output;
}
constexpr std::size_t max_payload_size(audio_frame_kind kind) noexcept
{
    return is_opus(kind) ? max_opus_packet_size : max_pcm16_payload_size;
}
std::string_view to_string(audio_frame_kind kind) noexcept;

// The sequence number after s, wrapping 65535 -> 0.
constexpr std::uint16_t next_sequence(std::uint16_t s) noexcept
{
    return static_cast<std::uint16_t>(s + 1);
}
// How far `to` is ahead of `from` across the wrap (negative: older, i.e. reordered):
// sequence_delta(65535, 0) == 1.
constexpr std::int16_t sequence_delta(std::uint16_t from, std::uint16_t to) noexcept
{
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(to - from));
}

struct audio_frame_header {
    audio_frame_kind kind = audio_frame_kind::opus_input;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;

    bool operator==(const audio_frame_header&) const = default;
};

// A decoded frame; payload points into the bytes given to decode_audio_frame.
struct audio_frame_view {
    audio_frame_header header;
    std::span<const std::uint8_t> payload;
};

// Replaces out's contents with the frame (its capacity is reused, so a sender can keep one
// buffer). Errors: unknown_frame_kind, empty_payload, payload_too_large, invalid_argument
// (odd PCM16 length); out is left empty on error.
[[nodiscard]] status encode_audio_frame(const audio_frame_header& header,
                                        std::span<const std::uint8_t> payload,
                                        std::vector<std::uint8_t>& out);

// Errors: frame_too_short, unsupported_version, unknown_frame_kind, empty_payload,
// payload_too_large, invalid_argument (odd PCM16 length).
[[nodiscard]] result<audio_frame_view> decode_audio_frame(std::span<const std::uint8_t> frame);

} // namespace donna
