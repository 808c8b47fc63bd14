// error_banners.hpp: the latest errors (error events' human messages, microphone problems,
// refused sessions), each with a close button.
#pragma once

#include "client/voice_client.hpp"

namespace donna::ui {

void error_banners(client::voice_client& client);

} // namespace donna::ui
