// audio_budget.cpp: token bucket arithmetic and the base64 length estimate.
#include "realtime/audio_budget.hpp"

#include <algorithm>

namespace donna::relay {

audio_budget::audio_budget(int seconds_per_session, int seconds_per_minute)
    : per_session_(seconds_per_session),
      per_minute_(seconds_per_minute),
      bucket_(seconds_per_minute)
{}

audio_budget::verdict audio_budget::admit(double seconds, std::chrono::steady_clock::time_point now)
{
    if (started_) {
        const double elapsed = std::chrono::duration<double>(now - last_refill_).count();
        bucket_ = std::min(per_minute_, bucket_ + elapsed * per_minute_ / 60.0);
    }
    started_ = true;
    last_refill_ = now;
    if (used_ + seconds > per_session_)
        return {false, "this session has used its " +
                           std::to_string(static_cast<int>(per_session_)) +
                           " seconds of audio; start a new session to continue"};
    if (seconds > bucket_)
        return {false, "audio is arriving faster than " +
                           std::to_string(static_cast<int>(per_minute_)) +
                           " seconds per minute; audio above the limit was dropped"};
    bucket_ -= seconds;
    used_ += seconds;
    return {true, {}};
}

double pcm16_seconds_in_append(std::string_view append_json)
{
    constexpr std::string_view key = "\"audio\"";
    const auto at = append_json.find(key);
    if (at == std::string_view::npos)
        return 0;
    const auto open = append_json.find('"', at + key.size());
    if (open == std::string_view::npos)
        return 0;
    const auto close = append_json.find('"', open + 1);
    if (close == std::string_view::npos)
        return 0;
    auto length = close - open - 1;
    std::size_t padding = 0;
    while (padding < 2 && length > padding && append_json[close - 1 - padding] == '=')
        ++padding;
    const auto bytes = length / 4 * 3 - padding;
    return static_cast<double>(bytes) / (2.0 * 24000.0);
}

} // namespace donna::relay
