// chat_panel.hpp: the conversation (empty until there is a relay client) and the message
// input, which stays disabled while there is no connection.
//
//   donna::ui::chat_panel(state.draft, state.connection == donna::connection_state::connected);
#pragma once

#include <span>

namespace donna::ui {

// `draft` is the input line's NUL-terminated buffer, edited in place when enabled.
void chat_panel(std::span<char> draft, bool connected);

} // namespace donna::ui
