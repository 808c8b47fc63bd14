// chat_panel.cpp: transcript area above a one-line input with a Send button.
#include "ui/chat_panel.hpp"

#include <imgui.h>

namespace donna::ui {

void chat_panel(std::span<char> draft, bool connected)
{
    const ImGuiStyle& style = ImGui::GetStyle();
    const float input_row = ImGui::GetFrameHeightWithSpacing();
    if (ImGui::BeginChild("transcript", ImVec2(0.0f, -input_row), true))
        ImGui::TextDisabled("No messages yet.");
    ImGui::EndChild();

    ImGui::BeginDisabled(!connected);
    const float send_width = ImGui::CalcTextSize("Send").x + style.FramePadding.x * 2.0f;
    ImGui::SetNextItemWidth(-(send_width + style.ItemSpacing.x));
    ImGui::InputTextWithHint("##draft", connected ? "Type a message" : "Chat needs a connection",
                             draft.data(), draft.size());
    ImGui::SameLine();
    ImGui::Button("Send"); // sending arrives with the relay client
    ImGui::EndDisabled();
}

} // namespace donna::ui
