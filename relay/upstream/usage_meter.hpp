// usage_meter.hpp: what upstream calls used and what they cost, exported on /metrics.
// Prices come from a table (per model: dollars per million input, cached input and output
// tokens, text and audio, per thousand characters, per minute of audio); the built-in defaults are public list prices and a
// DONNA_PRICES_FILE overrides them (docs/prices.example.json):
//
//   {"prices": {"gpt-6-luna": {"input_per_million_tokens": 0.1,
//                              "cached_input_per_million_tokens": 0.01,
//                              "output_per_million_tokens": 0.5},
//               "gpt-realtime-2.1": {"audio_input_per_million_tokens": 32, ...},
//               "gpt-transcribe": {"per_audio_minute": 0.0045},
//               "eleven_multilingual_v2": {"per_thousand_characters": 0.3}}}
//
//   usage_meter meter(registry, price_table::defaults());
//   meter.tokens("openai", "gpt-6-luna", {.text_input = 812, .text_output = 95});
//   // donna_upstream_usage_total{unit="..."} and donna_upstream_cost_dollars_total
// A model missing from the table is counted with a cost of 0 and named once in
// donna_upstream_unpriced_total, so an operator sees what to add.
#pragma once

#include "core/error.hpp"

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace donna::relay {

class metrics_registry;

struct model_price {
    double input_per_million_tokens = 0; // text (and, when no audio price is set, audio)
    double output_per_million_tokens = 0;
    // Cached input ("prompt caching"); below 0: priced as uncached input, so a price file
    // that names only input_per_million_tokens never undercounts.
    double cached_input_per_million_tokens = -1;
    // Realtime audio tokens; below 0: priced as the text tokens of the same kind.
    double audio_input_per_million_tokens = -1;
    double cached_audio_input_per_million_tokens = -1;
    double audio_output_per_million_tokens = -1;
    double per_thousand_characters = 0;
    double per_audio_minute = 0;
};

// The tokens of one answer. Input counts include their cached part.
struct token_usage {
    double text_input = 0;
    double cached_text_input = 0;
    double audio_input = 0;
    double cached_audio_input = 0;
    double text_output = 0;
    double audio_output = 0;

    token_usage& operator+=(const token_usage& more)
    {
        text_input += more.text_input;
        cached_text_input += more.cached_text_input;
        audio_input += more.audio_input;
        cached_audio_input += more.cached_audio_input;
        text_output += more.text_output;
        audio_output += more.audio_output;
        return *this;
    }
};

// Every price a prices file may name, by its name there.
const std::array<std::pair<std::string_view, double model_price::*>, 8>& price_fields();

// What `u` costs at `p`, in dollars.
double token_cost(const model_price& p, const token_usage& u);

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
    // Every model the table names, with its price.
    const std::map<std::string, model_price, std::less<>>& entries() const { return prices_; }

private:
    std::map<std::string, model_price, std::less<>> prices_;
};

class usage_meter {
public:
    usage_meter(metrics_registry& registry, price_table prices);

    void set_prices(price_table prices); // a reload
    // donna_upstream_usage_total units input_tokens and output_tokens (text and audio), and
    // cached_input_tokens, audio_input_tokens and audio_output_tokens when not 0.
    void tokens(std::string_view upstream, std::string_view model, const token_usage& used);
    void characters(std::string_view upstream, std::string_view model, double count);
    void audio_seconds(std::string_view upstream, std::string_view model, double seconds);
    // What `used` costs at the model's price, in dollars; nullopt when the model has none.
    std::optional<double> cost_of(std::string_view model, const token_usage& used) const;

private:
    std::optional<model_price> price_of(std::string_view model) const;
    void record(std::string_view upstream, std::string_view model, std::string_view unit,
                double amount, double dollars, bool priced);

    metrics_registry& registry_;
    mutable std::mutex mutex_;
    price_table prices_;
};

} // namespace donna::relay
