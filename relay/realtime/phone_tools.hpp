// phone_tools.hpp: the two tools DONNA has on a phone call besides the actions she has
// everywhere (chat/chat_tools): transfer_call (put the caller through to a person at the
// business) and end_call (hang up after saying goodbye). Both act on the call itself, so the
// phone session carries them out (realtime/phone_call_session), not chat/chat_actions.
//
//   session["tools"] = realtime_tools_json() + phone_tools_json();   // each item appended
//   if (auto tool = phone_tool_named(call.name)) { auto args = read_phone_tool_call(...); }
//
// Both run after the words that go with them: the model says its hand-off line or goodbye in
// the response that follows the call's result, and the session acts once that audio has
// played to the caller.
#pragma once

#include "core/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

enum class phone_tool { transfer_call, end_call };

std::string_view to_string(phone_tool tool);
std::optional<phone_tool> phone_tool_named(std::string_view name);

// The two tools as Realtime session.tools items ({"type":"function", name, description,
// parameters}).
nlohmann::json phone_tools_json();
// What DONNA is told about them, appended to the persona's instructions on a call.
std::string_view phone_tools_instructions();

// transfer_call's `reason`: what the caller wants from the person, in a sentence.
inline constexpr std::size_t max_transfer_reason_chars = 300;

struct phone_tool_arguments {
    phone_tool tool = phone_tool::end_call;
    std::string reason; // transfer_call's; "" when not given
};

// The model's arguments (JSON text) for one of the two: an object, with only `reason` (a
// string of at most max_transfer_reason_chars, transfer_call only). Errors: invalid_json,
// not_an_object, invalid_argument (an unknown field), wrong_type, out_of_range.
result<phone_tool_arguments> read_phone_tool_call(phone_tool tool, std::string_view arguments);

} // namespace donna::relay
