// capture_pipeline.hpp: the microphone's path inside the client. Float samples at the
// AudioContext's rate come in (20 ms batches from the capture worklet); out go the turn
// detector's events and, while the client is sending, the audio for the relay at the
// Realtime API's 24 kHz: one binary Opus frame per 40 ms (shared/protocol/audio_frame), or
// base64 PCM16 input_audio_buffer.append events of 100 ms when the relay asks for PCM16.
//
//   auto capture = capture_pipeline::create(48000, settings);
//   capture->process(batch, /*sending=*/true, out, turn_events);
//   for (auto& m : out.binary) socket.send(m);   // Opus frames
//   for (auto& t : out.text) socket.send(t);     // PCM16 appends (pcm16 mode)
//
// The detector runs on the 24 kHz stream, so its sample positions are the positions of the
// audio the server receives. Opus complexity 5 (see shared/audio/opus_codec.hpp): about
// 0.2 ms per 20 ms of audio in WASM.
//
// Why 40 ms Opus packets (the relay takes 10 to 120 ms): in Chromium each WebSocket message
// costs the main thread about 0.3 ms on a slow machine, as much as encoding the audio in it;
// 40 ms packets halve the messages for 20 ms more delay before the server hears a sound,
// which its turn detection (hundreds of milliseconds of silence) does not notice. Barge-in
// does not wait for it: the client's own detector sees every batch at once.
#pragma once

#include "audio/framer.hpp"
#include "audio/opus_codec.hpp"
#include "audio/resampler.hpp"
#include "core/error.hpp"
#include "turn/turn_detector.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace donna::client {

enum class uplink_format { opus, pcm16 };

// What one process() call produced; the caller sends it in this order and clears it.
struct uplink_messages {
    std::vector<std::vector<std::uint8_t>> binary; // Opus audio frames
    std::vector<std::string> text;                 // PCM16 append events
    void clear()
    {
        binary.clear();
        text.clear();
    }
};

class capture_pipeline {
public:
    static constexpr int wire_rate = 24000;
    static constexpr int opus_frame_ms = 40;
    // PCM16 is gathered 20 ms at a time into its 100 ms appends.
    static constexpr int pcm16_frame_ms = 20;

    static result<capture_pipeline> create(int input_rate, const turn_config& turn,
                                           uplink_format format = uplink_format::opus);

    // Consumes one batch of microphone samples. With `sending`, complete Opus frames (or
    // 100 ms appends) are appended to `out`; without, the audio only feeds the detector.
    void process(std::span<const float> in, bool sending, uplink_messages& out,
                 std::vector<turn_event>& events);
    // Ends a sent stretch (push-to-talk released): the partial frame is zero-padded and
    // sent, so the server has every sample the visitor spoke.
    void finish(uplink_messages& out);

    status reconfigure(const turn_config& turn) { return detector_.reconfigure(turn); }
    void set_format(uplink_format format);
    // Forget the stream: a new microphone starts here (the detector re-learns the floor).
    void restart();

    float level() const noexcept { return detector_.level(); }
    bool in_speech() const noexcept { return detector_.in_speech(); }
    const turn_config& turn() const noexcept { return detector_.config(); }
    // Samples at 24 kHz handed to the relay so far (padding included).
    std::uint64_t sent_samples() const noexcept { return sent_samples_; }
    int input_rate() const noexcept { return input_rate_; }

private:
    capture_pipeline(int input_rate, resampler r, const turn_detector& d, opus_encoder e,
                     uplink_format format);
    void send_frame(std::span<const float> frame, uplink_messages& out);
    void flush_pcm16(uplink_messages& out);

    int input_rate_;
    resampler resampler_;
    turn_detector detector_;
    opus_encoder encoder_;
    uplink_format format_;
    framer framer_;
    std::vector<float> wire_; // the batch at 24 kHz (reused)
    std::vector<std::uint8_t> packet_;
    std::vector<std::int16_t> pcm16_pending_; // pcm16 mode: up to 100 ms
    std::uint16_t sequence_ = 0;
    std::uint32_t timestamp_ = 0;
    std::uint64_t sent_samples_ = 0;
};

} // namespace donna::client
