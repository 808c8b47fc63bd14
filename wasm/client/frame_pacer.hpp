// frame_pacer.hpp: how often the UI is drawn. At every display refresh while something on
// screen moves (the visitor's input, chat text arriving, DONNA speaking, any state the UI
// shows changing); at the level meter's rate while the microphone is live; a few frames a
// second otherwise, for the caret's blink. Drawing sixty identical frames a second was the
// client's largest cost (with software WebGL more than all the audio work together), and it
// runs on the main thread that also carries the capture path.
//
//   frame_pacer pacer;
//   on_input:        pacer.input(now);                              // GLFW callbacks
//   each refresh:    if (!pacer.due(now, look_of(client), activity)) return; // skip the frame
//
// A skipped refresh issues no WebGL calls, so the page keeps showing the last frame.
#pragma once

#include "client/voice_client.hpp"

#include <cstdint>

namespace donna::client {

struct frame_rates {
    double listening_fps = 30;       // the level meter's rate while the microphone is on
    double idle_fps = 8;             // nothing moving: enough for the caret's blink
    double input_hold_seconds = 1.0; // full rate this long after the visitor's last input
    bool every_refresh = false;      // no pacing at all (the page option pacing=0)
};

// How lively the screen is, from the client's state: moving beats listening beats idle.
enum class ui_activity { idle, listening, moving };

// What the UI shows of the client, in one comparable value: a change is drawn at once.
struct ui_look {
    link_state link = link_state::idle;
    mic_state mic = mic_state::off;
    talk_mode mode = talk_mode::hands_free;
    persona current_persona = persona::general;
    bool talking = false;
    bool in_speech = false;
    bool donna_speaking = false;
    std::size_t chat_revision = 0;
    bool operator==(const ui_look&) const = default;
};

ui_look look_of(const voice_client& client);
// DONNA speaking moves the screen (her transcript grows); a live microphone is listening.
ui_activity activity_of(const voice_client& client);

class frame_pacer {
public:
    explicit frame_pacer(frame_rates rates = {}) : rates_(rates) {}

    // The visitor did something (key, pointer, wheel, focus, resize): draw at full rate.
    void input(double now_seconds);
    // Whether to draw at this refresh; a true answer counts as drawn. The first frames after
    // start are always drawn (the page waits for them).
    bool due(double now_seconds, const ui_look& look, ui_activity activity);

    std::uint64_t drawn() const noexcept { return drawn_; }
    std::uint64_t skipped() const noexcept { return skipped_; }

private:
    frame_rates rates_;
    double last_input_ = -1e9;
    double last_drawn_ = -1e9;
    ui_look last_look_{};
    std::uint64_t drawn_ = 0;
    std::uint64_t skipped_ = 0;
};

} // namespace donna::client
