// audio_budget.hpp: how much client audio a session may send: a total per session and a rate
// per minute (a token bucket: bursts up to the per-minute amount, refilled continuously).
// Realtime speech is 60 s per minute at most, so the default 75 leaves room for jitter and
// catches a client streaming a file faster than real time.
//
//   audio_budget budget(1800, 75);
//   auto v = budget.admit(0.1, std::chrono::steady_clock::now());
//   if (!v.admitted) send_error("donna_audio_limit", v.message);
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace donna::relay {

class audio_budget {
public:
    struct verdict {
        bool admitted = true;
        std::string message; // why not, for people
    };

    audio_budget(int seconds_per_session, int seconds_per_minute);
    verdict admit(double seconds, std::chrono::steady_clock::time_point now);
    double used_seconds() const { return used_; }

private:
    double per_session_, per_minute_;
    double used_ = 0;
    double bucket_;
    std::chrono::steady_clock::time_point last_refill_{};
    bool started_ = false;
};

// Seconds of PCM16 mono 24 kHz audio in an input_audio_buffer.append event, from the length
// of its base64 "audio" string (no decode, no DOM: this runs for every audio message).
double pcm16_seconds_in_append(std::string_view append_json);

} // namespace donna::relay
