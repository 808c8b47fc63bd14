// main_window.cpp: lays out the panels in one window over the whole canvas.
#include "ui/main_window.hpp"

#include "ui/chat_panel.hpp"
#include "ui/level_meter.hpp"
#include "ui/persona_combo.hpp"

#include <imgui.h>

#include <string_view>

namespace donna::ui {
namespace {

const ImVec4 muted_color{0.75f, 0.75f, 0.55f, 1.0f};

void connection_line(const std::optional<connection_state>& connection)
{
    if (!connection) {
        ImGui::TextColored(muted_color, "Not connected yet");
        ImGui::TextWrapped("The relay client arrives in a later release; nothing you do here "
                           "leaves this page.");
        return;
    }
    const std::string_view name = to_string(*connection);
    ImGui::Text("Relay: %.*s", static_cast<int>(name.size()), name.data());
}

} // namespace

void main_window(client::app_state& state)
{
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    constexpr ImGuiWindowFlags flags =
        ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    if (ImGui::Begin("DONNA", nullptr, flags)) {
        connection_line(state.connection);
        ImGui::Separator();
        persona_combo("Persona", state.selected_persona);
        level_meter(state.mic_level, state.turn.threshold);
        ImGui::Separator();
        chat_panel(state.draft, state.connection == connection_state::connected);
    }
    ImGui::End();
}

} // namespace donna::ui
