// usage_meter.hpp: what upstream calls used and what they cost, exported on /metrics.
// Prices come from a table (per model: dollars per million input/output tokens, per thousand
// characters, per minute of audio); the built-in defaults are public list prices and a
// DONNA_PRICES_FILE overrides them (docs/prices.example.json):
//
//   {"prices": {"gpt-4o": {"input_per_million_tokens": 2.5, "output_per_million_tokens": 10},
//               "whisper-1": {"per_audio_minute": 0.006},
//               "eleven_multilingual_v2": {"per_thousand_characters": 0.3}}}
//
//   usage_meter meter(registry, price_table::defaults());
//   meter.tokens("openai", "gpt-4o", 812, 95);   // donna_upstream_usage_total{unit="..."}
//                                                // and donna_upstream_cost_dollars_total
// A model missing from the table is counted with a cost of 0 and named once in
// donna_upstream_unpriced_total, so an operator sees what to add.
#pragma once

#include "core/error.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

class metrics_registry;

struct model_price {
    double input_per_million_tokens = 0;
    double output_per_million_tokens = 0;
    double per_thousand_characters = 0;
    double per_audio_minute = 0;
};

class price_table {
public:
    static price_table defaults();
    // Overrides or adds models from JSON (shape above); unknown fields and negative prices are
    // errors naming the model and field.
    static result<price_table> from_json(std::string_view json_text);
    static result<price_table> from_file(const std::string& path);

    // The model's price; a dated snapshot name ("gpt-4o-2024-08-06") falls back to its base
    // model's ("gpt-4o"). nullptr when neither is in the table.
    const model_price* find(std::string_view model) const;

private:
    std::map<std::string, model_price, std::less<>> prices_;
};

class usage_meter {
public:
    usage_meter(metrics_registry& registry, price_table prices);

    void set_prices(price_table prices); // a reload
    void tokens(std::string_view upstream, std::string_view model, double input, double output);
    void characters(std::string_view upstream, std::string_view model, double count);
    void audio_seconds(std::string_view upstream, std::string_view model, double seconds);

private:
    std::optional<model_price> price_of(std::string_view model) const;
    void record(std::string_view upstream, std::string_view model, std::string_view unit,
                double amount, double dollars, bool priced);

    metrics_registry& registry_;
    mutable std::mutex mutex_;
    price_table prices_;
};

} // namespace donna::relay
