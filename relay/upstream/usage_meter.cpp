// usage_meter.cpp: the price table and the usage and cost series.
#include "upstream/usage_meter.hpp"

#include "config/text_file.hpp"
#include "metrics/metrics.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace donna::relay {

const std::array<std::pair<std::string_view, double model_price::*>, 8>& price_fields()
{
    static constexpr std::array<std::pair<std::string_view, double model_price::*>, 8> fields = {{
        {"input_per_million_tokens", &model_price::input_per_million_tokens},
        {"cached_input_per_million_tokens", &model_price::cached_input_per_million_tokens},
        {"output_per_million_tokens", &model_price::output_per_million_tokens},
        {"audio_input_per_million_tokens", &model_price::audio_input_per_million_tokens},
        {"cached_audio_input_per_million_tokens",
         &model_price::cached_audio_input_per_million_tokens},
        {"audio_output_per_million_tokens", &model_price::audio_output_per_million_tokens},
        {"per_thousand_characters", &model_price::per_thousand_characters},
        {"per_audio_minute", &model_price::per_audio_minute},
    }};
    return fields;
}

price_table price_table::defaults()
{
    // US dollars per million tokens (per minute, per thousand characters), OpenAI's and
    // ElevenLabs' list prices as read on 2026-12-07 from their model and pricing pages
    // (developers.openai.com/api/docs/models/<model>; docs/relay.md "Models"). A deployment
    // with other contracts sets DONNA_PRICES_FILE.
    price_table t;
    const auto text = [&t](const char* model, double input, double cached, double output) {
        model_price p;
        p.input_per_million_tokens = input;
        p.cached_input_per_million_tokens = cached;
        p.output_per_million_tokens = output;
        t.prices_[model] = p;
        return &t.prices_[model];
    };
    const auto realtime = [&text](const char* model, double input, double cached, double output,
                                  double audio_input, double cached_audio, double audio_output) {
        auto* p = text(model, input, cached, output);
        p->audio_input_per_million_tokens = audio_input;
        p->cached_audio_input_per_million_tokens = cached_audio;
        p->audio_output_per_million_tokens = audio_output;
    };
    const auto per_minute = [&t](const char* model, double dollars) {
        t.prices_[model].per_audio_minute = dollars;
    };
    const auto per_thousand = [&t](const char* model, double dollars) {
        t.prices_[model].per_thousand_characters = dollars;
    };
    // The defaults (docs/relay.md "Models").
    text("gpt-6-luna", 0.10, 0.01, 0.50);
    realtime("gpt-realtime-2.1", 4.00, 0.40, 24.00, 32.00, 0.40, 64.00);
    realtime("gpt-realtime-2.1-mini", 0.60, 0.06, 2.40, 10.00, 0.30, 20.00);
    per_minute("gpt-transcribe", 0.0045);
    t.prices_["omni-moderation-latest"] = {}; // free
    // Others a personas file may pin.
    text("gpt-6.1-terra", 1.00, 0.05, 5.00);
    text("gpt-6.1-sol", 2.00, 0.10, 10.00);
    text("gpt-6.2-sol", 2.00, 0.10, 10.00);
    realtime("gpt-realtime-2", 4.00, 0.40, 24.00, 32.00, 0.40, 64.00);
    per_minute("gpt-live-transcribe", 0.017);
    // The seed's models, shutting down in 2027 (still accepted as settings).
    text("gpt-4o", 2.50, 1.25, 10.00);
    text("gpt-4o-mini", 0.15, 0.075, 0.60);
    text("gpt-4.1", 2.00, 0.50, 8.00);
    text("gpt-4.1-mini", 0.40, 0.10, 1.60);
    realtime("gpt-realtime", 4.00, 0.40, 16.00, 32.00, 0.40, 64.00);
    realtime("gpt-realtime-mini", 0.60, 0.06, 2.40, 10.00, 0.30, 20.00);
    per_minute("whisper-1", 0.006);
    per_minute("gpt-4o-transcribe", 0.006);
    per_minute("gpt-4o-mini-transcribe", 0.003);
    per_thousand("eleven_multilingual_v2", 0.30);
    per_thousand("eleven_v3", 0.30);
    per_thousand("eleven_flash_v2_5", 0.15);
    per_thousand("eleven_flash_v2", 0.15);
    return t;
}

double token_cost(const model_price& p, const token_usage& u)
{
    const auto or_else = [](double price, double fallback) {
        return price < 0 ? fallback : price;
    };
    const double cached_text =
        or_else(p.cached_input_per_million_tokens, p.input_per_million_tokens);
    const double audio_in = or_else(p.audio_input_per_million_tokens, p.input_per_million_tokens);
    const double cached_audio = or_else(p.cached_audio_input_per_million_tokens, audio_in);
    const double audio_out =
        or_else(p.audio_output_per_million_tokens, p.output_per_million_tokens);
    // A malformed answer could say more cached than total: never a negative cost.
    const double fresh_text = std::max(0.0, u.text_input - u.cached_text_input);
    const double fresh_audio = std::max(0.0, u.audio_input - u.cached_audio_input);
    return (fresh_text * p.input_per_million_tokens + u.cached_text_input * cached_text +
            fresh_audio * audio_in + u.cached_audio_input * cached_audio +
            u.text_output * p.output_per_million_tokens + u.audio_output * audio_out) /
           1e6;
}

