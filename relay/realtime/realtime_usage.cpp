// realtime_usage.cpp: response.done's usage object as token_usage.
#include "realtime/realtime_usage.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace donna::relay {
namespace {

using json = nlohmann::json;

double count(const json& object, const char* name)
{
    const auto it = object.find(name);
    return it != object.end() && it->is_number() && it->get<double>() > 0 ? it->get<double>() : 0;
}

const json& child(const json& object, const char* name)
{
    static const json none = json::object();
    const auto it = object.find(name);
    return it != object.end() && it->is_object() ? *it : none;
}

} // namespace

std::optional<token_usage> response_done_usage(std::string_view event_text)
{
    // Audio deltas are most of the traffic: skip every frame that cannot be a response.done
    // before building a DOM.
    if (event_text.find("\"response.done\"") == std::string_view::npos)
        return std::nullopt;
    const auto event = json::parse(event_text, nullptr, false);
    if (!event.is_object() || event.value("type", "") != "response.done")
        return std::nullopt;
    const auto& usage = child(child(event, "response"), "usage");
    if (usage.empty())
        return std::nullopt;
    const auto& in = child(usage, "input_token_details");
    const auto& cached = child(in, "cached_tokens_details");
    const auto& out = child(usage, "output_token_details");
    token_usage u;
    u.audio_input = count(in, "audio_tokens");
    u.text_input = std::max(0.0, count(usage, "input_tokens") - u.audio_input);
    u.cached_audio_input = count(cached, "audio_tokens");
    u.cached_text_input =
        cached.empty() ? count(in, "cached_tokens") : count(cached, "text_tokens");
    u.audio_output = count(out, "audio_tokens");
    u.text_output = std::max(0.0, count(usage, "output_tokens") - u.audio_output);
    return u;
}

} // namespace donna::relay
