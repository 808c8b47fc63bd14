// persona_file.cpp: persona_catalog::from_json / from_file, the personas file over the
// built-in defaults. Strict, because a typo that silently kept a default prompt would only
// show up as a persona saying the wrong thing to a caller.
#include "persona/persona_catalog.hpp"

#include "config/text_file.hpp"
#include "core/utf8.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace donna::relay {
namespace {

constexpr double max_temperature = 2.0; // OpenAI's range is 0..2
constexpr std::uint64_t max_max_tokens = 32768;
constexpr std::size_t max_model_length = 100;
constexpr std::size_t max_instructions_chars = 20000;
constexpr std::size_t max_line_chars = 500; // greeting, fallback_reply

// The voices both the GA and the beta Realtime API accept (the beta set; GA adds more), so a
// persona keeps working in either dialect; see persona_catalog::defaults().
constexpr std::array<std::string_view, 8> realtime_voices = {"alloy", "ash",  "ballad",  "coral",
                                                             "echo",  "sage", "shimmer", "verse"};

// Chat Completions' reasoning_effort across reasoning models (GPT-6 adds "max"; which model
// takes which is the upstream's to say: an unsupported value comes back as its 400).
constexpr std::array<std::string_view, 7> chat_efforts = {"none", "minimal", "low", "medium",
                                                          "high", "xhigh",   "max"};
// The Realtime API's RealtimeReasoningEffort (openai-python types/realtime/
// realtime_reasoning_effort.py): no "none".
constexpr std::array<std::string_view, 5> realtime_efforts = {"minimal", "low", "medium", "high",
                                                              "xhigh"};

constexpr std::string_view known_fields =
    "model, reasoning_effort, temperature, max_tokens, instructions, realtime_voice, "
    "realtime_reasoning_effort, realtime_parallel_tool_calls, greeting, fallback_reply";

bool valid_model(std::string_view model)
{
    if (model.empty() || model.size() > max_model_length)
        return false;
    return std::all_of(model.begin(), model.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == ':' || c == '-';
    });
}

template <std::size_t N>
std::string listed(const std::array<std::string_view, N>& names)
{
    std::string out;
    for (const auto name : names) {
        if (!out.empty())
            out += ", ";
        out += name;
    }
    return out;
}

