// Usage and cost metrics from the price table (relay/upstream/usage_meter).
#include "upstream/usage_meter.hpp"

#include "metrics/metrics.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace donna::relay {
namespace {

double value_of(const metrics_registry& registry, const std::string& series)
{
    const auto text = registry.render();
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
}

double metric(const metrics_registry& registry, const std::string& model, const char* unit)
{
    return value_of(registry, R"(donna_upstream_usage_total{model=")" + model + R"(",unit=")" +
                                  unit + R"(",upstream="openai"})");
}

double cost(const metrics_registry& registry, const std::string& model)
{
    return value_of(registry, R"(donna_upstream_cost_dollars_total{model=")" + model +
                                  R"(",upstream="openai"})");
}

TEST(UsageMeter, PricesTokensFromTheTable)
{
    metrics_registry registry;
    usage_meter meter(registry, price_table::defaults());
    meter.tokens("openai", "gpt-4o", {.text_input = 1000000, .text_output = 100000}); // 2.50 + 1
    EXPECT_DOUBLE_EQ(cost(registry, "gpt-4o"), 3.5);
    EXPECT_EQ(metric(registry, "gpt-4o", "input_tokens"), 1000000);
    EXPECT_EQ(metric(registry, "gpt-4o", "output_tokens"), 100000);
    EXPECT_EQ(metric(registry, "gpt-4o", "cached_input_tokens"), -1); // none: no series
}

TEST(UsageMeter, CachedInputIsPricedAtTheCachedPrice)
{
    metrics_registry registry;
    usage_meter meter(registry, price_table::defaults());
    // gpt-6-luna: 600k fresh x $0.10 + 400k cached x $0.01 + 1M out x $0.50.
    meter.tokens("openai", "gpt-6-luna",
                 {.text_input = 1000000, .cached_text_input = 400000, .text_output = 1000000});
    EXPECT_NEAR(cost(registry, "gpt-6-luna"), 0.06 + 0.004 + 0.5, 1e-12);
    EXPECT_EQ(metric(registry, "gpt-6-luna", "cached_input_tokens"), 400000);
}

TEST(UsageMeter, RealtimeAudioTokensArePricedApartFromText)
{
    metrics_registry registry;
    usage_meter meter(registry, price_table::defaults());
    // gpt-realtime-2.1 per million: text 4 / 0.40 cached / 24 out; audio 32 / 0.40 / 64.
    meter.tokens("openai", "gpt-realtime-2.1",
                 {.text_input = 1000000,
                  .audio_input = 1000000,
                  .cached_audio_input = 500000,
                  .text_output = 1000000,
                  .audio_output = 1000000});
    EXPECT_NEAR(cost(registry, "gpt-realtime-2.1"), 4 + 16 + 0.2 + 24 + 64, 1e-9);
    EXPECT_EQ(metric(registry, "gpt-realtime-2.1", "input_tokens"), 2000000);
    EXPECT_EQ(metric(registry, "gpt-realtime-2.1", "audio_input_tokens"), 1000000);
    EXPECT_EQ(metric(registry, "gpt-realtime-2.1", "audio_output_tokens"), 1000000);
}

TEST(UsageMeter, AModelWithoutCachedOrAudioPricesPaysItsInputAndOutputPrices)
{
    const auto table = price_table::from_json(
        R"({"prices":{"my-model":{"input_per_million_tokens":2,"output_per_million_tokens":8}}})");
    ASSERT_TRUE(table) << table.error().message;
    metrics_registry registry;
    usage_meter meter(registry, *table);
    meter.tokens("openai", "my-model",
                 {.text_input = 1000000, .cached_text_input = 1000000, .audio_output = 1000000});
    EXPECT_NEAR(cost(registry, "my-model"), 2 + 8, 1e-12);
}

TEST(UsageMeter, PricesCharactersAndAudioMinutes)
{
    metrics_registry registry;
    usage_meter meter(registry, price_table::defaults());
    meter.characters("elevenlabs", "eleven_multilingual_v2", 2000); // 2 x $0.30
    meter.audio_seconds("openai", "gpt-transcribe", 90);            // 1.5 min x $0.0045
    EXPECT_NEAR(
        value_of(
            registry,
            R"(donna_upstream_cost_dollars_total{model="eleven_multilingual_v2",upstream="elevenlabs"})"),
        0.6, 1e-12);
    EXPECT_NEAR(
        value_of(registry,
                 R"(donna_upstream_cost_dollars_total{model="gpt-transcribe",upstream="openai"})"),
        0.00675, 1e-12);
}

