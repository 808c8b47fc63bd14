// chat_panel.hpp: the transcript of both sides (streaming lines grow as deltas arrive) and
// the message line. Enter sends; the draft is kept when it could not be sent.
#pragma once

#include "app/app_state.hpp"

namespace donna::ui {

// Fills the height left after reserving `reserve_below` pixels under it.
void chat_transcript(client::app_state& state, float reserve_below);
void chat_input(client::app_state& state);

} // namespace donna::ui
