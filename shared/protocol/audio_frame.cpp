// audio_frame.cpp: encodes and checks the 8-byte audio frame header (see audio_frame.hpp).
#include "protocol/audio_frame.hpp"

#include <algorithm>
#include <string>

namespace donna {
namespace {

// The payload rules shared by both directions, so a frame we send always decodes.
status check_payload(audio_frame_kind kind, std::size_t size)
{
    if (size == 0)
        return make_error(errc::empty_payload, std::string(to_string(kind)) + " frame has an " +
                                                   std::to_string(audio_frame_header_size) +
                                                   "-byte header and no payload");
    const std::size_t limit = max_payload_size(kind);
    if (size > limit)
        return make_error(errc::payload_too_large,
                          std::string(to_string(kind)) + " payload of " + std::to_string(size) +
                              " bytes exceeds the " + std::to_string(limit) + "-byte maximum");
    if (!is_opus(kind) && size % 2 != 0)
        return make_error(errc::invalid_argument,
                          std::string(to_string(kind)) + " payload of " + std::to_string(size) +
                              " bytes is not a whole number of 16-bit samples");
    return ok();
}

error unknown_kind(unsigned kind)
{
    return make_error(errc::unknown_frame_kind,
                      "unknown audio frame kind " + std::to_string(kind) +
                          " (known: 1 opus_input, 2 opus_output, 3 pcm16_input, 4 pcm16_output)");
}

} // namespace

std::string_view to_string(audio_frame_kind kind) noexcept
{
    switch (kind) {
    case audio_frame_kind::opus_input:
        return "opus_input";
    case audio_frame_kind::opus_output:
        return "opus_output";
    case audio_frame_kind::pcm16_input:
        return "pcm16_input";
    case audio_frame_kind::pcm16_output:
        return "pcm16_output";
    }
    return "unknown";
}

status encode_audio_frame(const audio_frame_header& header, std::span<const std::uint8_t> payload,
                          std::vector<std::uint8_t>& out)
{
    out.clear();
    if (!is_known_kind(header.kind))
        return unknown_kind(static_cast<unsigned>(header.kind));
    if (auto checked = check_payload(header.kind, payload.size()); !checked)
        return checked;

    out.resize(audio_frame_header_size + payload.size());
    out[0] = audio_frame_version;
    out[1] = static_cast<std::uint8_t>(header.kind);
    out[2] = static_cast<std::uint8_t>(header.sequence >> 8);
    out[3] = static_cast<std::uint8_t>(header.sequence);
    out[4] = static_cast<std::uint8_t>(header.timestamp >> 24);
    out[5] = static_cast<std::uint8_t>(header.timestamp >> 16);
    out[6] = static_cast<std::uint8_t>(header.timestamp >> 8);
    out[7] = static_cast<std::uint8_t>(header.timestamp);
    std::copy(payload.begin(), payload.end(),
              out.begin() + static_cast<std::ptrdiff_t>(audio_frame_header_size));
    return ok();
}

result<audio_frame_view> decode_audio_frame(std::span<const std::uint8_t> frame)
{
    if (frame.size() < audio_frame_header_size)
        return make_error(errc::frame_too_short, "frame of " + std::to_string(frame.size()) +
                                                     " bytes is shorter than the " +
                                                     std::to_string(audio_frame_header_size) +
                                                     "-byte header");
    if (frame[0] != audio_frame_version)
        return make_error(errc::unsupported_version,
                          "audio frame version " + std::to_string(frame[0]) +
                              " is not supported (this build speaks version " +
                              std::to_string(audio_frame_version) + ")");
    const auto kind = static_cast<audio_frame_kind>(frame[1]);
    if (!is_known_kind(kind))
        return unknown_kind(frame[1]);

    audio_frame_view view;
    view.header.kind = kind;
    view.header.sequence = static_cast<std::uint16_t>((frame[2] << 8) | frame[3]);
    view.header.timestamp =
        static_cast<std::uint32_t>(frame[4]) << 24 | static_cast<std::uint32_t>(frame[5]) << 16 |
        static_cast<std::uint32_t>(frame[6]) << 8 | static_cast<std::uint32_t>(frame[7]);
    view.payload = frame.subspan(audio_frame_header_size);
    if (auto checked = check_payload(kind, view.payload.size()); !checked)
        return checked.error();
    return view;
}

} // namespace donna
