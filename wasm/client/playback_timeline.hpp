// playback_timeline.hpp: which of DONNA's audio items the visitor is hearing, and how far
// into it, so that a barge-in can tell the server exactly how much was really heard
// (conversation.item.truncate's audio_end_ms), as OpenAI's own console does.
//
// Positions are in samples of the playback stream at the output rate: queued() advances the
// end of what was handed to the playback worklet, the worklet reports the total it has
// actually played, and a flush drops everything not played yet.
//
//   playback_timeline timeline(48000);
//   timeline.queued("item_1", 960);                  // after each decoded chunk is queued
//   ...
//   if (auto cut = timeline.cut_at(played_now))      // the worklet's count at the flush
//       send_truncate(cut->item_id, cut->audio_end_ms);
//   timeline.dropped_after(played_now);
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace donna::client {

struct truncate_point {
    std::string item_id = {};
    std::int64_t audio_end_ms = 0; // audio of the item heard before the cut
};

class playback_timeline {
public:
    explicit playback_timeline(int sample_rate) : sample_rate_(sample_rate > 0 ? sample_rate : 1) {}

    // `samples` of item `item_id` were appended to the playback queue.
    void queued(std::string_view item_id, std::uint64_t samples);
    // The item playing when the worklet had played `played` samples in total, and how many
    // milliseconds of it had been heard; nullopt when nothing queued was still unplayed.
    std::optional<truncate_point> cut_at(std::uint64_t played) const;
    // The queue was flushed when `played` samples had been played: the rest never will be.
    void dropped_after(std::uint64_t played);
    // True while queued audio has not all been played.
    bool audible(std::uint64_t played) const noexcept { return played < end_; }
    std::uint64_t queued_end() const noexcept { return end_; }

private:
    struct item_span {
        std::string item_id;
        std::uint64_t start = 0; // stream position of the item's first sample
        std::uint64_t end = 0;   // one past its last queued sample
    };
    int sample_rate_;
    std::uint64_t end_ = 0;
    std::deque<item_span> items_;
};

} // namespace donna::client
