// error_banners.cpp
#include "ui/error_banners.hpp"

#include <imgui.h>

namespace donna::ui {

void error_banners(client::voice_client& client)
{
    const auto& errors = client.chat().errors();
    std::size_t dismissed = errors.size();
    for (std::size_t i = 0; i < errors.size(); ++i) {
        ImGui::PushID(static_cast<int>(i));
        ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.45f, 0.12f, 0.12f, 1.0f));
        const float close_width = ImGui::CalcTextSize("x").x + ImGui::GetStyle().FramePadding.x * 2;
        const float wrap =
            ImGui::GetContentRegionAvail().x - close_width - ImGui::GetStyle().ItemSpacing.x * 3;
        const float height =
            ImGui::CalcTextSize(errors[i].message.c_str(), nullptr, false, wrap).y +
            ImGui::GetStyle().WindowPadding.y * 2;
        if (ImGui::BeginChild("banner", ImVec2(0, height), false,
                              ImGuiWindowFlags_NoScrollbar |
                                  ImGuiWindowFlags_AlwaysUseWindowPadding)) {
            ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
            ImGui::TextUnformatted(errors[i].message.c_str());
            ImGui::PopTextWrapPos();
            ImGui::SameLine(ImGui::GetContentRegionMax().x - close_width);
            if (ImGui::SmallButton("x"))
                dismissed = i;
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("Dismiss (%s)", errors[i].code.c_str());
        }
        ImGui::EndChild();
        ImGui::PopStyleColor();
        ImGui::PopID();
    }
    if (dismissed < errors.size())
        client.dismiss_error(dismissed);
}

} // namespace donna::ui
