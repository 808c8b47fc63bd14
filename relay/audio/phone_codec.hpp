// phone_codec.hpp: a phone call's audio as a media stream carries it, to and from PCM16
// samples: G.711 mu-law (PCMU) and A-law (PCMA) at 8 kHz, L16 (16-bit big-endian, RFC 2586)
// at 8 or 16 kHz, and G.722 at 16 kHz (its RTP clock says 8000; the audio is 16 kHz). The
// G.711 and G.722 arithmetic is spandsp's (Debian's libspandsp), not ours.
//
//   auto format = phone_audio_format_of("PCMU", 8000);      // from the stream's start frame
//   auto decoder = phone_decoder::create(*format);
//   decoder->decode(payload, samples);                       // appends 8 kHz PCM16
//   auto encoder = phone_encoder::create(*format);
//   encoder->encode(samples, bytes);                         // appends PCMU bytes
//
// Opus and AMR-WB are not offered: a call asks for one of these four (phone/call_answering).
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace donna::relay {

enum class phone_encoding { pcmu, pcma, l16, g722 };

struct phone_audio_format {
    phone_encoding encoding = phone_encoding::pcmu;
    int sample_rate = 8000; // of the audio itself: 16000 for G.722 whatever the RTP clock
};

// The format a stream names ("PCMU", "PCMA", "L16", "G722" and its rate). PCMU and PCMA are
// 8 kHz; L16 is 8 or 16 kHz; G.722 is 16 kHz audio (a declared 8000 or 16000 both mean it).
// errc::invalid_argument for another encoding (OPUS, AMR-WB...) or rate.
result<phone_audio_format> phone_audio_format_of(std::string_view encoding, int sample_rate);

// "PCMU", "PCMA", "L16", "G722": the names Telnyx's streaming commands take.
std::string_view phone_encoding_name(phone_encoding encoding);

// Bytes of `ms` milliseconds of audio in this format (20 ms PCMU: 160; L16 16 kHz: 640).
std::size_t phone_bytes_per(const phone_audio_format& format, int ms);

class phone_decoder {
public:
    static result<phone_decoder> create(const phone_audio_format& format);
    phone_decoder(phone_decoder&&) noexcept;
    phone_decoder& operator=(phone_decoder&&) noexcept;
    ~phone_decoder();

    // Appends the payload's samples at format().sample_rate. An L16 payload of an odd length
    // keeps its last byte for the next one.
    void decode(std::span<const std::uint8_t> payload, std::vector<std::int16_t>& out);
    const phone_audio_format& format() const noexcept { return format_; }

private:
    struct g722_state;
    explicit phone_decoder(const phone_audio_format& format);
    phone_audio_format format_;
    std::unique_ptr<g722_state> g722_;
    int carry_ = -1; // L16: a byte waiting for its pair, or -1
};

class phone_encoder {
public:
    static result<phone_encoder> create(const phone_audio_format& format);
    phone_encoder(phone_encoder&&) noexcept;
    phone_encoder& operator=(phone_encoder&&) noexcept;
    ~phone_encoder();

    // Appends the samples (at format().sample_rate) encoded.
    void encode(std::span<const std::int16_t> samples, std::vector<std::uint8_t>& out);
    const phone_audio_format& format() const noexcept { return format_; }

private:
    struct g722_state;
    explicit phone_encoder(const phone_audio_format& format);
    phone_audio_format format_;
    std::unique_ptr<g722_state> g722_;
};

} // namespace donna::relay
