// opus_codec.hpp: RAII wrappers over libopus for DONNA's speech: mono, 20 ms frames,
// VBR around 24 kbit/s, at 48 kHz (browser capture rate) or 24 kHz (the Realtime API's).
//
//   auto enc = donna::opus_encoder::create({.sample_rate = 24000});
//   std::array<std::uint8_t, donna::opus_max_packet> packet;
//   auto size = enc->encode(frame, packet);       // frame: 480 float samples
//   auto dec = donna::opus_decoder::create(24000);
//   auto n = dec->decode(std::span(packet.data(), *size), pcm);
//
// Every libopus error comes back as errc::codec_error with libopus's own text.
// Not thread-safe: one encoder or decoder per stream and thread.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <memory>
#include <span>

struct OpusEncoder;
struct OpusDecoder;

namespace donna {

constexpr std::size_t opus_max_packet = 1275; // RFC 6716 section 3.2.1

enum class opus_application { voip, audio };

struct opus_encoder_config {
    int sample_rate = 24000; // 48000 or 24000 (also 16000, 12000, 8000)
    int bitrate = 24000;     // bits per second, VBR target
    // 5 costs ~0.2 ms per frame in WASM against 0.37 ms at libopus's default 9, with
    // little audible loss on speech: it keeps capture + encode inside 0.5 ms per frame.
    int complexity = 5;
    opus_application application = opus_application::voip;
    // Duration of one packet: 10, 20, 40 or 60 ms. Longer packets mean fewer messages for
    // the same audio, at the price of that much more delay before the first one is ready.
    int frame_ms = 20;
};

class opus_encoder {
public:
    static result<opus_encoder> create(const opus_encoder_config& config);

    // Encodes exactly one frame (frame_size() samples: frame_ms of audio) into `packet`,
    // which needs room for opus_max_packet bytes to be safe; returns the packet size.
    result<std::size_t> encode(std::span<const float> frame, std::span<std::uint8_t> packet);

    // Samples of look-ahead the decoder output lags the input by (for alignment).
    int lookahead() const noexcept;
    int sample_rate() const noexcept { return sample_rate_; }
    std::size_t frame_size() const noexcept
    {
        return static_cast<std::size_t>(sample_rate_ / 1000) * static_cast<std::size_t>(frame_ms_);
    }
    int frame_ms() const noexcept { return frame_ms_; }

private:
    struct deleter {
        void operator()(OpusEncoder* e) const noexcept;
    };
    std::unique_ptr<OpusEncoder, deleter> state_;
    int sample_rate_ = 0;
    int frame_ms_ = 20;
};

class opus_decoder {
public:
    static result<opus_decoder> create(int sample_rate);

    // Decodes one packet into `pcm` (room for 120 ms is always enough; 20 ms frames need
    // sample_rate / 50); returns the number of samples written.
    result<std::size_t> decode(std::span<const std::uint8_t> packet, std::span<float> pcm);
    // Conceals one lost frame of pcm.size() samples (packet loss concealment).
    result<std::size_t> decode_lost(std::span<float> pcm);

    int sample_rate() const noexcept { return sample_rate_; }

private:
    struct deleter {
        void operator()(OpusDecoder* d) const noexcept;
    };
    std::unique_ptr<OpusDecoder, deleter> state_;
    int sample_rate_ = 0;
};

} // namespace donna
