// level_meter.cpp: a full-width ProgressBar plus a vertical threshold line.
#include "ui/level_meter.hpp"

#include <imgui.h>

#include <algorithm>
#include <cfloat>

namespace donna::ui {

void level_meter(float level, float threshold)
{
    const float shown_level = std::clamp(level, 0.0f, 1.0f);
    const float shown_threshold = std::clamp(threshold, 0.0f, 1.0f);

    ImGui::TextUnformatted("Microphone");
    ImGui::ProgressBar(shown_level, ImVec2(-FLT_MIN, 0.0f), "");
    const ImVec2 bar_min = ImGui::GetItemRectMin();
    const ImVec2 bar_max = ImGui::GetItemRectMax();
    const float x = bar_min.x + (bar_max.x - bar_min.x) * shown_threshold;
    ImGui::GetWindowDrawList()->AddLine(ImVec2(x, bar_min.y - 2.0f), ImVec2(x, bar_max.y + 2.0f),
                                        ImGui::GetColorU32(ImGuiCol_PlotHistogramHovered), 2.0f);
    ImGui::TextDisabled("off (no microphone yet), threshold %.2f",
                        static_cast<double>(shown_threshold));
}

} // namespace donna::ui
