// frame_pacer.cpp: the draw-or-skip decision of each display refresh.
#include "client/frame_pacer.hpp"

namespace donna::client {
namespace {

// Refreshes come at the display's rate (16.7 ms at 60 Hz), rarely exactly on a rate's
// interval: a frame this early still counts as on time, so 30 fps is every second refresh
// rather than every third.
constexpr double refresh_slack_seconds = 0.004;
// Drawn before any pacing, so the page sees its first frames at once.
constexpr std::uint64_t frames_always_drawn = 3;

} // namespace

ui_look look_of(const voice_client& client)
{
    return {.link = client.link(),
            .mic = client.mic(),
            .mode = client.mode(),
            .current_persona = client.current_persona(),
            .talking = client.talking(),
            .in_speech = client.in_speech(),
            .donna_speaking = client.donna_speaking(),
            .chat_revision = client.chat().revision()};
}

ui_activity activity_of(const voice_client& client)
{
    if (client.donna_speaking())
        return ui_activity::moving;
    if (client.mic() == mic_state::on)
        return ui_activity::listening;
    return ui_activity::idle;
}

void frame_pacer::input(double now_seconds)
{
    last_input_ = now_seconds;
}

bool frame_pacer::due(double now_seconds, const ui_look& look, ui_activity activity)
{
    bool draw = rates_.every_refresh || drawn_ < frames_always_drawn || look != last_look_ ||
                activity == ui_activity::moving ||
                now_seconds - last_input_ < rates_.input_hold_seconds;
    if (!draw) {
        const double fps =
            activity == ui_activity::listening ? rates_.listening_fps : rates_.idle_fps;
        draw = fps > 0 && now_seconds - last_drawn_ >= 1.0 / fps - refresh_slack_seconds;
    }
    if (!draw) {
        ++skipped_;
        return false;
    }
    ++drawn_;
    last_drawn_ = now_seconds;
    last_look_ = look;
    return true;
}

} // namespace donna::client
