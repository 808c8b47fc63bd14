// phone_audio_bridge.hpp: one phone call's audio, both ways, between the call's format
// (audio/phone_codec) and the format the Realtime session takes and gives.
//
// The session's format is chosen per call (DONNA_PHONE_AUDIO):
//  - 24 kHz PCM16 (`convert`, the default): the caller's audio is decoded and resampled up,
//    DONNA's resampled down and encoded. One session format for the web and the phone, and
//    wideband calls (L16 or G.722 at 16 kHz) keep their band. The price, measured
//    (BENCHMARKS.md, "Phone bridge"): 12-26 us of CPU a 20 ms frame each way, and the
//    resamplers' filter delay, 12.6 ms both ways at 8 kHz, 6.3 ms at 16.
//  - the call's own G.711 (`g711`, on a PCMU or PCMA call): the payload bytes go to the
//    session as they came (audio/pcmu, audio/pcma) and DONNA's come back framed as they are:
//    no decode, resample or encode, no filter delay, under 1 us a frame. The call stays
//    narrowband, and the model hears what the phone network carried.
// Either way the bridge speaks DONNA's own lines (the relay's espeak apology and goodbye,
// synthesised at 24 kHz) in the call's codec.
//
//   auto bridge = phone_audio_bridge::create(caller_format, to_caller_format, mode);
//   bridge->from_caller(payload, for_session);   // the caller's frame, for the upstream
//   bridge->to_caller(session_audio);            // DONNA's audio, queued for the caller
//   bridge->speak(pcm24k);                       // a line the relay synthesised itself
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
#include <string_view>
#include <vector>

namespace donna::relay {

inline constexpr int realtime_rate = 24000; // the Realtime session's PCM16
inline constexpr int phone_frame_ms = 20;   // the media stream's packet

// What the relay asks of a call's audio (DONNA_PHONE_AUDIO).
enum class phone_audio_mode {
    convert, // the session hears and speaks 24 kHz PCM16
    g711,    // a G.711 call's bytes pass straight through (other codecs still convert)
};

// The audio the Realtime session takes and gives on one call.
enum class session_audio { pcm24k, pcmu, pcma };

// The GA session's audio format type for it: "audio/pcm" (at 24000), "audio/pcmu",
// "audio/pcma".
std::string_view realtime_format_type(session_audio format);
// Bytes of one millisecond of it: 48 for PCM16 at 24 kHz, 8 for G.711.
std::size_t session_bytes_per_ms(session_audio format);

class phone_audio_bridge {
public:
    static result<phone_audio_bridge> create(const phone_audio_format& from_caller,
                                             const phone_audio_format& to_caller,
                                             phone_audio_mode mode = phone_audio_mode::convert);

    // What the session is to be told it takes and gives (the same both ways).
    session_audio session_format() const { return session_; }

    // The caller's payload in the session's format, appended to for_session.
    void from_caller(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& for_session);
    // One lost 20 ms frame of the caller's, concealed in the session's format: the last frame
    // again at half its level (the ear takes a short repeat for continuity), silence after a
    // second loss in a row.
    void conceal_frame(std::vector<std::uint8_t>& for_session);

    // DONNA's audio in the session's format, queued for the caller in the call's codec.
    void to_caller(std::span<const std::uint8_t> session_audio_bytes);
    // A line the relay synthesised itself (24 kHz PCM16), queued for the caller.
    void speak(std::span<const std::int16_t> pcm24k);
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
    phone_audio_bridge(phone_decoder decoder, phone_encoder encoder, resampler up, resampler down,
                       session_audio session);
    bool passes_through() const { return session_ != session_audio::pcm24k; }
    void queue_resampled(const std::vector<float>& samples);
    std::size_t frame_samples() const;

    phone_decoder decoder_;
    phone_encoder encoder_;
    resampler up_;   // caller's rate -> 24 kHz
    resampler down_; // 24 kHz -> the reply's rate
    session_audio session_;
    std::vector<std::int16_t> decoded_;
    std::vector<float> scratch_in_, scratch_out_;
    std::vector<std::uint8_t> scratch_bytes_;
    std::vector<std::uint8_t> last_frame_; // the caller's last frame for the session
    int losses_in_a_row_ = 0;
    // DONNA's audio not yet framed: samples at the reply's rate when converting (encoded a
    // frame at a time, so that a clear never leaves G.722's state ahead of what was sent),
    // the session's G.711 bytes when passing through.
    std::deque<std::int16_t> outbound_;
    std::deque<std::uint8_t> outbound_bytes_;
};

} // namespace donna::relay
