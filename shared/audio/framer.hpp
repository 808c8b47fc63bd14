// framer.hpp: cuts a stream of samples into fixed 20 ms frames (Opus, the turn detector
// and the wire all work in whole frames), carrying the remainder across calls.
//
//   donna::framer f(donna::frame_samples(24000));      // 480 samples
//   f.push(chunk, [&](std::span<const float> frame) { encoder.encode(frame, packet); });
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace donna {

constexpr int frame_ms = 20;

// Samples in one frame of `ms` milliseconds at `sample_rate` (48000 -> 960 for 20 ms).
constexpr std::size_t frame_samples(int sample_rate, int ms = frame_ms) noexcept
{
    return static_cast<std::size_t>(sample_rate) * static_cast<std::size_t>(ms) / 1000;
}

class framer {
public:
    explicit framer(std::size_t frame_size) : frame_size_(frame_size == 0 ? 1 : frame_size)
    {
        pending_.reserve(frame_size_);
    }

    // Calls on_frame(std::span<const float>) once per completed frame, in order. Whole
    // frames inside `in` are passed straight through without copying.
    template <class OnFrame>
    void push(std::span<const float> in, OnFrame&& on_frame)
    {
        if (!pending_.empty()) {
            const std::size_t take = std::min(frame_size_ - pending_.size(), in.size());
            pending_.insert(pending_.end(), in.begin(),
                            in.begin() + static_cast<std::ptrdiff_t>(take));
            in = in.subspan(take);
            if (pending_.size() < frame_size_)
                return;
            on_frame(std::span<const float>(pending_));
            pending_.clear();
        }
        while (in.size() >= frame_size_) {
            on_frame(in.first(frame_size_));
            in = in.subspan(frame_size_);
        }
        pending_.assign(in.begin(), in.end());
    }

    std::size_t frame_size() const noexcept { return frame_size_; }
    std::size_t pending() const noexcept { return pending_.size(); }
    void reset() noexcept { pending_.clear(); }

private:
    std::size_t frame_size_;
    std::vector<float> pending_;
};

} // namespace donna
