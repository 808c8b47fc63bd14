// turn_detector.cpp: energy-over-adaptive-noise-floor voice activity and turn detection.
//
// Per sample: a one-pole high-pass removes DC (cheap microphones and some browser pipelines
// add an offset that would otherwise read as constant energy) and the squares are summed.
// Per 10 ms frame (a few dozen operations):
//   1. frame energy in dBFS;
//   2. adaptive noise floor by minimum statistics: speech energy keeps dipping between
//      syllables and words, so the minimum of the (slightly smoothed) frame energy over the
//      last ~1.25 s sits on the background noise whether or not someone is talking. The floor
//      follows that minimum down at once (a quieter room is believed immediately) but up at
//      a bounded 6 dB/s, and not at all during the first 3 s of a turn, so a long vowel or a
//      breathless sentence cannot lift the floor into the speech it should be measured
//      against. The freeze is bounded because a stationary noise that steps up by more than
//      the threshold would otherwise hold the detector in "speech" forever.
//      The floor is first learnt from the first frame that is not digital silence.
//   3. activation = SNR over the floor mapped linearly from 0 dB -> 0 to 24 dB -> 1, so the
//      default threshold 0.5 asks for 12 dB; frames under -65 dBFS are never speech (nothing
//      a microphone picks up from a talker is that quiet, and the SNR of near-silence is noise);
//   4. turn state with hysteresis: speech starts after 2 consecutive frames over the
//      threshold (one loud click is not speech), continues while frames stay over 80% of it,
//      and stops after silence_duration_ms of frames below that.
#include "turn/turn_detector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace donna {
namespace {

constexpr double highpass_hz = 80.0;       // below the lowest voice fundamentals (~85 Hz)
constexpr float silence_db = -100.0f;      // what digital silence reads as
constexpr double silence_energy = 1e-10;   // = silence_db as a mean square
constexpr float gate_db = -65.0f;          // frames quieter than this are never speech
constexpr float full_scale_snr_db = 24.0f; // SNR that maps to activation 1
constexpr int start_frames = 2;            // consecutive frames over threshold to start
constexpr float hold_ratio = 0.8f;         // hold threshold = 80% of the start threshold
constexpr double smoothing = 0.8;          // per-frame energy smoothing (~45 ms time constant)
constexpr int block_frames = 25;           // 5 blocks x 250 ms = 1.25 s minimum window
constexpr float rise_db_per_frame = 0.06f; // 6 dB/s
constexpr int max_freeze_frames = 300;     // floor frozen for at most 3 s of continuous speech
constexpr float no_minimum_db = 1000.0f;   // empty block in the minimum ring

constexpr std::array<int, 5> supported_rates = {8000, 16000, 24000, 44100, 48000};

std::string format_float(float value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", static_cast<double>(value));
    return text;
}

float to_db(double mean_square)
{
    return static_cast<float>(10.0 * std::log10(std::max(mean_square, silence_energy)));
}

} // namespace

const char* to_string(turn_event_kind kind) noexcept
{
    switch (kind) {
    case turn_event_kind::speech_started:
        return "speech_started";
    case turn_event_kind::speech_stopped:
        return "speech_stopped";
    }
    return "unknown";
}

status turn_detector::validate(const turn_config& config)
{
    // Written so that NaN fails too.
    if (!(config.threshold >= 0.0f && config.threshold <= 1.0f))
        return make_error(errc::invalid_argument, "turn_config.threshold must be in [0, 1], got " +
                                                      format_float(config.threshold));
    if (config.prefix_padding_ms < 0)
        return make_error(errc::invalid_argument,
                          "turn_config.prefix_padding_ms must be >= 0, got " +
                              std::to_string(config.prefix_padding_ms));
    if (config.silence_duration_ms < 0)
        return make_error(errc::invalid_argument,
                          "turn_config.silence_duration_ms must be >= 0, got " +
                              std::to_string(config.silence_duration_ms));
    return ok();
}

result<turn_detector> turn_detector::create(int sample_rate, const turn_config& config)
{
    if (std::find(supported_rates.begin(), supported_rates.end(), sample_rate) ==
        supported_rates.end())
        return make_error(errc::invalid_argument,
                          "turn_detector sample rate must be 8000, 16000, 24000, 44100 or "
                          "48000 Hz, got " +
                              std::to_string(sample_rate));
    if (auto valid = validate(config); !valid)
        return valid.error();
    return turn_detector(sample_rate, config);
}

turn_detector::turn_detector(int sample_rate, const turn_config& config)
    : sample_rate_(sample_rate),
      frame_samples_(static_cast<std::int64_t>(sample_rate) * frame_ms / 1000),
      hp_coeff_(static_cast<float>(
          std::exp(-2.0 * 3.14159265358979323846 * highpass_hz / static_cast<double>(sample_rate))))
{
    apply(config);
    reset();
}

void turn_detector::apply(const turn_config& config)
{
    config_ = config;
    start_threshold_ = config.threshold;
    hold_threshold_ = config.threshold * hold_ratio;
    const std::int64_t ms = config.silence_duration_ms;
    silence_frames_ = static_cast<int>(std::max<std::int64_t>(1, (ms + frame_ms - 1) / frame_ms));
    prefix_samples_ = static_cast<std::int64_t>(config.prefix_padding_ms) * sample_rate_ / 1000;
}

status turn_detector::reconfigure(const turn_config& config)
{
    if (auto valid = validate(config); !valid)
        return valid;
    apply(config);
    return ok();
}

