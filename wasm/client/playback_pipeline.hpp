// playback_pipeline.hpp: DONNA's voice on its way to the speakers: binary Opus frames from the
// relay (kind opus_output) or base64 PCM16 deltas, both 24 kHz mono, decoded and resampled to
// the AudioContext's rate for the playback worklet.
//
//   auto playback = playback_pipeline::create(48000);
//   std::vector<float> out;
//   if (auto n = playback->decode_frame(binary_message, out); n) worklet.play(out);
//
// A gap in the Opus sequence numbers of up to 5 frames (100 ms) is filled by the decoder's
// packet-loss concealment; a longer one (a new response after a pause) just continues.
#pragma once

#include "audio/opus_codec.hpp"
#include "audio/resampler.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace donna::client {

class playback_pipeline {
public:
    static constexpr int wire_rate = 24000;

    static result<playback_pipeline> create(int output_rate);

    // One binary message from the relay; appends the samples at the output rate to `out`
    // and returns how many. Errors: the frame's own (shared/protocol/audio_frame), a kind
    // other than opus_output, or the codec's.
    result<std::size_t> decode_frame(std::span<const std::uint8_t> message,
                                     std::vector<float>& out);
    // The base64 "delta" of a response.output_audio.delta (PCM16 mode).
    result<std::size_t> decode_pcm16(std::string_view base64, std::vector<float>& out);
    // After a barge-in: the filter's history belongs to audio that will never play.
    void restart();

    int output_rate() const noexcept { return resampler_.out_rate(); }

private:
    playback_pipeline(resampler r, opus_decoder d);
    std::size_t resample(std::span<const float> wire, std::vector<float>& out);

    resampler resampler_;
    opus_decoder decoder_;
    std::vector<float> decoded_; // one packet's worth at 24 kHz (up to 120 ms)
    std::optional<std::uint16_t> last_sequence_;
};

} // namespace donna::client
