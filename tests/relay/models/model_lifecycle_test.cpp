#include "models/model_lifecycle.hpp"

#include "config/config.hpp"
#include "persona/persona_catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace donna::relay {
namespace {

// 2026-12-07 00:00:00 UTC, and a day.
constexpr std::int64_t lifecycle_now = 1796601600;
constexpr std::int64_t lifecycle_day = 86400;

std::vector<model_use> one_use(const std::string& model)
{
    return {model_use{"chat", model, "DONNA_TEST_MODEL"}};
}

TEST(ModelList, ReadsIdsAndNullableShutdownDates)
{
    const auto listed = parse_model_list(R"({"object":"list","data":[
        {"id":"gpt-a","object":"model","created":1,"owned_by":"openai","shutdown_date":"2027-01-14"},
        {"id":"gpt-b","object":"model","created":2,"owned_by":"openai","shutdown_date":null},
        {"id":"gpt-c","object":"model","created":3,"owned_by":"system"}]})");
    ASSERT_TRUE(listed) << listed.error().message;
    ASSERT_EQ(listed->size(), 3U);
    EXPECT_EQ((*listed)[0].id, "gpt-a");
    EXPECT_EQ((*listed)[0].shutdown_date, lifecycle_now + 38 * lifecycle_day);
    EXPECT_FALSE((*listed)[1].shutdown_date);
    EXPECT_FALSE((*listed)[2].shutdown_date);
}

TEST(ModelList, AnUnreadableShutdownDateCountsAsNoneAnnounced)
{
    const auto listed = parse_model_list(R"({"data":[{"id":"a","shutdown_date":"2027-02-30"},
        {"id":"b","shutdown_date":"14.01.2027"},{"id":"c","shutdown_date":1800000000}]})");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 3U);
    for (const auto& m : *listed)
        EXPECT_FALSE(m.shutdown_date) << m.id;
}

TEST(ModelList, SkipsEntriesWithoutAnIdAndRefusesWhatIsNoList)
{
    const auto listed = parse_model_list(R"({"data":[{"object":"model"},7,{"id":"ok"}]})");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ((*listed)[0].id, "ok");
    EXPECT_FALSE(parse_model_list("not json"));
    EXPECT_FALSE(parse_model_list(R"({"object":"list"})"));
    EXPECT_FALSE(parse_model_list(R"([1,2])"));
}

TEST(ModelHealth, AModelWithoutADateOrFarFromItIsCurrent)
{
    const std::vector<listed_model> listed{{"far", lifecycle_now + 90 * lifecycle_day},
                                           {"undated", std::nullopt}};
    for (const auto* model : {"far", "undated"}) {
        const auto r = assess_models(one_use(model), listed, lifecycle_now, 60);
        ASSERT_EQ(r.size(), 1U);
        EXPECT_EQ(r[0].health, model_health::current) << model;
        EXPECT_TRUE(r[0].message.empty()) << model;
    }
}

TEST(ModelHealth, AModelShuttingDownWithinTheWindowIsRetiringWithDateDaysAndReplacement)
{
    const std::vector<listed_model> listed{{"gpt-4o", lifecycle_now + 38 * lifecycle_day + 5}};
    const auto r = assess_models(one_use("gpt-4o"), listed, lifecycle_now, 60);
    ASSERT_EQ(r.size(), 1U);
    EXPECT_EQ(r[0].health, model_health::retiring);
    EXPECT_EQ(r[0].days_left, 38);
    EXPECT_FALSE(r[0].replacement.empty());
    EXPECT_NE(r[0].message.find("DONNA_TEST_MODEL names gpt-4o"), std::string::npos)
        << r[0].message;
    EXPECT_NE(r[0].message.find("2027-01-14"), std::string::npos) << r[0].message;
    EXPECT_NE(r[0].message.find("in 38 days"), std::string::npos) << r[0].message;
    EXPECT_NE(r[0].message.find(r[0].replacement), std::string::npos) << r[0].message;
}

TEST(ModelHealth, TheWarningWindowIsTheSettingsNumberOfDays)
{
    const std::vector<listed_model> listed{{"m", lifecycle_now + 30 * lifecycle_day}};
    EXPECT_EQ(assess_models(one_use("m"), listed, lifecycle_now, 31)[0].health,
              model_health::retiring);
    EXPECT_EQ(assess_models(one_use("m"), listed, lifecycle_now, 30)[0].health,
              model_health::current);
}

TEST(ModelHealth, AModelPastItsDateIsRetired)
{
    const std::vector<listed_model> listed{{"old", lifecycle_now - 3 * lifecycle_day}};
    const auto r = assess_models(one_use("old"), listed, lifecycle_now, 60);
    EXPECT_EQ(r[0].health, model_health::retired);
    EXPECT_EQ(r[0].days_left, -3);
    EXPECT_NE(r[0].message.find("shut down on 2026-12-04"), std::string::npos) << r[0].message;
}

TEST(ModelHealth, AModelTheListDoesNotContainIsUnlisted)
{
    const auto r =
        assess_models(one_use("gpt-typo"), {{"gpt-other", std::nullopt}}, lifecycle_now, 60);
    EXPECT_EQ(r[0].health, model_health::unlisted);
    EXPECT_NE(r[0].message.find("does not contain"), std::string::npos) << r[0].message;
}

TEST(ModelReplacement, ADatedSnapshotFindsItsBaseModelsReplacement)
{
    EXPECT_EQ(recommended_replacement("gpt-4o-2024-08-06"), recommended_replacement("gpt-4o"));
    EXPECT_FALSE(recommended_replacement("gpt-4o").empty());
    EXPECT_TRUE(recommended_replacement("a-model-nobody-retired").empty());
}

TEST(ModelsInUse, NamesEveryPersonasChatModelModerationTranscriptionAndRealtimeWithTheirSettings)
{
    config cfg;
    cfg.openai_api_key = "set"; // any value: only whether a key is set matters here
    const auto uses = models_in_use(cfg, persona_catalog::defaults());
    const auto has = [&](const std::string& feature, const std::string& setting) {
        return std::any_of(uses.begin(), uses.end(), [&](const model_use& u) {
            return u.feature == feature && u.setting == setting && !u.model.empty();
        });
    };
    EXPECT_TRUE(has("realtime", "OPENAI_REALTIME_MODEL"));
    EXPECT_TRUE(has("chat", "personas.sales.model"));
    EXPECT_TRUE(has("chat", "personas.secretary.model"));
    EXPECT_TRUE(has("chat", "DONNA_MODERATION_MODEL"));
    EXPECT_TRUE(has("chat", "DONNA_TRANSCRIPTION_MODEL"));
    // A voice session transcribes the visitor's words with it too.
    EXPECT_TRUE(has("realtime", "DONNA_TRANSCRIPTION_MODEL"));
    EXPECT_EQ(uses.size(), 9U);
}

TEST(ModelsInUse, NoKeyMeansNoOpenAIModelIsInUse)
{
    config cfg;
    cfg.demo = true;
    EXPECT_TRUE(models_in_use(cfg, persona_catalog::defaults()).empty());
}

TEST(UtcDate, FormatsUnixSecondsAsAnIsoDate)
{
    EXPECT_EQ(utc_date(0), "1970-01-01");
    EXPECT_EQ(utc_date(lifecycle_now), "2026-12-07");
    EXPECT_EQ(utc_date(lifecycle_now - 1), "2026-12-06");
}

} // namespace
} // namespace donna::relay