result<price_table> price_table::from_json(std::string_view json_text)
{
    const auto doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return make_error(errc::invalid_json, "the prices file is not a JSON object");
    const auto prices = doc.find("prices");
    if (prices == doc.end() || !prices->is_object())
        return make_error(errc::missing_field, "the prices file needs a \"prices\" object");
    auto table = defaults();
    for (const auto& [model, fields] : prices->items()) {
        const std::string where = "prices." + model;
        if (!fields.is_object())
            return make_error(errc::wrong_type, "prices." + model + " must be an object");
        model_price p = table.find(model) ? *table.find(model) : model_price{};
        for (const auto& [name, value] : fields.items()) {
            // "prices.<model>.<field>": where an error message points.
            std::string field = where;
            field += '.';
            field += name;
            const std::string_view field_name = name;
            const auto& known_fields = price_fields();
            const auto known = std::find_if(known_fields.begin(), known_fields.end(),
                                            [&](const auto& f) { return f.first == field_name; });
            double* target = known == known_fields.end() ? nullptr : &(p.*(known->second));
            if (target == nullptr)
                return make_error(errc::invalid_argument, field + " is not a known price");
            if (!value.is_number() || value.get<double>() < 0)
                return make_error(errc::out_of_range, field + " must be a number of dollars >= 0");
            *target = value.get<double>();
        }
        table.prices_[model] = p;
    }
    return table;
}

result<price_table> price_table::from_file(const std::string& path)
{
    auto text = read_text_file(path);
    if (!text)
        return text.error();
    auto table = from_json(*text);
    if (!table)
        return make_error(table.error().code, path + ": " + table.error().message);
    return table;
}

const model_price* price_table::find(std::string_view model) const
{
    if (const auto it = prices_.find(model); it != prices_.end())
        return &it->second;
    // OpenAI answers with a dated snapshot ("gpt-4o-2024-08-06") of the model asked for: the
    // longest table name that the answer extends with "-..." prices it.
    const model_price* best = nullptr;
    std::size_t best_length = 0;
    for (const auto& [name, price] : prices_)
        if (model.size() > name.size() + 1 && model.substr(0, name.size()) == name &&
            model[name.size()] == '-' && name.size() > best_length) {
            best = &price;
            best_length = name.size();
        }
    return best;
}

usage_meter::usage_meter(metrics_registry& registry, price_table prices)
    : registry_(registry), prices_(std::move(prices))
{}

void usage_meter::set_prices(price_table prices)
{
    const std::lock_guard lock(mutex_);
    prices_ = std::move(prices);
}

std::optional<double> usage_meter::cost_of(std::string_view model, const token_usage& used) const
{
    const auto price = price_of(model);
    if (!price)
        return std::nullopt;
    return token_cost(*price, used);
}

std::optional<model_price> usage_meter::price_of(std::string_view model) const
{
    const std::lock_guard lock(mutex_);
    const auto* found = prices_.find(model);
    return found ? std::optional<model_price>(*found) : std::nullopt;
}

void usage_meter::record(std::string_view upstream, std::string_view model, std::string_view unit,
                         double amount, double dollars, bool priced)
{
    const labels l{{"upstream", std::string(upstream)}, {"model", std::string(model)}};
    auto with_unit = l;
    with_unit.emplace_back("unit", std::string(unit));
    registry_.get_counter("donna_upstream_usage_total", "Upstream usage by unit", with_unit)
        .inc(amount);
    registry_
        .get_counter("donna_upstream_cost_dollars_total",
                     "Estimated upstream cost in US dollars (from the price table)", l)
        .inc(dollars);
    if (!priced)
        registry_
            .get_counter("donna_upstream_unpriced_total",
                         "Usage of models missing from the price table (cost counted as 0)", l)
            .inc();
}

void usage_meter::tokens(std::string_view upstream, std::string_view model, const token_usage& used)
{
    const auto price = price_of(model);
    const bool priced = price.has_value();
    const double dollars = token_cost(price.value_or(model_price{}), used);
    record(upstream, model, "input_tokens", used.text_input + used.audio_input, dollars, priced);
    record(upstream, model, "output_tokens", used.text_output + used.audio_output, 0, true);
    const auto extra = [&](std::string_view unit, double amount) {
        if (amount > 0)
            record(upstream, model, unit, amount, 0, true);
    };
    extra("cached_input_tokens", used.cached_text_input + used.cached_audio_input);
    extra("audio_input_tokens", used.audio_input);
    extra("audio_output_tokens", used.audio_output);
}

void usage_meter::characters(std::string_view upstream, std::string_view model, double count)
{
    const auto price = price_of(model);
    const model_price p = price.value_or(model_price{});
    const bool priced = price.has_value();
    record(upstream, model, "characters", count, count * p.per_thousand_characters / 1e3, priced);
}

void usage_meter::audio_seconds(std::string_view upstream, std::string_view model, double seconds)
{
    const auto price = price_of(model);
    const model_price p = price.value_or(model_price{});
    const bool priced = price.has_value();
    record(upstream, model, "audio_seconds", seconds, seconds / 60.0 * p.per_audio_minute, priced);
}

} // namespace donna::relay
