// imgui_renderer.hpp: draws Dear ImGui's frames on the page's WebGL2 context. It takes the
// place of ImGui's OpenGL3 backend, which saves and restores about twenty pieces of GL state
// around every frame: in WebGL eight of those reads (viewport, scissor box, blend functions
// and equations) are synchronous round trips to the GPU process, each one stalling the main
// thread for milliseconds with a software renderer, and the shader checks add four more at
// start. The client owns its context and nothing else draws on it, so this renderer sets
// the state it needs and restores nothing; at start it asks the GPU process once, whether the
// program linked.
//
//   auto renderer = imgui_renderer::create();   // after ImGui::CreateContext, context current
//   if (!renderer) fail(renderer.error().message);
//   ...
//   ImGui::Render();
//   renderer->render(*ImGui::GetDrawData());
#pragma once

#include "core/error.hpp"

#include <memory>

struct ImDrawData;

namespace donna::platform {

class imgui_renderer {
public:
    // Builds the shader program, the buffers and ImGui's font texture on the current context,
    // and tells ImGui which renderer it has.
    static result<std::unique_ptr<imgui_renderer>> create();
    ~imgui_renderer();
    imgui_renderer(const imgui_renderer&) = delete;
    imgui_renderer& operator=(const imgui_renderer&) = delete;

    // Draws one frame's lists over whatever is in the framebuffer (the caller clears it).
    void render(const ImDrawData& data);

private:
    imgui_renderer() = default;

    unsigned program_ = 0;
    unsigned vertex_array_ = 0;
    unsigned vertex_buffer_ = 0;
    unsigned index_buffer_ = 0;
    unsigned font_texture_ = 0;
    int projection_location_ = -1;
};

} // namespace donna::platform
