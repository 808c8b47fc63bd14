// status_bar.hpp: the connection state (a coloured dot and a sentence) and the persona picker.
#pragma once

#include "client/voice_client.hpp"

namespace donna::ui {

void status_bar(client::voice_client& client);

} // namespace donna::ui
