// usage_meter.cpp: the price table and the usage and cost series.
#include "upstream/usage_meter.hpp"

#include "config/text_file.hpp"
#include "metrics/metrics.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {

price_table price_table::defaults()
{
    // US dollars, list prices when written (OpenAI and ElevenLabs pricing pages); a deployment
    // with other contracts sets DONNA_PRICES_FILE.
    price_table t;
    t.prices_["gpt-4o"] = {2.5, 10.0, 0, 0};
    t.prices_["gpt-4o-mini"] = {0.15, 0.6, 0, 0};
    t.prices_["gpt-4.1"] = {2.0, 8.0, 0, 0};
    t.prices_["gpt-4.1-mini"] = {0.4, 1.6, 0, 0};
    t.prices_["whisper-1"] = {0, 0, 0, 0.006};
    t.prices_["gpt-4o-transcribe"] = {0, 0, 0, 0.006};
    t.prices_["gpt-4o-mini-transcribe"] = {0, 0, 0, 0.003};
    t.prices_["omni-moderation-latest"] = {0, 0, 0, 0};
    t.prices_["eleven_multilingual_v2"] = {0, 0, 0.30, 0};
    t.prices_["eleven_v3"] = {0, 0, 0.30, 0};
    t.prices_["eleven_flash_v2_5"] = {0, 0, 0.15, 0};
    t.prices_["eleven_flash_v2"] = {0, 0, 0.15, 0};
    return t;
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
            double* target = name == "input_per_million_tokens"    ? &p.input_per_million_tokens
                             : name == "output_per_million_tokens" ? &p.output_per_million_tokens
                             : name == "per_thousand_characters"   ? &p.per_thousand_characters
                             : name == "per_audio_minute"          ? &p.per_audio_minute
                                                                   : nullptr;
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

void usage_meter::tokens(std::string_view upstream, std::string_view model, double input,
                         double output)
{
    const auto price = price_of(model);
    const model_price p = price.value_or(model_price{});
    const bool priced = price.has_value();
    record(upstream, model, "input_tokens", input,
           input * p.input_per_million_tokens / 1e6 + output * p.output_per_million_tokens / 1e6,
           priced);
    record(upstream, model, "output_tokens", output, 0, true);
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