TEST(UsageMeter, ADatedSnapshotIsPricedAsItsBaseModel)
{
    const auto table = price_table::defaults();
    ASSERT_NE(table.find("gpt-4o-2024-08-06"), nullptr);
    EXPECT_DOUBLE_EQ(table.find("gpt-4o-2024-08-06")->input_per_million_tokens, 2.5);
    // The longest matching name wins: gpt-4o-mini's snapshot is not priced as gpt-4o.
    EXPECT_DOUBLE_EQ(table.find("gpt-4o-mini-2024-07-18")->input_per_million_tokens, 0.15);
    EXPECT_EQ(table.find("gpt-4ox"), nullptr);
}

TEST(UsageMeter, AnUnpricedModelIsCountedAndNamed)
{
    metrics_registry registry;
    usage_meter meter(registry, price_table::defaults());
    meter.tokens("openai", "gpt-9-experimental", {.text_input = 10, .text_output = 10});
    EXPECT_EQ(
        value_of(registry,
                 R"(donna_upstream_unpriced_total{model="gpt-9-experimental",upstream="openai"})"),
        1);
    EXPECT_EQ(
        value_of(
            registry,
            R"(donna_upstream_cost_dollars_total{model="gpt-9-experimental",upstream="openai"})"),
        0);
}

TEST(UsageMeter, APricesFileOverridesAndAddsModels)
{
    const auto table = price_table::from_json(
        R"({"prices":{"gpt-4o":{"input_per_million_tokens":1},"my-model":{"per_audio_minute":0.5}}})");
    ASSERT_TRUE(table) << table.error().message;
    ASSERT_NE(table->find("gpt-4o"), nullptr);
    EXPECT_DOUBLE_EQ(table->find("gpt-4o")->input_per_million_tokens, 1);
    EXPECT_DOUBLE_EQ(table->find("gpt-4o")->output_per_million_tokens, 10); // kept
    ASSERT_NE(table->find("my-model"), nullptr);
    EXPECT_NE(table->find("whisper-1"), nullptr); // defaults stay
}

TEST(UsageMeter, APricesFileWithMistakesIsRefusedNamingModelAndField)
{
    const auto unknown = price_table::from_json(R"({"prices":{"gpt-4o":{"per_token":1}}})");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message, "prices.gpt-4o.per_token is not a known price");
    const auto negative =
        price_table::from_json(R"({"prices":{"gpt-4o":{"per_audio_minute":-1}}})");
    ASSERT_FALSE(negative);
    EXPECT_NE(negative.error().message.find("prices.gpt-4o.per_audio_minute"), std::string::npos);
    EXPECT_FALSE(price_table::from_json("[]"));
    EXPECT_FALSE(price_table::from_json(R"({"price":{}})"));
}

// docs/prices.example.json is documented as the built-in table: keep the two equal, model by
// model and field by field (read as raw JSON: loading it would start from the defaults).
TEST(UsageMeter, TheExamplePricesFileIsTheBuiltInTable)
{
    std::ifstream in(DONNA_SOURCE_DIR "/docs/prices.example.json");
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(doc.is_discarded());
    const auto& file = doc.at("prices");
    const auto table = price_table::defaults();
    const auto& defaults = table.entries();
    EXPECT_EQ(file.size(), defaults.size());
    const model_price unset{};
    for (const auto& entry : defaults) {
        const auto& model = entry.first;
        const auto& price = entry.second;
        ASSERT_TRUE(file.contains(model)) << model;
        const auto& fields = file.at(model);
        for (const auto& [name, field] : price_fields()) {
            const double value = price.*field;
            const double absent = unset.*field;
            if (value == absent)
                EXPECT_FALSE(fields.contains(std::string(name))) << model << "." << name;
            else
                EXPECT_DOUBLE_EQ(fields.value(std::string(name), absent), value)
                    << model << "." << name;
        }
    }
}

} // namespace
} // namespace donna::relay
