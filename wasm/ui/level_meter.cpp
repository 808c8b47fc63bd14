// level_meter.cpp: a full-width ProgressBar plus a vertical threshold line.
#include "ui/level_meter.hpp"

#include <imgui.h>

#include <algorithm>
#include <cfloat>

namespace donna::ui {

void level_meter(float level, float threshold, bool in_speech, bool active)
{
    const float shown_level = std::clamp(level, 0.0f, 1.0f);
    const float shown_threshold = std::clamp(threshold, 0.0f, 1.0f);
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, in_speech ? ImVec4(0.3f, 0.85f, 0.4f, 1.0f)
                                                            : ImVec4(0.45f, 0.55f, 0.7f, 1.0f));
    ImGui::ProgressBar(shown_level, ImVec2(-FLT_MIN, ImGui::GetTextLineHeight()), "");
    ImGui::PopStyleColor();
    const ImVec2 bar_min = ImGui::GetItemRectMin();
    const ImVec2 bar_max = ImGui::GetItemRectMax();
    const float x = bar_min.x + (bar_max.x - bar_min.x) * shown_threshold;
    ImGui::GetWindowDrawList()->AddLine(ImVec2(x, bar_min.y - 2.0f), ImVec2(x, bar_max.y + 2.0f),
                                        IM_COL32(240, 200, 60, 255), 2.0f);
    if (!active)
        ImGui::TextDisabled("Microphone off");
    else if (in_speech)
        ImGui::TextColored(ImVec4(0.3f, 0.85f, 0.4f, 1.0f), "Speech");
    else
        ImGui::TextDisabled("Listening");
}

} // namespace donna::ui
