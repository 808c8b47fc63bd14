// app_state.hpp: everything the client's UI shows or edits, in one struct owned by main().
// The UI (ui/) draws it and writes the user's choices back into it; the parts that talk to
// the relay and the microphone (a later release) fill it in. Nothing here does I/O.
#pragma once

#include "protocol/donna_events.hpp"
#include "turn/turn_detector.hpp"

#include <array>
#include <optional>

namespace donna::client {

struct app_state {
    // The relay connection as last reported; nullopt until a relay client exists.
    std::optional<connection_state> connection;

    // The assistant's role, chosen in the persona combo.
    persona selected_persona = persona::general;

    // Microphone activation, 0..1 (turn_detector::level()); 0 while there is no microphone.
    float mic_level = 0.0f;
    // The turn detector's knobs; the level meter marks turn.threshold.
    turn_config turn{};

    // The chat input line (NUL-terminated, ImGui edits it in place).
    std::array<char, 1024> draft{};
};

} // namespace donna::client
