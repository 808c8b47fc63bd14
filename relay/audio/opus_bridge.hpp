// opus_bridge.hpp: Opus audio frames on the client's WebSocket <-> the base64 PCM16 (24 kHz)
// that the OpenAI Realtime API carries in JSON. Opus is ~24 kbit/s against PCM16's 384, so a
// client on a poor link sends and receives binary frames (shared/protocol/audio_frame.hpp)
// and the relay converts. Pure logic: no sockets.
//
//   auto in = donna::relay::opus_input_bridge::create();
//   auto append = in->on_frame(binary_frame);                // client -> relay
//   if (!append) return client.send_error(append.error());  // "opus_input frame 7: ..."
//   upstream.send(*append);                                  // input_audio_buffer.append
//
//   auto out = donna::relay::opus_output_bridge::create();
//   auto c = out->on_server_event(upstream_text);            // relay -> client
//   if (!c) return log(c.error().message);
//   client.send_text(c->event_text);                         // delta emptied, ids kept
//   for (const auto& frame : c->frames) client.send_binary(frame);
//
// Both sides run at 24 kHz, the Realtime API's rate, so nothing is resampled. One bridge per
// stream and direction; not thread-safe (use it on the session's strand).
#pragma once

#include "audio/opus_codec.hpp"
#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

inline constexpr int bridge_sample_rate = 24000;
// Samples in one 20 ms frame at 24 kHz.
inline constexpr std::size_t bridge_frame_samples = 480;
// A gap in the client's sequence numbers is filled by packet loss concealment up to this many
// frames (1 s); a longer gap is a pause in sending (e.g. a muted microphone), not loss, and
// inventing minutes of audio for it would only cost tokens.
inline constexpr std::size_t max_concealed_frames = 50;

// Client Opus frames (kind opus_input) -> input_audio_buffer.append events.
class opus_input_bridge {
public:
    static result<opus_input_bridge> create();

    // One binary frame in, one append event out (PCM16 24 kHz, base64). Frames lost before
    // this one (a gap in sequence numbers) are concealed first, so the audio keeps its
    // duration. Errors, each naming the frame: a bad header (frame_too_short,
    // unsupported_version, ...), a kind other than opus_input (invalid_argument), a sequence
    // number at or before the last one (out_of_range: a duplicate or reordered frame would
    // repeat audio), a packet libopus cannot decode (codec_error). A frame that fails is
    // treated as lost, so the next good one conceals it.
    result<std::string> on_frame(std::span<const std::uint8_t> frame);

    // Audio produced so far, concealed frames included.
    double seconds_decoded() const noexcept;

private:
    explicit opus_input_bridge(opus_decoder decoder);

    opus_decoder decoder_;
    std::vector<float> pcm_; // one frame's audio: concealed frames, then the packet
    std::optional<std::uint16_t> last_sequence_;
    std::size_t last_frame_samples_ = bridge_frame_samples; // the size PLC repeats
    std::uint64_t samples_decoded_ = 0;
};

// response.output_audio.delta (beta response.audio.delta) -> binary opus_output frames.
class opus_output_bridge {
public:
    static result<opus_output_bridge> create();

    struct converted {
        std::string event_text;                        // forward this to the client as text
        std::vector<std::vector<std::uint8_t>> frames; // then these as binary frames, in order
    };

    // An audio delta: the same event with "delta" set to "" (the client keeps its item_id and
    // response_id bookkeeping) and a frame for every complete 20 ms of audio so far; the rest
    // waits for the next delta. response.output_audio.done / response.audio.done flushes the
    // remainder zero-padded to a whole frame. Sequence numbers and timestamps (in 24 kHz
    // samples) run on across responses. Any other event passes through unchanged with no
    // frames. Errors: text that is not a JSON event, a delta event without a string "delta",
    // invalid base64, an encoder failure.
    result<converted> on_server_event(std::string_view event_json);

private:
    explicit opus_output_bridge(opus_encoder encoder);

    status encode_pending(std::vector<std::vector<std::uint8_t>>& frames, bool flush);

    opus_encoder encoder_;
    std::vector<float> pending_;           // samples not yet in a whole frame
    std::optional<std::uint8_t> odd_byte_; // half a sample split across two deltas
    std::uint16_t sequence_ = 0;
    std::uint32_t timestamp_ = 0;
};

} // namespace donna::relay
