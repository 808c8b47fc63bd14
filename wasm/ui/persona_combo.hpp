// persona_combo.hpp: a combo box over donna::persona (general, sales, marketing,
// receptionist, secretary), named as on the wire (to_string).
//
//   if (donna::ui::persona_combo("Persona", state.selected_persona)) { /* changed */ }
#pragma once

#include "protocol/donna_events.hpp"

namespace donna::ui {

// Returns true in the frame the user picks a different persona (then `current` holds it).
bool persona_combo(const char* label, persona& current);

} // namespace donna::ui
