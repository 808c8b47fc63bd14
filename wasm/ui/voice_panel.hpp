// voice_panel.hpp: the microphone switch, hands-free or push-to-talk, the talk button (or
// hold Space while not typing), the level meter with the detector's threshold, whether DONNA
// is speaking, and the turn settings (threshold, prefix padding, silence duration), which
// apply to the client's detector and to the server's turn detection alike.
#pragma once

#include "app/app_state.hpp"

namespace donna::ui {

// The panel's height, so the chat above it can take the rest.
float voice_panel_height(client::talk_mode mode);
void voice_panel(client::app_state& state);

} // namespace donna::ui
