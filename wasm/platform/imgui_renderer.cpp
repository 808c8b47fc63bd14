// imgui_renderer.cpp
#include "platform/imgui_renderer.hpp"

#include <GLES3/gl3.h>
#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace donna::platform {
namespace {

// Attribute locations are fixed in the shader, so none has to be looked up.
constexpr GLuint position_attribute = 0;
constexpr GLuint uv_attribute = 1;
constexpr GLuint color_attribute = 2;

constexpr const char* vertex_shader_source = R"(#version 300 es
precision highp float;
layout(location = 0) in vec2 position;
layout(location = 1) in vec2 uv;
layout(location = 2) in vec4 color;
uniform mat4 projection;
out vec2 frag_uv;
out vec4 frag_color;
void main()
{
    frag_uv = uv;
    frag_color = color;
    gl_Position = projection * vec4(position, 0.0, 1.0);
}
)";

constexpr const char* fragment_shader_source = R"(#version 300 es
precision mediump float;
uniform sampler2D font;
in vec2 frag_uv;
in vec4 frag_color;
layout(location = 0) out vec4 out_color;
void main()
{
    out_color = frag_color * texture(font, frag_uv);
}
)";

// GL takes an offset into the bound buffer as a pointer (a GLES 2 legacy), and ImGui names a
// texture by a pointer: the two integer-to-pointer casts the APIs make us write.
const void* buffer_offset(std::size_t bytes)
{
    return reinterpret_cast<const void*>(bytes); // NOLINT(performance-no-int-to-ptr): GL's API
}

ImTextureID texture_id(GLuint texture)
{
    // NOLINTNEXTLINE(performance-no-int-to-ptr): ImGui's API
    return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(texture));
}

GLuint compile(GLenum kind, const char* source)
{
    const GLuint shader = glCreateShader(kind);
    glShaderSource(shader, 1, &source, nullptr);
    glCompileShader(shader);
    return shader;
}

// Asked only when the program did not link: each query is a round trip.
std::string shader_log(GLuint shader)
{
    GLint compiled = GL_FALSE;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &compiled);
    if (compiled == GL_TRUE)
        return {};
    GLchar log[1024] = {};
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    return log;
}

template <class T>
GLsizeiptr bytes_of(const ImVector<T>& items)
{
    return static_cast<GLsizeiptr>(items.size_in_bytes());
}

error build_failed(std::string what)
{
    return error{errc::invalid_argument,
                 "the UI's WebGL2 shaders did not build: " + std::move(what)};
}

} // namespace

result<std::unique_ptr<imgui_renderer>> imgui_renderer::create()
{
    std::unique_ptr<imgui_renderer> r(new imgui_renderer());

    const GLuint vertex_shader = compile(GL_VERTEX_SHADER, vertex_shader_source);
    const GLuint fragment_shader = compile(GL_FRAGMENT_SHADER, fragment_shader_source);
    r->program_ = glCreateProgram();
    glAttachShader(r->program_, vertex_shader);
    glAttachShader(r->program_, fragment_shader);
    glLinkProgram(r->program_);
    GLint linked = GL_FALSE;
    glGetProgramiv(r->program_, GL_LINK_STATUS, &linked);
    if (linked != GL_TRUE) {
        std::string why = shader_log(vertex_shader) + shader_log(fragment_shader);
        if (why.empty()) {
            GLchar log[1024] = {};
            glGetProgramInfoLog(r->program_, sizeof log, nullptr, log);
            why = log;
        }
        glDeleteShader(vertex_shader);
        glDeleteShader(fragment_shader);
        return build_failed(why.empty() ? "no reason given" : why);
    }
    // The program keeps what it linked; the shader objects are no longer needed.
    glDetachShader(r->program_, vertex_shader);
    glDetachShader(r->program_, fragment_shader);
    glDeleteShader(vertex_shader);
    glDeleteShader(fragment_shader);
    r->projection_location_ = glGetUniformLocation(r->program_, "projection");
    glUseProgram(r->program_);
    glUniform1i(glGetUniformLocation(r->program_, "font"), 0);

    glGenVertexArrays(1, &r->vertex_array_);
    glGenBuffers(1, &r->vertex_buffer_);
    glGenBuffers(1, &r->index_buffer_);
    glBindVertexArray(r->vertex_array_);
    glBindBuffer(GL_ARRAY_BUFFER, r->vertex_buffer_);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, r->index_buffer_); // recorded in the vertex array
    glEnableVertexAttribArray(position_attribute);
    glEnableVertexAttribArray(uv_attribute);
    glEnableVertexAttribArray(color_attribute);
    constexpr auto stride = static_cast<GLsizei>(sizeof(ImDrawVert));
    glVertexAttribPointer(position_attribute, 2, GL_FLOAT, GL_FALSE, stride,
                          buffer_offset(offsetof(ImDrawVert, pos)));
    glVertexAttribPointer(uv_attribute, 2, GL_FLOAT, GL_FALSE, stride,
                          buffer_offset(offsetof(ImDrawVert, uv)));
    glVertexAttribPointer(color_attribute, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride,
                          buffer_offset(offsetof(ImDrawVert, col)));

    ImGuiIO& io = ImGui::GetIO();
    unsigned char* pixels = nullptr;
    int width = 0;
    int height = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
    glGenTextures(1, &r->font_texture_);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, r->font_texture_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    io.Fonts->SetTexID(texture_id(r->font_texture_));
    io.BackendRendererName = "donna_webgl2";
    return r;
}

