// browser.cpp: the JavaScript behind browser.hpp (EM_JS), and nothing else.
#include "platform/browser.hpp"

#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>

// clang-format off
EM_JS(int, donna_js_page_width, (), { return window.innerWidth | 0; });
EM_JS(int, donna_js_page_height, (), { return window.innerHeight | 0; });
EM_JS(void, donna_js_mark_first_frame, (), { window.donnaFirstFrameMs = performance.now(); });
EM_JS(void, donna_js_mark_ready, (), { document.body.dataset.donnaReady = "1"; });
EM_JS(int, donna_js_wants_every_refresh, (), {
    return new URLSearchParams(location.search).get("pacing") === "0" ? 1 : 0;
});
EM_JS(void, donna_js_report_frames, (double drawn, double skipped), {
    var stats = window.donnaStats || (window.donnaStats = {});
    stats.framesDrawn = drawn;
    stats.framesSkipped = skipped;
});
EM_JS(void, donna_js_module_ready, (), { window.donnaBridge.moduleReady(Module); });
EM_JS(void, donna_js_show_failure, (const char* message), {
    var text = UTF8ToString(message);
    if (typeof window.donnaShowFailure === "function") window.donnaShowFailure(text);
    else console.error(text);
});
// clang-format on

namespace donna::platform {

page_size current_page_size()
{
    return {.width = donna_js_page_width(), .height = donna_js_page_height()};
}

void fit_window_to_page(GLFWwindow* window)
{
    const page_size page = current_page_size();
    if (page.width <= 0 || page.height <= 0)
        return; // hidden or zero-sized page: keep the last size
    int width = 0;
    int height = 0;
    glfwGetWindowSize(window, &width, &height);
    if (width != page.width || height != page.height)
        glfwSetWindowSize(window, page.width, page.height);
}

void mark_first_frame()
{
    donna_js_mark_first_frame();
}

void mark_page_ready()
{
    donna_js_mark_ready();
}

bool page_wants_every_refresh()
{
    return donna_js_wants_every_refresh() != 0;
}

void report_frames(double drawn, double skipped)
{
    donna_js_report_frames(drawn, skipped);
}

void announce_module_ready()
{
    donna_js_module_ready();
}

void show_page_failure(const char* message)
{
    donna_js_show_failure(message);
}

} // namespace donna::platform
