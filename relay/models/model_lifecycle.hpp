// model_lifecycle.hpp: which of the models the relay is configured to use OpenAI is about to
// shut down, judged from OpenAI's model list (GET <OPENAI_BASE_URL>/models, each entry's
// optional, nullable `shutdown_date`, a "YYYY-MM-DD" date: the official SDKs' Model type and
// the OpenAPI spec's `format: date`). Pure: no I/O, the caller passes the list and the time
// (model_watch does the fetching).
//
//   auto listed = parse_model_list(body);                  // the /models answer's body
//   auto reports = assess_models(models_in_use(cfg, personas), *listed, now, 60);
//   for (const auto& r : reports)
//       if (r.health != model_health::current) log.warn("models", r.message);
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

struct config;
class persona_catalog;

// One entry of the model list.
struct listed_model {
    std::string id;
    std::optional<std::int64_t> shutdown_date; // 00:00 UTC that day, in Unix seconds; none when
                                               // no date is announced (or it is unreadable)
};

// The body of GET /models: {"object":"list","data":[{"id":...,"shutdown_date":...},...]}.
// Entries without a string id are skipped; a body that is not such a list is an error.
result<std::vector<listed_model>> parse_model_list(std::string_view body);

// A model the relay's settings name, with the feature that uses it (the name /readyz shows)
// and the setting that chose it, so a warning can say what to change.
struct model_use {
    std::string feature; // "realtime" or "chat" (chat covers moderation and transcription)
    std::string model;
    std::string setting; // e.g. "OPENAI_REALTIME_MODEL", "personas.sales.model"
};

// Every OpenAI model the settings use, each model and setting once. The Realtime model only
// when the relay talks to OpenAI Realtime (not in demo mode); the chat, moderation and
// transcription models when OPENAI_API_KEY is set.
std::vector<model_use> models_in_use(const config& cfg, const persona_catalog& personas);

enum class model_health {
    current,  // listed, no shutdown date within the warning window
    retiring, // listed, shuts down within the warning window: a warning, still ready
    retired,  // its shutdown date has passed: the feature is not ready
    unlisted, // not in the list at all (a typo, or already removed): the feature is not ready
};
std::string_view to_string(model_health h);

struct model_report {
    model_use use;
    model_health health = model_health::current;
    std::optional<std::int64_t> shutdown_date; // Unix seconds, when announced
    std::optional<std::int64_t> days_left;     // whole days until shutdown (negative: past)
    std::string replacement;                   // OpenAI's recommended successor, when known
    std::string message;                       // one line for the log and /readyz
};

// The health of each use at `now` (Unix seconds), warning `warn_days` days ahead.
std::vector<model_report> assess_models(const std::vector<model_use>& uses,
                                        const std::vector<listed_model>& listed, std::int64_t now,
                                        int warn_days);

// OpenAI's recommended replacement for a model it has announced a shutdown for ("" when the
// relay's table does not know one). A dated snapshot ("gpt-4o-2024-08-06") is looked up by
// its base name.
std::string_view recommended_replacement(std::string_view model);

// "2027-01-14": a Unix time's UTC date.
std::string utc_date(std::int64_t unix_seconds);

} // namespace donna::relay
