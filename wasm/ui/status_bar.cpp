// status_bar.cpp
#include "ui/status_bar.hpp"

#include "ui/persona_combo.hpp"

#include <imgui.h>

namespace donna::ui {
namespace {

struct link_look {
    ImVec4 color;
    const char* text;
};

link_look look_of(client::link_state s)
{
    switch (s) {
    case client::link_state::idle:
        return {{0.6f, 0.6f, 0.6f, 1}, "Starting"};
    case client::link_state::fetching_token:
    case client::link_state::connecting:
        return {{0.9f, 0.75f, 0.2f, 1}, "Connecting"};
    case client::link_state::connected:
        return {{0.3f, 0.85f, 0.4f, 1}, "Connected"};
    case client::link_state::waiting_to_retry:
        return {{0.95f, 0.55f, 0.2f, 1}, "Reconnecting"};
    case client::link_state::failed:
        return {{0.95f, 0.3f, 0.3f, 1}, "Unavailable"};
    }
    return {{0.6f, 0.6f, 0.6f, 1}, ""};
}

} // namespace

void status_bar(client::voice_client& client)
{
    const auto look = look_of(client.link());
    ImGui::TextColored(ImVec4(0.95f, 0.95f, 0.95f, 1), "DONNA");
    ImGui::SameLine();
    ImGui::TextColored(look.color, "* %s", look.text);
    persona current = client.current_persona();
    const float combo_width = ImGui::CalcTextSize("receptionist").x + ImGui::GetFrameHeight() * 2;
    ImGui::SameLine(ImGui::GetContentRegionMax().x - combo_width);
    ImGui::SetNextItemWidth(combo_width);
    if (persona_combo("##persona", current))
        client.set_persona(current);
    if (!client.link_detail().empty())
        ImGui::TextWrapped("%s", client.link_detail().c_str());
}

} // namespace donna::ui
