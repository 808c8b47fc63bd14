// voice_provider.cpp: the call actions' names.
#include "telephony/voice_provider.hpp"

#include <array>
#include <utility>

namespace donna::relay {
namespace {

constexpr std::array<std::pair<call_action, std::string_view>, 5> action_names = {{
    {call_action::answer, "answer"},
    {call_action::hangup, "hangup"},
    {call_action::transfer, "transfer"},
    {call_action::record_start, "record_start"},
    {call_action::record_stop, "record_stop"},
}};

} // namespace

std::optional<call_action> call_action_named(std::string_view name)
{
    for (const auto& [action, text] : action_names)
        if (text == name)
            return action;
    return std::nullopt;
}

std::string_view call_action_name(call_action action)
{
    for (const auto& [known, text] : action_names)
        if (known == action)
            return text;
    return "hangup";
}

} // namespace donna::relay
