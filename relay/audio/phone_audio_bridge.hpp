// phone_audio_bridge.hpp: one phone call's audio, both ways, between the call's format
// (audio/phone_codec) and the Realtime session's 24 kHz PCM16.
//
// Why always 24 kHz PCM16 and not G.711 straight through (OpenAI takes audio/pcmu too): one
// session format for the web and the phone, the same transcripts and truncation arithmetic,
// and wideband calls (L16 or G.722 at 16 kHz) keep their band. The price, measured
// (BENCHMARKS.md, "Phone bridge"): 15-28 us of CPU a 20 ms frame each way against 0.7 us
// passed through, and the resamplers' filter delay, 12.6 ms both ways at 8 kHz, 6.3 ms at 16.
//
//   auto bridge = phone_audio_bridge::create(caller_format, to_caller_format);
//   bridge->from_caller(payload, pcm24k);        // the caller's frame, for the upstream
//   bridge->to_caller(reply_pcm24k);             // DONNA's audio, queued for the caller
//   while (bridge->next_frame(frame)) send(frame);   // whole 20 ms frames in the call's codec
//   bridge->finish();                            // the reply ended: its tail goes out padded
//   bridge->clear();                             // barge-in: nothing queued is played
//
// Not thread-safe: one bridge per call, used on the call's strand.
#pragma once

#include "audio/phone_codec.hpp"
#include "audio/resampler.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace donna::relay {

inline constexpr int realtime_rate = 24000; // the Realtime session's PCM16
inline constexpr int phone_frame_ms = 20;   // the media stream's packet

class phone_audio_bridge {
public:
    static result<phone_audio_bridge> create(const phone_audio_format& from_caller,
                                             const phone_audio_format& to_caller);

    // The caller's payload, decoded and resampled, appended to pcm24k.
    void from_caller(std::span<const std::uint8_t> payload, std::vector<std::int16_t>& pcm24k);
    // One lost 20 ms frame of the caller's, concealed: the last frame again at half its level
    // (the ear takes a short repeat for continuity), silence after a second loss in a row.
    void conceal_frame(std::vector<std::int16_t>& pcm24k);

    // DONNA's 24 kHz audio, queued for the caller in the call's rate.
    void to_caller(std::span<const std::int16_t> pcm24k);
    // The next whole 20 ms frame in the call's codec; false when less than one is queued.
    bool next_frame(std::vector<std::uint8_t>& frame);
    // The reply ended: what the resampler still holds and the last partial frame (padded
    // with silence) become whole frames for next_frame().
    void finish();
    // Drops everything queued for the caller (the caller interrupted).
    void clear();
    // Audio queued for the caller, in milliseconds.
    std::size_t queued_ms() const;

    const phone_audio_format& caller_format() const { return decoder_.format(); }
    const phone_audio_format& reply_format() const { return encoder_.format(); }

private:
    phone_audio_bridge(phone_decoder decoder, phone_encoder encoder, resampler up, resampler down);
    void queue_resampled(const std::vector<float>& samples);

    phone_decoder decoder_;
    phone_encoder encoder_;
    resampler up_;   // caller's rate -> 24 kHz
    resampler down_; // 24 kHz -> the reply's rate
    std::vector<std::int16_t> decoded_;
    std::vector<float> scratch_in_, scratch_out_;
    std::vector<std::int16_t> last_frame_; // the caller's last frame at 24 kHz, for concealment
    int losses_in_a_row_ = 0;
    std::deque<std::int16_t> outbound_; // DONNA's audio at the reply's rate, not yet framed
};

} // namespace donna::relay
