// level_meter.hpp: the microphone level as a bar, with the turn detector's threshold marked
// on it, on the scale of turn_detector::level() and turn_config::threshold (both 0..1).
//
//   donna::ui::level_meter(vad.level(), config.threshold);
#pragma once

namespace donna::ui {

// Values outside 0..1 are clamped for drawing.
void level_meter(float level, float threshold);

} // namespace donna::ui
