// voice_provider.cpp: the call actions' names.
#include "telephony/voice_provider.hpp"

#include <array>
#include <utility>

namespace donna::relay {
namespace {

constexpr std::array<std::pair<call_action, std::string_view>, 7> action_names = {{
    {call_action::answer, "answer"},
    {call_action::hangup, "hangup"},
    {call_action::transfer, "transfer"},
    {call_action::record_start, "record_start"},
    {call_action::record_stop, "record_stop"},
    {call_action::reject, "reject"},
    {call_action::stream_media, "streaming_start"},
}};

// The admin may ask for the first five; the rest are the relay's own.
constexpr std::size_t admin_actions = 5;

} // namespace

std::optional<call_action> call_action_named(std::string_view name)
{
    for (std::size_t i = 0; i < admin_actions; ++i)
        if (action_names[i].second == name)
            return action_names[i].first;
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
