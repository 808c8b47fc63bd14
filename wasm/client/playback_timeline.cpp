// playback_timeline.cpp
#include "client/playback_timeline.hpp"

#include <algorithm>

namespace donna::client {
namespace {
// Spans kept for items long finished: enough to answer for anything still in the queue.
constexpr std::size_t max_items = 64;
} // namespace

void playback_timeline::queued(std::string_view item_id, std::uint64_t samples)
{
    if (samples == 0)
        return;
    if (items_.empty() || items_.back().item_id != item_id || items_.back().end != end_) {
        items_.push_back({.item_id = std::string(item_id), .start = end_, .end = end_});
        while (items_.size() > max_items)
            items_.pop_front();
    }
    end_ += samples;
    items_.back().end = end_;
}

std::optional<truncate_point> playback_timeline::cut_at(std::uint64_t played) const
{
    if (played >= end_)
        return std::nullopt; // everything queued was heard: nothing to cut
    const auto it = std::find_if(items_.begin(), items_.end(), [&](const item_span& s) {
        return played >= s.start && played < s.end;
    });
    if (it == items_.end())
        return std::nullopt;
    const std::uint64_t heard = played - it->start;
    return truncate_point{
        .item_id = it->item_id,
        .audio_end_ms =
            static_cast<std::int64_t>(heard * 1000 / static_cast<std::uint64_t>(sample_rate_)),
    };
}

void playback_timeline::dropped_after(std::uint64_t played)
{
    while (!items_.empty() && items_.back().start >= played)
        items_.pop_back();
    if (!items_.empty())
        items_.back().end = std::min(items_.back().end, played);
    // What is queued next starts where the worklet's count stands now.
    end_ = played;
}

} // namespace donna::client
