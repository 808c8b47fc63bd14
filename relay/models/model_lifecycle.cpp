// model_lifecycle.cpp: the model list read defensively, each configured model judged by it.
#include "models/model_lifecycle.hpp"

#include "config/config.hpp"
#include "persona/persona_catalog.hpp"
#include "protocol/donna_events.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <utility>

namespace donna::relay {
namespace {

constexpr std::int64_t seconds_per_day = 86400;

// Recommended replacements for the models OpenAI has announced shutdowns for, as read on
// 2026-12-07 (docs/relay.md "Models" names the sources: OpenAI's deprecations page, its
// transcription guide and model pages; where OpenAI's own row could not be read, the
// replacement most sources agree on). OpenAI revises these as models ship: the list's
// shutdown_date is what decides, this table only adds advice to the warning.
struct successor {
    std::string_view model;
    std::string_view replacement;
};
constexpr std::array successors{
    successor{"gpt-4o", "gpt-6-luna"},
    successor{"gpt-4o-mini", "gpt-6-luna"},
    successor{"gpt-4.1", "gpt-6-luna"},
    successor{"gpt-4.1-mini", "gpt-6-luna"},
    successor{"gpt-realtime", "gpt-realtime-2.1"},
    successor{"gpt-realtime-mini", "gpt-realtime-2.1-mini"},
    successor{"gpt-4o-realtime-preview", "gpt-realtime-2.1"},
    successor{"gpt-4o-mini-realtime-preview", "gpt-realtime-2.1-mini"},
    successor{"whisper-1", "gpt-transcribe"},
    successor{"gpt-4o-transcribe", "gpt-transcribe"},
    successor{"gpt-4o-mini-transcribe", "gpt-transcribe"},
};

// "2027-01-14" -> Unix seconds at 00:00 UTC that day; none for anything else.
std::optional<std::int64_t> parse_date(const std::string& text)
{
    using namespace std::chrono;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    char tail = 0;
    if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
        return std::nullopt;
    const year_month_day ymd{year{y}, month{m}, day{d}};
    if (!ymd.ok())
        return std::nullopt;
    return sys_days{ymd}.time_since_epoch() / seconds(1);
}

// "gpt-4o-2024-08-06" -> "gpt-4o": a dated snapshot ends in -YYYY-MM-DD.
std::string_view base_name(std::string_view model)
{
    constexpr std::size_t date_length = 11; // "-2024-08-06"
    if (model.size() <= date_length)
        return model;
    const auto tail = model.substr(model.size() - date_length);
    const bool dated = tail[0] == '-' && tail[5] == '-' && tail[8] == '-' &&
                       std::all_of(tail.begin() + 1, tail.end(),
                                   [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
    return dated ? model.substr(0, model.size() - date_length) : model;
}

// Whole days from now until `when`, rounded down (so "shuts down in 0 days" means today).
std::int64_t days_between(std::int64_t now, std::int64_t when)
{
    const auto diff = when - now;
    return diff >= 0 ? diff / seconds_per_day : -((-diff + seconds_per_day - 1) / seconds_per_day);
}

} // namespace

result<std::vector<listed_model>> parse_model_list(std::string_view body)
{
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return make_error(errc::invalid_argument, "the model list is not a JSON object");
    const auto data = doc.find("data");
    if (data == doc.end() || !data->is_array())
        return make_error(errc::invalid_argument, "the model list has no \"data\" array");
    std::vector<listed_model> out;
    for (const auto& entry : *data) {
        if (!entry.is_object())
            continue;
        const auto id = entry.find("id");
        if (id == entry.end() || !id->is_string())
            continue;
        listed_model m{id->get<std::string>(), std::nullopt};
        // A calendar date ("2027-01-14") or null; absent in older answers.
        const auto shutdown = entry.find("shutdown_date");
        if (shutdown != entry.end() && shutdown->is_string())
            m.shutdown_date = parse_date(shutdown->get<std::string>());
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<model_use> models_in_use(const config& cfg, const persona_catalog& personas)
{
    std::vector<model_use> out;
    const auto add = [&out](const char* feature, const std::string& model, std::string setting) {
        if (model.empty())
            return;
        out.push_back(model_use{feature, model, std::move(setting)});
    };
    if (cfg.realtime() == realtime_mode::openai) {
        add("realtime", cfg.openai_realtime_model, "OPENAI_REALTIME_MODEL");
        // The visitor's words in a voice session are transcribed with it too.
        add("realtime", cfg.transcription_model, "DONNA_TRANSCRIPTION_MODEL");
    }
    if (!cfg.openai_api_key.empty()) {
        for (const auto id : {persona::general, persona::sales, persona::marketing,
                              persona::receptionist, persona::secretary})
            add("chat", personas.get(id).chat_model,
                "personas." + std::string(to_string(id)) + ".model");
        add("chat", cfg.moderation_model, "DONNA_MODERATION_MODEL");
        add("chat", cfg.transcription_model, "DONNA_TRANSCRIPTION_MODEL");
    }
    return out;
}

std::string_view to_string(model_health h)
{
    switch (h) {
    case model_health::current:
        return "current";
    case model_health::retiring:
        return "retiring";
    case model_health::retired:
        return "retired";
    case model_health::unlisted:
        return "unlisted";
    }
    return "current";
}

std::vector<model_report> assess_models(const std::vector<model_use>& uses,
                                        const std::vector<listed_model>& listed, std::int64_t now,
                                        int warn_days)
{
    std::vector<model_report> out;
    out.reserve(uses.size());
    for (const auto& use : uses) {
        model_report r;
        r.use = use;
        r.replacement = std::string(recommended_replacement(use.model));
        // "<setting> names <model>, which ...; OpenAI recommends <replacement> instead"
        const auto say = [&r, &use](std::string_view what) {
            r.message = use.setting;
            r.message.append(" names ").append(use.model).append(", which ").append(what);
            if (!r.replacement.empty())
                r.message.append("; OpenAI recommends ").append(r.replacement).append(" instead");
        };
        const auto it = std::find_if(listed.begin(), listed.end(),
                                     [&](const listed_model& m) { return m.id == use.model; });
        if (it == listed.end()) {
            r.health = model_health::unlisted;
            say("OpenAI's model list for this key does not contain");
        } else if (it->shutdown_date) {
            r.shutdown_date = it->shutdown_date;
            r.days_left = days_between(now, *it->shutdown_date);
            const auto date = utc_date(*it->shutdown_date);
            if (*it->shutdown_date <= now) {
                r.health = model_health::retired;
                say("OpenAI shut down on " + date);
            } else if (*r.days_left < warn_days) {
                r.health = model_health::retiring;
                std::string when = "OpenAI shuts down on " + date;
                when.append(" (in ").append(std::to_string(*r.days_left)).append(" days)");
                say(when);
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::string_view recommended_replacement(std::string_view model)
{
    const auto base = base_name(model);
    for (const auto& s : successors)
        if (s.model == model || s.model == base)
            return s.replacement;
    return {};
}

std::string utc_date(std::int64_t unix_seconds)
{
    using namespace std::chrono;
    const year_month_day ymd{floor<days>(sys_seconds{seconds{unix_seconds}})};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return text;
}

} // namespace donna::relay
