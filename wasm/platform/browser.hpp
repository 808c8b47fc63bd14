// browser.hpp: what the client needs from the page around it (web/index.html, web/boot.js):
// the page's size, a "ready" flag tests wait for, and the page's failure message.
//
//   fit_window_to_page(window);            // each frame, before the UI's NewFrame
//   if (++frames == 3) mark_page_ready();   // document.body.dataset.donnaReady = "1"
//
// Sizes are CSS pixels: the canvas is drawn 1:1 in CSS pixels (no devicePixelRatio scaling
// yet, so text is soft on HiDPI screens). Main thread only.
#pragma once

struct GLFWwindow;

namespace donna::platform {

struct page_size {
    int width = 0;  // window.innerWidth
    int height = 0; // window.innerHeight
};

page_size current_page_size();

// Resizes the GLFW window (and so the canvas's drawing buffer) to the page's size when they
// differ; the canvas's CSS size is the stylesheet's (the whole viewport).
void fit_window_to_page(GLFWwindow* window);

// Sets window.donnaFirstFrameMs = performance.now() (navigation to first frame, measured).
void mark_first_frame();

// Sets document.body.dataset.donnaReady = "1": the first frames are on screen.
void mark_page_ready();

// The page option pacing=0 (a URL parameter): draw at every display refresh, unpaced.
bool page_wants_every_refresh();

// Sets window.donnaStats.framesDrawn / framesSkipped (the frame pacer's counts; the
// benchmark reads them).
void report_frames(double drawn, double skipped);

// Tells web/bridge.js that the module's exports are callable (window.donnaBridge.moduleReady()).
void announce_module_ready();

// Shows `message` in the page's failure box (web/boot.js) in place of the canvas.
void show_page_failure(const char* message);

} // namespace donna::platform
