// voice_panel.cpp
#include "ui/voice_panel.hpp"

#include "ui/level_meter.hpp"

#include <imgui.h>

namespace donna::ui {
namespace {

void turn_settings_popup(client::app_state& state)
{
    if (!ImGui::BeginPopup("turn_settings"))
        return;
    auto& t = state.editing;
    bool apply = false;
    ImGui::TextUnformatted("Turn detection");
    ImGui::SliderFloat("Threshold", &t.threshold, 0.0f, 1.0f, "%.2f");
    apply |= ImGui::IsItemDeactivatedAfterEdit();
    ImGui::SliderInt("Prefix padding (ms)", &t.prefix_padding_ms, 0, 1000);
    apply |= ImGui::IsItemDeactivatedAfterEdit();
    ImGui::SliderInt("Silence (ms)", &t.silence_duration_ms, 100, 2000);
    apply |= ImGui::IsItemDeactivatedAfterEdit();
    ImGui::TextDisabled("Applied to this browser's detector and to DONNA's.");
    if (apply)
        state.client.set_turn(t);
    ImGui::EndPopup();
}

} // namespace

float voice_panel_height(client::talk_mode mode)
{
    // The buttons, the level bar, its state line, then the talk button or a line of text.
    const float last_row = mode == client::talk_mode::push_to_talk
                               ? ImGui::GetFrameHeightWithSpacing()
                               : ImGui::GetTextLineHeightWithSpacing();
    return ImGui::GetFrameHeightWithSpacing() + ImGui::GetTextLineHeightWithSpacing() * 2 +
           last_row;
}

void voice_panel(client::app_state& state)
{
    auto& client = state.client;
    const bool mic_on = client.mic() == client::mic_state::on;

    if (ImGui::Button(mic_on ? "Mic off" : "Mic on"))
        client.microphone(!mic_on);
    ImGui::SameLine();
    int mode = client.mode() == client::talk_mode::hands_free ? 0 : 1;
    if (ImGui::RadioButton("Hands-free", &mode, 0))
        client.set_mode(client::talk_mode::hands_free);
    ImGui::SameLine();
    if (ImGui::RadioButton("Push to talk", &mode, 1))
        client.set_mode(client::talk_mode::push_to_talk);
    ImGui::SameLine();
    if (ImGui::Button("Settings"))
        ImGui::OpenPopup("turn_settings");
    turn_settings_popup(state);

    level_meter(client.level(), client.turn().threshold, client.in_speech(), mic_on);
    if (client.donna_speaking()) {
        ImGui::SameLine();
        ImGui::TextColored(ImVec4(0.55f, 0.95f, 0.65f, 1.0f), "  DONNA is speaking");
    } else if (client.mic() == client::mic_state::failed) {
        ImGui::SameLine();
        ImGui::TextColored(ImVec4(0.95f, 0.55f, 0.4f, 1.0f), "  Microphone unavailable");
    }

    if (client.mode() == client::talk_mode::push_to_talk) {
        ImGui::BeginDisabled(!mic_on);
        ImGui::Button(client.talking() ? "Talking... release to send" : "Hold to talk (or Space)",
                      ImVec2(-1.0f, 0.0f));
        const bool held_button = ImGui::IsItemActive();
        ImGui::EndDisabled();
        // Space talks unless the visitor is typing or moving through the controls with Tab.
        const ImGuiIO& io = ImGui::GetIO();
        const bool held_key = !io.WantTextInput && !io.NavVisible &&
                              ImGui::IsKeyDown(ImGui::GetKeyIndex(ImGuiKey_Space));
        client.push_to_talk(held_button || held_key);
    } else if (client.mic() == client::mic_state::failed) {
        ImGui::TextWrapped("%s", client.mic_message().c_str());
    } else {
        ImGui::TextDisabled(mic_on ? "Speak any time; DONNA stops when you talk."
                                   : "Turn the microphone on to talk, or type below.");
    }
}

} // namespace donna::ui