imgui_renderer::~imgui_renderer()
{
    ImGui::GetIO().Fonts->SetTexID(nullptr);
    glDeleteTextures(1, &font_texture_);
    glDeleteBuffers(1, &index_buffer_);
    glDeleteBuffers(1, &vertex_buffer_);
    glDeleteVertexArrays(1, &vertex_array_);
    glDeleteProgram(program_);
}

void imgui_renderer::render(const ImDrawData& data)
{
    const ImVec2 scale = data.FramebufferScale;
    const int fb_width = static_cast<int>(data.DisplaySize.x * scale.x);
    const int fb_height = static_cast<int>(data.DisplaySize.y * scale.y);
    if (fb_width <= 0 || fb_height <= 0)
        return;

    // Straight alpha blending over the cleared background; a scissor per command.
    glEnable(GL_BLEND);
    glBlendEquation(GL_FUNC_ADD);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDisable(GL_CULL_FACE);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_STENCIL_TEST);
    glEnable(GL_SCISSOR_TEST);
    glViewport(0, 0, fb_width, fb_height);

    // ImGui's coordinates (origin at DisplayPos, y down) to clip space.
    const float left = data.DisplayPos.x;
    const float right = data.DisplayPos.x + data.DisplaySize.x;
    const float top = data.DisplayPos.y;
    const float bottom = data.DisplayPos.y + data.DisplaySize.y;
    // Column-major orthographic projection, laid out as the matrix reads.
    // clang-format off
    const float projection[16] = {
        2.0f / (right - left),           0.0f,                            0.0f,  0.0f,
        0.0f,                            2.0f / (top - bottom),           0.0f,  0.0f,
        0.0f,                            0.0f,                            -1.0f, 0.0f,
        (right + left) / (left - right), (top + bottom) / (bottom - top), 0.0f,  1.0f};
    // clang-format on
    glUseProgram(program_);
    glUniformMatrix4fv(projection_location_, 1, GL_FALSE, projection);
    glBindVertexArray(vertex_array_);
    glBindBuffer(GL_ARRAY_BUFFER, vertex_buffer_);
    glActiveTexture(GL_TEXTURE0);

    const ImVec2 clip_offset = data.DisplayPos;
    for (int n = 0; n < data.CmdListsCount; ++n) {
        const ImDrawList& list = *data.CmdLists[n];
        glBufferData(GL_ARRAY_BUFFER, bytes_of(list.VtxBuffer), list.VtxBuffer.Data,
                     GL_STREAM_DRAW);
        glBufferData(GL_ELEMENT_ARRAY_BUFFER, bytes_of(list.IdxBuffer), list.IdxBuffer.Data,
                     GL_STREAM_DRAW);
        for (const ImDrawCmd& command : list.CmdBuffer) {
            if (command.UserCallback != nullptr) {
                // The client's UI adds no callbacks; ImGui's own reset marker needs nothing
                // here because no state was changed behind this renderer's back.
                if (command.UserCallback != ImDrawCallback_ResetRenderState)
                    command.UserCallback(&list, &command);
                continue;
            }
            const float min_x = (command.ClipRect.x - clip_offset.x) * scale.x;
            const float min_y = (command.ClipRect.y - clip_offset.y) * scale.y;
            const float max_x = (command.ClipRect.z - clip_offset.x) * scale.x;
            const float max_y = (command.ClipRect.w - clip_offset.y) * scale.y;
            if (max_x <= min_x || max_y <= min_y)
                continue;
            // GL's scissor origin is the bottom left.
            glScissor(static_cast<GLint>(min_x),
                      static_cast<GLint>(static_cast<float>(fb_height) - max_y),
                      static_cast<GLsizei>(max_x - min_x), static_cast<GLsizei>(max_y - min_y));
            glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(
                                             reinterpret_cast<std::uintptr_t>(command.GetTexID())));
            glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(command.ElemCount),
                           sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT,
                           buffer_offset(command.IdxOffset * sizeof(ImDrawIdx)));
        }
    }
    // Left for the next frame's glClear to cover the whole canvas.
    glDisable(GL_SCISSOR_TEST);
}

} // namespace donna::platform
