// main_window.hpp: the client's one window, filling the canvas: connection state, persona,
// microphone level and chat. Draws app_state and writes the user's choices back into it.
//
//   ImGui::NewFrame();
//   donna::ui::main_window(state);
//   ImGui::Render();
#pragma once

#include "app/app_state.hpp"

namespace donna::ui {

void main_window(client::app_state& state);

} // namespace donna::ui
