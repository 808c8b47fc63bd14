// Usage and cost metrics from the price table (relay/upstream/usage_meter).
#include "upstream/usage_meter.hpp"

#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

double value_of(const metrics_registry& registry, const std::string& series)
{
    const auto text = registry.render();
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
}

TEST(UsageMeter, PricesTokensFromTheTable)
{
    metrics_registry registry;
    usage_meter meter(registry, price_table::defaults());
    meter.tokens("openai", "gpt-4o", 1000000, 100000); // $2.50 + $1.00
    EXPECT_DOUBLE_EQ(
        value_of(registry,
                 R"(donna_upstream_cost_dollars_total{model="gpt-4o",upstream="openai"})"),
        3.5);
    EXPECT_EQ(
        value_of(
            registry,
            R"(donna_upstream_usage_total{model="gpt-4o",unit="input_tokens",upstream="openai"})"),
        1000000);
    EXPECT_EQ(
        value_of(
            registry,
            R"(donna_upstream_usage_total{model="gpt-4o",unit="output_tokens",upstream="openai"})"),
        100000);
}

TEST(UsageMeter, PricesCharactersAndAudioMinutes)
{
    metrics_registry registry;
    usage_meter meter(registry, price_table::defaults());
    meter.characters("elevenlabs", "eleven_multilingual_v2", 2000); // 2 x $0.30
    meter.audio_seconds("openai", "whisper-1", 90);                 // 1.5 min x $0.006
    EXPECT_NEAR(
        value_of(
            registry,
            R"(donna_upstream_cost_dollars_total{model="eleven_multilingual_v2",upstream="elevenlabs"})"),
        0.6, 1e-12);
    EXPECT_NEAR(
        value_of(registry,
                 R"(donna_upstream_cost_dollars_total{model="whisper-1",upstream="openai"})"),
        0.009, 1e-12);
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
    meter.tokens("openai", "gpt-9-experimental", 10, 10);
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

// docs/prices.example.json is documented as the built-in table: keep the two equal.
TEST(UsageMeter, TheExamplePricesFileIsTheBuiltInTable)
{
    const auto file = price_table::from_file(DONNA_SOURCE_DIR "/docs/prices.example.json");
    ASSERT_TRUE(file) << file.error().message;
    const auto defaults = price_table::defaults();
    for (const char* model :
         {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "whisper-1", "gpt-4o-transcribe",
          "gpt-4o-mini-transcribe", "omni-moderation-latest", "eleven_multilingual_v2", "eleven_v3",
          "eleven_flash_v2_5", "eleven_flash_v2"}) {
        const auto* a = file->find(model);
        const auto* b = defaults.find(model);
        ASSERT_NE(a, nullptr) << model;
        ASSERT_NE(b, nullptr) << model;
        EXPECT_DOUBLE_EQ(a->input_per_million_tokens, b->input_per_million_tokens) << model;
        EXPECT_DOUBLE_EQ(a->output_per_million_tokens, b->output_per_million_tokens) << model;
        EXPECT_DOUBLE_EQ(a->per_thousand_characters, b->per_thousand_characters) << model;
        EXPECT_DOUBLE_EQ(a->per_audio_minute, b->per_audio_minute) << model;
    }
}

} // namespace
} // namespace donna::relay
