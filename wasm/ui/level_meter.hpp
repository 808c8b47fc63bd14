// level_meter.hpp: the microphone's activation (0..1) as a bar, the detector's threshold as a
// line across it, and the speech state in words.
#pragma once

namespace donna::ui {

void level_meter(float level, float threshold, bool in_speech, bool active);

} // namespace donna::ui
