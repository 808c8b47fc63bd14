// main_window.hpp: the whole client in one window over the canvas: status and persona on top,
// error banners, the chat, the voice controls and the message line at the bottom. Reads
// well from widget size (380 x 600) to a full page.
#pragma once

#include "app/app_state.hpp"

namespace donna::ui {

void main_window(client::app_state& state);

} // namespace donna::ui
