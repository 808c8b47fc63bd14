// turn_detector.hpp: streaming voice-activity and turn detection with the knobs of OpenAI's
// server VAD (threshold, prefix_padding_ms, silence_duration_ms), run on the client so the
// UI can show the level and the turn state the moment they change.
//
// Feed it microphone samples in blocks of any size; it cuts them into 10 ms frames, measures
// each frame's energy against an adaptive noise floor and reports where speech started and
// stopped, as sample positions in the whole stream (time is passed in as samples, never read
// from a clock).
//
//   auto vad = donna::turn_detector::create(48000, {.threshold = 0.5f});
//   if (!vad) return log(vad.error().message);
//   std::vector<donna::turn_event> events;           // reserve once: process() then
//   events.reserve(8);                                // never allocates
//   events.clear();
//   vad->process(mic_block, events);                  // appends 0..n events
//   for (const auto& e : events)
//       if (e.kind == donna::turn_event_kind::speech_started) send_from(e.audio_start_sample);
//   meter.draw(vad->level(), vad->level_db(), vad->noise_floor_db());
//
// Not thread-safe: one detector belongs to one audio stream and one thread.
#pragma once

#include "core/error.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace donna {

// The live knobs, with OpenAI server VAD's defaults and meanings.
struct turn_config {
    // 0..1, higher needs louder speech. Compared with level(): a frame is speech when its
    // activation exceeds the threshold, so 1.0 never detects anything and 0.0 takes any
    // frame above the noise floor (and above the absolute -65 dBFS gate) as speech.
    float threshold = 0.5f;
    // Audio kept before the detected onset, reported as turn_event::audio_start_sample.
    int prefix_padding_ms = 300;
    // Non-speech that must follow the last voiced frame before the turn ends. espeak-ng and
    // people pause ~160 ms at a comma and ~300 ms at a full stop; 500 ms bridges both.
    int silence_duration_ms = 500;
};

enum class turn_event_kind {
    speech_started,
    speech_stopped,
};

// "speech_started" / "speech_stopped".
const char* to_string(turn_event_kind kind) noexcept;

struct turn_event {
    turn_event_kind kind = turn_event_kind::speech_started;
    // speech_started: where speech began, i.e. the start of the first voiced frame of the run
    //   that triggered detection (not the later moment the event is emitted, which is the end
    //   of the second frame over the threshold, typically 20-50 ms later).
    // speech_stopped: the end of the last voiced frame; the event is emitted once
    //   silence_duration_ms of non-speech has followed it, i.e. at sample + that duration.
    std::int64_t sample = 0;
    // speech_started: sample minus prefix_padding_ms, clamped at 0 (the stream's start).
    // speech_stopped: the same value as the speech_started of this turn, so a stop alone
    //   names the whole turn [audio_start_sample, sample).
    std::int64_t audio_start_sample = 0;

    friend bool operator==(const turn_event&, const turn_event&) = default;
};

class turn_detector {
public:
    // Frames are this long at every rate (all supported rates are multiples of 100 Hz).
    static constexpr int frame_ms = 10;

    // sample_rate must be 8000, 16000, 24000, 44100 or 48000; the config must pass validate().
    // Fails with errc::invalid_argument and a message naming the offending value.
    static result<turn_detector> create(int sample_rate, const turn_config& config = {});

    // Checks a config without applying it: threshold in [0, 1] (not NaN), durations >= 0.
    static status validate(const turn_config& config);

    // Changes the knobs live, from the next frame on; the stream position, noise floor and
    // turn state are kept. If the new silence_duration_ms is already exceeded by the silence
    // in progress, speech_stopped comes at the next frame. An invalid config is rejected
    // (errc::invalid_argument) and the old one stays.
    status reconfigure(const turn_config& config);

    // Consumes any number of samples (partial frames carry over to the next call, so a stream
    // cut into chunks of any sizes gives the same events as the whole stream) and appends the
    // events they complete to `events`. Non-finite samples count as 0. O(1) per sample, no
    // allocation except when `events` has to grow.
    void process(std::span<const float> samples, std::vector<turn_event>& events);

    // Forgets the stream (position back to 0, floor re-learnt, not in speech); keeps the config.
    // Call it when the input restarts (new device, unmute after sending zeros): a floor
    // learnt from silence would otherwise take the room's noise for a few seconds of speech.
    void reset() noexcept;

    bool in_speech() const noexcept { return in_speech_; }
    // Activation of the latest complete frame, 0..1 on the same scale as threshold:
    // 0 dB above the noise floor -> 0, 24 dB or more -> 1; 0 below the -65 dBFS gate.
    float level() const noexcept { return level_; }
    // Energy of the latest complete frame after DC removal, dBFS (-100 for digital silence).
    float level_db() const noexcept { return level_db_; }
    // The current noise floor estimate, dBFS (never below the -65 dBFS gate). Learnt from the
    // first frame that is not digital silence (a starting microphone's zeros are skipped),
    // then follows the quietest recent audio down at once and up at 6 dB/s.
    float noise_floor_db() const noexcept { return floor_db_; }

    int sample_rate() const noexcept { return sample_rate_; }
    const turn_config& config() const noexcept { return config_; }
    // Samples consumed since creation or reset().
    std::int64_t position() const noexcept { return frames_ * frame_samples_ + frame_fill_; }

private:
    // Minimum statistics: the floor is the minimum of the smoothed frame energy over the last
    // min_blocks * block_frames frames, kept as per-block minima in a ring (O(1) per frame).
    static constexpr int min_blocks = 5;

    turn_detector(int sample_rate, const turn_config& config);
    void apply(const turn_config& config);
    void end_frame(std::vector<turn_event>& events);
    void update_floor(double frame_energy);
    void update_turn(float activation, std::int64_t frame_start, std::vector<turn_event>& events);

    // configuration and values derived from it
    int sample_rate_ = 0;
    turn_config config_;
    std::int64_t frame_samples_ = 0;
    float hp_coeff_ = 0.0f;        // one-pole DC-blocking high-pass
    float start_threshold_ = 0.5f; // activation must exceed this to start speech
    float hold_threshold_ = 0.4f;  // ... and this to count as voiced (hysteresis)
    int silence_frames_ = 50;      // frames below hold_threshold that end a turn
    std::int64_t prefix_samples_ = 0;

    // per-sample state
    float hp_prev_in_ = 0.0f;
    float hp_prev_out_ = 0.0f;
    double frame_energy_ = 0.0;   // sum of squares of the frame so far
    std::int64_t frame_fill_ = 0; // samples in the current partial frame
    std::int64_t frames_ = 0;     // complete frames so far

    // noise floor state
    bool floor_ready_ = false;
    double smoothed_energy_ = 0.0; // mean square, one-pole smoothed across frames
    std::array<float, min_blocks> block_min_db_{};
    int block_index_ = 0;
    int block_fill_ = 0;
    float current_block_min_db_ = 0.0f;

    // turn state
    bool in_speech_ = false;
    bool run_active_ = false;    // inside a run of voiced frames (before speech)
    std::int64_t run_start_ = 0; // first sample of that run
    int frames_over_start_ = 0;  // consecutive frames over start_threshold
    int silent_frames_ = 0;      // consecutive unvoiced frames while in speech
    int speech_frames_ = 0;      // frames since speech started (caps the floor freeze)
    std::int64_t last_voiced_end_ = 0;
    std::int64_t turn_audio_start_ = 0;

    // live values for the UI
    float level_ = 0.0f;
    float level_db_ = -100.0f;
    float floor_db_ = -65.0f;
};

} // namespace donna
