// chat_panel.cpp
#include "ui/chat_panel.hpp"

#include <imgui.h>

#include <cstring>

namespace donna::ui {
namespace {

const ImVec4 visitor_color{0.55f, 0.78f, 1.0f, 1.0f};
const ImVec4 donna_color{0.55f, 0.95f, 0.65f, 1.0f};
const ImVec4 notice_color{0.7f, 0.7f, 0.7f, 1.0f};

void draw_line(const client::transcript_line& line)
{
    switch (line.who) {
    case client::speaker::visitor:
        ImGui::TextColored(visitor_color, "You");
        break;
    case client::speaker::donna:
        ImGui::TextColored(donna_color, "DONNA");
        break;
    case client::speaker::notice:
        break;
    }
    if (line.who == client::speaker::notice) {
        ImGui::PushStyleColor(ImGuiCol_Text, notice_color);
        ImGui::TextWrapped("%s", line.text.c_str());
        ImGui::PopStyleColor();
    } else {
        ImGui::SameLine();
        ImGui::TextWrapped("%s%s%s", line.text.c_str(), line.streaming ? " ..." : "",
                           line.interrupted ? "  (interrupted)" : "");
    }
}

} // namespace

void chat_transcript(client::app_state& state, float reserve_below)
{
    const auto& chat = state.client.chat();
    if (ImGui::BeginChild("transcript", ImVec2(0.0f, -reserve_below), true)) {
        if (chat.lines().empty())
            ImGui::TextDisabled("Say hello, or type a message below.");
        for (const auto& line : chat.lines())
            draw_line(line);
        if (state.drawn_revision != chat.revision()) {
            state.drawn_revision = chat.revision();
            ImGui::SetScrollHereY(1.0f);
        }
    }
    ImGui::EndChild();
}

void chat_input(client::app_state& state)
{
    const ImGuiStyle& style = ImGui::GetStyle();
    const bool connected = state.client.link() == client::link_state::connected;
    const float send_width = ImGui::CalcTextSize("Send").x + style.FramePadding.x * 2.0f;
    ImGui::SetNextItemWidth(-(send_width + style.ItemSpacing.x));
    if (state.focus_draft) {
        ImGui::SetKeyboardFocusHere();
        state.focus_draft = false;
    }
    const bool entered = ImGui::InputTextWithHint(
        "##draft", connected ? "Type a message and press Enter" : "Type a message (connecting...)",
        state.draft.data(), state.draft.size(), ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    const bool clicked = ImGui::Button("Send");
    if ((entered || clicked) && state.draft[0] != '\0') {
        if (state.client.send_text(std::string(state.draft.data())))
            state.draft.fill('\0');
        state.focus_draft = true; // keep typing without reaching for the mouse
    }
}

} // namespace donna::ui
