// main_window.cpp: lays out the panels in one window over the whole canvas.
#include "ui/main_window.hpp"

#include "ui/chat_panel.hpp"
#include "ui/error_banners.hpp"
#include "ui/status_bar.hpp"
#include "ui/voice_panel.hpp"

#include <imgui.h>

namespace donna::ui {

void main_window(client::app_state& state)
{
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    constexpr ImGuiWindowFlags flags =
        ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
        ImGuiWindowFlags_NoTitleBar;
    if (ImGui::Begin("DONNA", nullptr, flags)) {
        status_bar(state.client);
        error_banners(state.client);
        ImGui::Separator();
        // The chat takes what the voice panel and the message line leave.
        const float below = ImGui::GetStyle().ItemSpacing.y +
                            voice_panel_height(state.client.mode()) + ImGui::GetFrameHeight();
        chat_transcript(state, below);
        voice_panel(state);
        chat_input(state);
    }
    ImGui::End();
}

} // namespace donna::ui
