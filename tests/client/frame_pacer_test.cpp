// The frame pacer (wasm/client/frame_pacer): which display refreshes draw the UI.
#include "client/frame_pacer.hpp"

#include <gtest/gtest.h>

namespace donna::client {
namespace {

constexpr double refresh = 1.0 / 60; // a 60 Hz display

// Draws among `count` refreshes from `start` with the same look and activity.
int draws(frame_pacer& pacer, double start, int count, ui_activity activity,
          const ui_look& look = {})
{
    int drawn = 0;
    for (int i = 0; i < count; ++i)
        drawn += pacer.due(start + i * refresh, look, activity) ? 1 : 0;
    return drawn;
}

TEST(FramePacer, TheFirstThreeRefreshesAreDrawnWhateverTheActivity)
{
    frame_pacer pacer;
    EXPECT_EQ(draws(pacer, 0, 3, ui_activity::idle), 3);
    EXPECT_FALSE(pacer.due(3 * refresh, {}, ui_activity::idle));
}

TEST(FramePacer, AnIdleScreenIsDrawnEighthRefreshOnly)
{
    frame_pacer pacer;
    draws(pacer, 0, 3, ui_activity::idle);
    // 8 fps on a 60 Hz display: every 8th refresh (7 would be 117 ms, under 125 ms).
    EXPECT_EQ(draws(pacer, 10, 240, ui_activity::idle), 30);
    EXPECT_EQ(pacer.drawn(), 33U);
    EXPECT_EQ(pacer.skipped(), 210U);
}

TEST(FramePacer, WhileListeningEverySecondRefreshIsDrawnForTheLevelMeter)
{
    frame_pacer pacer;
    draws(pacer, 0, 3, ui_activity::idle);
    EXPECT_EQ(draws(pacer, 10, 60, ui_activity::listening), 30);
}

TEST(FramePacer, WhileDonnaSpeaksEveryRefreshIsDrawn)
{
    frame_pacer pacer;
    draws(pacer, 0, 3, ui_activity::idle);
    EXPECT_EQ(draws(pacer, 10, 60, ui_activity::moving), 60);
}

TEST(FramePacer, InputDrawsEveryRefreshForOneSecondThenTheScreenSlowsDown)
{
    frame_pacer pacer;
    draws(pacer, 0, 3, ui_activity::idle);
    pacer.input(10);
    EXPECT_EQ(draws(pacer, 10, 60, ui_activity::idle), 60); // 10.000 .. 10.983
    EXPECT_EQ(draws(pacer, 11, 60, ui_activity::idle), 7);  // past the hold: every 8th again
}

TEST(FramePacer, ALookThatChangedIsDrawnAtTheNextRefresh)
{
    frame_pacer pacer;
    draws(pacer, 0, 3, ui_activity::idle);
    EXPECT_TRUE(pacer.due(10, {}, ui_activity::idle)); // the idle interval is over
    EXPECT_FALSE(pacer.due(10 + refresh, {}, ui_activity::idle));
    ui_look look;
    look.chat_revision = 1; // a chat delta arrived
    EXPECT_TRUE(pacer.due(10 + 2 * refresh, look, ui_activity::idle));
    EXPECT_FALSE(pacer.due(10 + 3 * refresh, look, ui_activity::idle));
    look.mic = mic_state::on;
    EXPECT_TRUE(pacer.due(10 + 4 * refresh, look, ui_activity::idle));
}

TEST(FramePacer, WithoutPacingEveryRefreshIsDrawn)
{
    frame_pacer pacer({.every_refresh = true});
    EXPECT_EQ(draws(pacer, 10, 60, ui_activity::idle), 60);
    EXPECT_EQ(pacer.skipped(), 0U);
}

TEST(FramePacer, ARateOfZeroDrawsOnlyWhatChanges)
{
    frame_pacer pacer(
        {.listening_fps = 0, .idle_fps = 0, .input_hold_seconds = 0, .every_refresh = false});
    draws(pacer, 0, 3, ui_activity::idle);
    EXPECT_EQ(draws(pacer, 10, 600, ui_activity::idle), 0);
    EXPECT_TRUE(pacer.due(20, {.link = link_state::connected}, ui_activity::idle));
}

} // namespace
} // namespace donna::client