void turn_detector::reset() noexcept
{
    hp_prev_in_ = 0.0f;
    hp_prev_out_ = 0.0f;
    frame_energy_ = 0.0;
    frame_fill_ = 0;
    frames_ = 0;

    floor_ready_ = false;
    smoothed_energy_ = 0.0;
    block_min_db_.fill(no_minimum_db);
    block_index_ = 0;
    block_fill_ = 0;
    current_block_min_db_ = no_minimum_db;

    in_speech_ = false;
    run_active_ = false;
    run_start_ = 0;
    frames_over_start_ = 0;
    silent_frames_ = 0;
    speech_frames_ = 0;
    last_voiced_end_ = 0;
    turn_audio_start_ = 0;

    level_ = 0.0f;
    level_db_ = silence_db;
    floor_db_ = gate_db;
}

void turn_detector::process(std::span<const float> samples, std::vector<turn_event>& events)
{
    for (const float raw : samples) {
        const float x = std::isfinite(raw) ? raw : 0.0f;
        // y[n] = a * (y[n-1] + x[n] - x[n-1]): unity gain at high frequencies, zero at DC.
        float y = hp_coeff_ * (hp_prev_out_ + x - hp_prev_in_);
        // After a loud sound the state decays through denormals in digital silence, which
        // are very slow on x86; nothing below 1e-20 (-400 dBFS) matters.
        if (std::fabs(y) < 1e-20f)
            y = 0.0f;
        hp_prev_in_ = x;
        hp_prev_out_ = y;
        frame_energy_ += static_cast<double>(y) * static_cast<double>(y);
        if (++frame_fill_ == frame_samples_)
            end_frame(events);
    }
}

void turn_detector::end_frame(std::vector<turn_event>& events)
{
    const double mean_square = frame_energy_ / static_cast<double>(frame_samples_);
    const std::int64_t frame_start = frames_ * frame_samples_;
    frame_energy_ = 0.0;
    frame_fill_ = 0;
    ++frames_;

    update_floor(mean_square);
    level_db_ = to_db(mean_square);
    float activation = 0.0f;
    if (level_db_ >= gate_db)
        activation = std::clamp((level_db_ - floor_db_) / full_scale_snr_db, 0.0f, 1.0f);
    level_ = activation;
    update_turn(activation, frame_start, events);
}

void turn_detector::update_floor(double mean_square)
{
    // Digital silence before the first real frame is a microphone that has not started (or
    // is muted): it says nothing about the room. Learning the floor from it would put the
    // floor at the gate, and the room's ordinary noise arriving a moment later would read
    // as seconds of speech.
    if (!floor_ready_ && mean_square <= silence_energy)
        return;
    // Smoothing before taking the minimum keeps single quiet frames (white noise over 80-480
    // samples varies by +-1 dB) from biasing the floor low.
    smoothed_energy_ =
        floor_ready_ ? smoothing * smoothed_energy_ + (1.0 - smoothing) * mean_square : mean_square;
    const float smoothed_db = to_db(smoothed_energy_);

    current_block_min_db_ = std::min(current_block_min_db_, smoothed_db);
    float window_min_db = current_block_min_db_;
    for (const float block_min : block_min_db_)
        window_min_db = std::min(window_min_db, block_min);
    if (++block_fill_ == block_frames) {
        block_min_db_[static_cast<std::size_t>(block_index_)] = current_block_min_db_;
        block_index_ = (block_index_ + 1) % min_blocks;
        block_fill_ = 0;
        current_block_min_db_ = no_minimum_db;
    }

    // Below the gate the floor would only inflate the SNR of frames that are gated anyway,
    // or of the first frames after digital silence (a muted or starting microphone).
    const float target_db = std::max(window_min_db, gate_db);
    if (!floor_ready_ || target_db <= floor_db_) {
        floor_db_ = target_db;
    } else if (!in_speech_ || speech_frames_ >= max_freeze_frames) {
        floor_db_ = std::min(target_db, floor_db_ + rise_db_per_frame);
    }
    floor_ready_ = true;
}

void turn_detector::update_turn(float activation, std::int64_t frame_start,
                                std::vector<turn_event>& events)
{
    const std::int64_t frame_end = frame_start + frame_samples_;
    const bool voiced = activation > hold_threshold_;

    if (in_speech_) {
        if (speech_frames_ < max_freeze_frames)
            ++speech_frames_;
        if (voiced) {
            last_voiced_end_ = frame_end;
            silent_frames_ = 0;
        } else if (++silent_frames_ >= silence_frames_) {
            events.push_back(
                {turn_event_kind::speech_stopped, last_voiced_end_, turn_audio_start_});
            in_speech_ = false;
            run_active_ = false;
            frames_over_start_ = 0;
        }
        return;
    }

    // Before speech: remember where the current run of voiced frames began, so the onset is
    // reported at the first (softer) frame rather than where the threshold was crossed.
    if (!voiced) {
        run_active_ = false;
        frames_over_start_ = 0;
        return;
    }
    if (!run_active_) {
        run_active_ = true;
        run_start_ = frame_start;
    }
    frames_over_start_ = activation > start_threshold_ ? frames_over_start_ + 1 : 0;
    if (frames_over_start_ < start_frames)
        return;

    in_speech_ = true;
    speech_frames_ = 0;
    silent_frames_ = 0;
    last_voiced_end_ = frame_end;
    turn_audio_start_ = std::max<std::int64_t>(0, run_start_ - prefix_samples_);
    events.push_back({turn_event_kind::speech_started, run_start_, turn_audio_start_});
}

} // namespace donna