template <std::size_t N>
bool is_one_of(const std::array<std::string_view, N>& names, std::string_view name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

// "personas.sales.temperature must be ...": the field's path, then the rule it broke.
error broken_rule(errc code, const std::string& where, std::string_view must)
{
    std::string message = where;
    message += ' ';
    message += must;
    return make_error(code, std::move(message));
}

result<std::string> string_field(const nlohmann::json& value, const std::string& where,
                                 std::string_view must)
{
    if (!value.is_string())
        return broken_rule(errc::wrong_type, where, must);
    return value.get<std::string>();
}

status apply_field(persona_profile& p, const std::string& key, const nlohmann::json& value,
                   const std::string& where)
{
    if (key == "temperature") {
        constexpr std::string_view must = "must be a number between 0 and 2";
        if (!value.is_number())
            return broken_rule(errc::wrong_type, where, must);
        const auto t = value.get<double>();
        if (!(t >= 0.0 && t <= max_temperature))
            return broken_rule(errc::out_of_range, where, must);
        p.temperature = t;
        return ok();
    }
    if (key == "max_tokens") {
        constexpr std::string_view must = "must be an integer between 1 and 32768";
        if (!value.is_number_integer())
            return broken_rule(errc::wrong_type, where, must);
        // nlohmann stores every non-negative integer as unsigned; a signed one is negative.
        if (!value.is_number_unsigned() || value.get<std::uint64_t>() < 1 ||
            value.get<std::uint64_t>() > max_max_tokens)
            return broken_rule(errc::out_of_range, where, must);
        p.max_tokens = static_cast<int>(value.get<std::uint64_t>());
        return ok();
    }
    if (key == "model") {
        constexpr std::string_view must =
            "must be 1 to 100 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'";
        auto model = string_field(value, where, must);
        if (!model)
            return model.error();
        if (!valid_model(*model))
            return broken_rule(errc::invalid_argument, where, must);
        p.chat_model = std::move(*model);
        return ok();
    }
    if (key == "instructions") {
        constexpr std::string_view must = "must be a non-empty string of at most 20000 characters";
        auto text = string_field(value, where, must);
        if (!text)
            return text.error();
        if (text->empty() || utf8_length(*text) > max_instructions_chars)
            return broken_rule(errc::out_of_range, where, must);
        p.instructions = std::move(*text);
        return ok();
    }
    if (key == "reasoning_effort") {
        const std::string must = "must be null or one of " + listed(chat_efforts);
        if (value.is_null()) {
            p.reasoning_effort.clear();
            return ok();
        }
        auto effort = string_field(value, where, must);
        if (!effort)
            return effort.error();
        if (!is_one_of(chat_efforts, *effort))
            return broken_rule(errc::out_of_range, where, must);
        p.reasoning_effort = std::move(*effort);
        return ok();
    }
    if (key == "realtime_voice" || key == "realtime_reasoning_effort") {
        const bool voice = key == "realtime_voice";
        const std::string must =
            "must be one of " + (voice ? listed(realtime_voices) : listed(realtime_efforts));
        auto name = string_field(value, where, must);
        if (!name)
            return name.error();
        if (voice ? !is_one_of(realtime_voices, *name) : !is_one_of(realtime_efforts, *name))
            return broken_rule(errc::out_of_range, where, must);
        (voice ? p.realtime_voice : p.realtime_reasoning_effort) = std::move(*name);
        return ok();
    }
    if (key == "realtime_parallel_tool_calls") {
        if (!value.is_boolean())
            return broken_rule(errc::wrong_type, where, "must be true or false");
        p.realtime_parallel_tool_calls = value.get<bool>();
        return ok();
    }
    if (key == "greeting" || key == "fallback_reply") {
        constexpr std::string_view must = "must be a string of at most 500 characters";
        auto text = string_field(value, where, must);
        if (!text)
            return text.error();
        if (utf8_length(*text) > max_line_chars)
            return broken_rule(errc::out_of_range, where, must);
        (key == "greeting" ? p.greeting : p.fallback_reply) = std::move(*text);
        return ok();
    }
    return make_error(errc::invalid_argument,
                      where + " is not a persona field (known: " + std::string(known_fields) + ")");
}

status apply_persona(persona_profile& p, const nlohmann::json& fields, const std::string& where)
{
    if (!fields.is_object())
        return make_error(errc::not_an_object, where + " must be an object");
    // A pinned model is taken as the request it was written for: a model from before
    // reasoning rejects reasoning_effort, so the default "none" goes unless the file says.
    if (fields.contains("model") && !fields.contains("reasoning_effort"))
        p.reasoning_effort.clear();
    for (const auto& [key, value] : fields.items()) {
        std::string field_where = where;
        field_where += '.';
        field_where += key;
        if (auto s = apply_field(p, key, value, field_where); !s)
            return s;
    }
    return ok();
}

} // namespace

result<persona_catalog> persona_catalog::from_json(std::string_view json_text)
{
    const auto doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_discarded())
        return make_error(errc::invalid_json, "the personas file is not valid JSON");
    if (!doc.is_object())
        return make_error(errc::not_an_object,
                          "the personas file must be an object: {\"personas\": {...}}");
    for (const auto& [key, value] : doc.items()) {
        if (key != "personas")
            return make_error(errc::invalid_argument,
                              key + " is not a top-level field (known: personas)");
    }
    const auto personas = doc.find("personas");
    if (personas == doc.end())
        return make_error(errc::missing_field, "personas is missing");
    if (!personas->is_object())
        return make_error(errc::not_an_object,
                          "personas must be an object of persona name to settings");

    auto catalog = defaults();
    for (const auto& [name, fields] : personas->items()) {
        const std::string where = "personas." + name;
        const auto id = persona_from_string(name);
        if (!id)
            return make_error(errc::invalid_argument,
                              where + " is not a persona (known: general, sales, marketing, "
                                      "receptionist, secretary)");
        auto& profile = catalog.profiles_[static_cast<std::size_t>(*id)];
        if (auto s = apply_persona(profile, fields, where); !s)
            return s.error();
    }
    return catalog;
}

result<persona_catalog> persona_catalog::from_file(const std::filesystem::path& path)
{
    const auto text = read_text_file(path);
    if (!text)
        return text.error();
    auto catalog = from_json(*text);
    if (!catalog)
        return make_error(catalog.error().code, path.string() + ": " + catalog.error().message);
    return catalog;
}

} // namespace donna::relay
