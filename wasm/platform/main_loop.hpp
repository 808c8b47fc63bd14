// main_loop.hpp: runs the client's frame function once per display refresh. The one place
// that knows the browser owns the loop, so main() stays plain (after Dear ImGui's own
// Emscripten main-loop stub).
//
//   auto frame = [&] { draw(); return true; };   // false ends the loop
//   donna::platform::run_main_loop(frame);       // in the browser: never returns
//
// In the browser the loop runs on requestAnimationFrame, and main() is unwound without
// running destructors (emscripten_set_main_loop_arg with simulate_infinite_loop): its locals
// stay allocated and valid, so `frame` may capture them by reference. Natively it is a
// plain loop that returns when frame() returns false.
#pragma once

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#endif

namespace donna::platform {

template <class Frame>
void run_main_loop(Frame& frame)
{
#ifdef __EMSCRIPTEN__
    emscripten_set_main_loop_arg(
        [](void* arg) {
            if (!(*static_cast<Frame*>(arg))())
                emscripten_cancel_main_loop();
        },
        &frame, 0 /* requestAnimationFrame */, true /* simulate_infinite_loop */);
#else
    while (frame()) {
    }
#endif
}

} // namespace donna::platform
