// persona_combo.cpp: the persona combo box.
#include "ui/persona_combo.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace donna::ui {
namespace {

constexpr std::array all_personas{persona::general, persona::sales, persona::marketing,
                                  persona::receptionist, persona::secretary};

// ImGui wants NUL-terminated labels; to_string gives string_views. Persona names are short.
class c_label {
public:
    explicit c_label(std::string_view text)
    {
        const std::size_t n = std::min(text.size(), text_.size() - 1);
        std::copy_n(text.begin(), n, text_.begin());
    }
    const char* c_str() const { return text_.data(); }

private:
    std::array<char, 32> text_{};
};

} // namespace

bool persona_combo(const char* label, persona& current)
{
    bool changed = false;
    if (ImGui::BeginCombo(label, c_label(to_string(current)).c_str())) {
        for (const persona option : all_personas) {
            const bool selected = option == current;
            if (ImGui::Selectable(c_label(to_string(option)).c_str(), selected) && !selected) {
                current = option;
                changed = true;
            }
            if (selected)
                ImGui::SetItemDefaultFocus();
        }
        ImGui::EndCombo();
    }
    return changed;
}

} // namespace donna::ui
