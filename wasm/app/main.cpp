// main.cpp: the browser client's entry point: a GLFW window on the page's #canvas, Dear ImGui
// on WebGL2 (platform/imgui_renderer), and one UI frame per display refresh. Owns the window,
// the ImGui context, the voice_client with its browser_io, and the app_state the UI draws;
// then tells web/bridge.js the module is ready (it applies the page's options and connects).
#include "app/app_state.hpp"
#include "client/frame_pacer.hpp"
#include "client/voice_client.hpp"
#include "platform/browser.hpp"
#include "platform/browser_io.hpp"
#include "platform/imgui_renderer.hpp"
#include "platform/main_loop.hpp"
#include "platform/page_exports.hpp"
#include "ui/main_window.hpp"

#define GLFW_INCLUDE_ES3
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>

namespace {

// Frames drawn before the page is told the client is ready (tests wait for it).
constexpr int frames_before_ready = 3;
// Headless browsers under virtual time can give two frames the same timestamp, and ImGui
// asserts on a zero DeltaTime.
constexpr float min_delta_time = 1.0f / 1000.0f;
const ImVec4 clear_color{0.06f, 0.07f, 0.08f, 1.0f};

void on_glfw_error(int code, const char* description)
{
    std::fprintf(stderr, "GLFW error %d: %s\n", code, description);
}

// The visitor's input wakes the pacer. Installed before Dear ImGui's own callbacks, which
// call these after theirs (ImGui_ImplGlfw chains to the callbacks it found).
donna::client::frame_pacer pacer;

void woken()
{
    pacer.input(glfwGetTime());
}

void watch_input(GLFWwindow* window)
{
    glfwSetCursorPosCallback(window, [](GLFWwindow*, double, double) { woken(); });
    glfwSetMouseButtonCallback(window, [](GLFWwindow*, int, int, int) { woken(); });
    glfwSetScrollCallback(window, [](GLFWwindow*, double, double) { woken(); });
    glfwSetKeyCallback(window, [](GLFWwindow*, int, int, int, int) { woken(); });
    glfwSetCharCallback(window, [](GLFWwindow*, unsigned int) { woken(); });
    glfwSetWindowFocusCallback(window, [](GLFWwindow*, int) { woken(); });
    glfwSetCursorEnterCallback(window, [](GLFWwindow*, int) { woken(); });
    glfwSetWindowSizeCallback(window, [](GLFWwindow*, int, int) { woken(); });
}

} // namespace

int main()
{
    glfwSetErrorCallback(on_glfw_error);
    if (glfwInit() != GLFW_TRUE) {
        donna::platform::show_page_failure("The window system (GLFW) could not start.");
        return 1;
    }
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    // An opaque, flat UI: no alpha, depth or stencil buffers behind the canvas.
    glfwWindowHint(GLFW_ALPHA_BITS, 0);
    glfwWindowHint(GLFW_DEPTH_BITS, 0);
    glfwWindowHint(GLFW_STENCIL_BITS, 0);
    const donna::platform::page_size page = donna::platform::current_page_size();
    GLFWwindow* window = glfwCreateWindow(std::max(page.width, 1), std::max(page.height, 1),
                                          "DONNA", nullptr, nullptr);
    if (window == nullptr) {
        donna::platform::show_page_failure("No WebGL2 context could be created for the page.");
        return 1;
    }
    glfwMakeContextCurrent(window);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // no files in the browser; the layout is fixed anyway
    // Tab moves between the controls, Enter or Space presses the focused one.
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    ImGui::StyleColorsDark();
    pacer =
        donna::client::frame_pacer({.every_refresh = donna::platform::page_wants_every_refresh()});
    watch_input(window);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    auto created = donna::platform::imgui_renderer::create();
    if (!created) {
        donna::platform::show_page_failure(created.error().message.c_str());
        return 1;
    }
    std::unique_ptr<donna::platform::imgui_renderer> renderer = std::move(*created);

    // The client and its io refer to each other (io is built first and only stores the
    // reference). Static: JavaScript callbacks hold their addresses for the page's lifetime.
    static struct wiring {
        donna::platform::browser_io io;
        donna::client::voice_client client;
        wiring() : io(client), client(io) {}
    } parts;
    donna::platform::bind(parts.client);
    donna::client::app_state state(parts.client);
    donna::platform::announce_module_ready();
    int frames_drawn = 0;

    auto frame = [&] {
        glfwPollEvents();
        donna::platform::fit_window_to_page(window);
        // Most refreshes draw nothing new: skip them (the page keeps the last frame).
        if (!pacer.due(glfwGetTime(), donna::client::look_of(parts.client),
                       donna::client::activity_of(parts.client)))
            return true;

        ImGui_ImplGlfw_NewFrame();
        io.DeltaTime = std::max(io.DeltaTime, min_delta_time);
        ImGui::NewFrame();
        donna::ui::main_window(state);
        ImGui::Render();

        int width = 0;
        int height = 0;
        glfwGetFramebufferSize(window, &width, &height);
        glViewport(0, 0, width, height);
        glClearColor(clear_color.x, clear_color.y, clear_color.z, clear_color.w);
        glClear(GL_COLOR_BUFFER_BIT);
        renderer->render(*ImGui::GetDrawData());
        glfwSwapBuffers(window);
        donna::platform::report_frames(static_cast<double>(pacer.drawn()),
                                       static_cast<double>(pacer.skipped()));

        if (frames_drawn < frames_before_ready) {
            if (++frames_drawn == 1)
                donna::platform::mark_first_frame();
            if (frames_drawn == frames_before_ready)
                donna::platform::mark_page_ready();
        }
        return true;
    };
    donna::platform::run_main_loop(frame);

    // Reached only where the loop can end (never in the browser).
    renderer.reset();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return 0;
}
