// resampler.hpp: band-limited streaming sample-rate conversion between the rates DONNA
// meets (48000, 44100, 24000, 16000 Hz; any pair of positive rates whose ratio reduces to
// a small fraction works).
//
// A polyphase windowed-sinc filter (Kaiser window, about 80 dB stop band): the pass band
// runs to 90% of the lower Nyquist frequency and everything above that Nyquist is
// suppressed before it can alias. State carries across calls, so a stream cut into
// arbitrary chunks resamples exactly as if it came in one piece.
//
//   auto r = donna::resampler::create(48000, 24000);
//   std::vector<float> out;
//   r->process(mic_chunk, out);          // appends; reuse `out` to avoid allocations
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace donna {

class resampler {
public:
    // Fails with errc::invalid_argument for non-positive rates or a ratio that would need
    // an unreasonably large filter bank (reduced numerator above 1024).
    static result<resampler> create(int in_rate, int out_rate);

    // Appends the output that `in` completes to `out`. Allocates only when `out` grows.
    void process(std::span<const float> in, std::vector<float>& out);

    // Appends the tail still inside the filter (its delay worth of output), as if the
    // stream ended in silence. The resampler is reset afterwards.
    void flush(std::vector<float>& out);

    // Forgets all history: the next sample starts a new stream.
    void reset();

    int in_rate() const noexcept { return in_rate_; }
    int out_rate() const noexcept { return out_rate_; }
    // Group delay of the filter: output sample n represents input time n/out_rate - delay.
    double delay_seconds() const noexcept { return delay_seconds_; }
    std::size_t taps_per_phase() const noexcept { return taps_; }

private:
    resampler() = default;

    int in_rate_ = 0;
    int out_rate_ = 0;
    std::int64_t up_ = 1;   // L: interpolation factor
    std::int64_t down_ = 1; // M: decimation factor
    std::size_t taps_ = 0;  // taps per polyphase branch
    double delay_seconds_ = 0;
    std::vector<float> bank_;        // up_ branches of taps_ coefficients, time-reversed
    std::vector<float> history_;     // input from stream index history_start_ onwards
    std::int64_t history_start_ = 0; // stream index of history_[0]
    std::int64_t next_output_ = 0;   // index of the next output sample
};

} // namespace donna
