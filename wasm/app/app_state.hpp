// app_state.hpp: what the UI draws: the voice_client (connection, microphone, chat) plus the
// few things only the UI keeps (the draft being typed, the settings being edited). Owned by
// main(); the UI (ui/) reads it and calls the client's actions.
#pragma once

#include "client/voice_client.hpp"

#include <array>
#include <cstddef>

namespace donna::client {

struct app_state {
    explicit app_state(voice_client& c) : client(c), editing(c.turn()) {}

    voice_client& client;
    // The chat input line (NUL-terminated, ImGui edits it in place). Cleared only once sent.
    std::array<char, 1024> draft{};
    // The turn settings as the sliders show them; applied when a slider is released.
    turn_config editing;
    // The transcript revision last drawn: a change scrolls the chat to its end.
    std::size_t drawn_revision = 0;
    // Put the keyboard in the chat input (at start and after sending).
    bool focus_draft = true;
};

} // namespace donna::client
