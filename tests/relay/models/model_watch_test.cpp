// The relay's model watch over loopback: the real relay asks the fake OpenAI API for its model
// list (GET /v1/models) and reports what it found on /readyz, /metrics and in the log.
#include "app/services.hpp"
#include "fake_openai_http.hpp"
#include "models/model_watch.hpp"
#include "persona/persona_catalog.hpp"
#include "relay_harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

namespace donna::relay::test {
namespace {

using namespace std::chrono_literals;
using fakes::fake_model;
using fakes::fake_openai_http;

// A date `days` from today (UTC), as the model list writes it: the tests do not age.
std::string date_in_days(int days)
{
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return utc_date(now + std::int64_t{days} * 86400);
}

class ModelWatch : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(fake.start()); }

    // The relay's own defaults, with the model list asked for, against the fake.
    config watched() const
    {
        auto c = test_config();
        c.openai_api_key = fakes::fake_openai_default_key();
        c.openai_base_url = fake.base_url();
        c.model_check = true;
        return c;
    }

    // `extra` first, then every model `c` uses with no shutdown date (an id listed twice
    // counts as its first entry, so an extra can give one of them a date).
    void list_models_of(const config& c, std::vector<fake_model> extra = {})
    {
        for (const auto& use : models_in_use(c, persona_catalog::defaults()))
            extra.push_back({use.model});
        fake.set_models(std::move(extra));
    }

    static nlohmann::json readyz(relay_harness& relay)
    {
        EXPECT_TRUE(relay.svc().models().wait_checked(10s));
        const auto r = relay.request("GET", "/readyz");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json();
    }

    fake_openai_http fake;
};

TEST_F(ModelWatch, EveryModelCurrentLeavesTheFeaturesReadyWithNoModelReport)
{
    const auto c = watched();
    list_models_of(c);
    relay_harness relay(c);
    const auto j = readyz(relay);
    EXPECT_EQ(j["status"], "ready") << j.dump();
    EXPECT_FALSE(j["features"]["chat"].contains("models")) << j.dump();
    EXPECT_FALSE(j["features"]["realtime"].contains("models")) << j.dump();
    const auto asked = fake.requests();
    ASSERT_FALSE(asked.empty());
    EXPECT_EQ(asked[0].method, "GET");
    EXPECT_EQ(asked[0].target, "/v1/models");
    EXPECT_EQ(asked[0].headers.at("authorization"), "Bearer " + fakes::fake_openai_default_key());
}

TEST_F(ModelWatch, AModelShuttingDownWithinTheWindowIsAWarningWhileTheFeatureStaysReady)
{
    auto c = watched();
    c.transcription_model = "whisper-1";
    list_models_of(c, {{"whisper-1", date_in_days(20)}});
    std::ostringstream log;
    relay_harness relay(c, &log);
    const auto j = readyz(relay);
    EXPECT_EQ(j["status"], "ready") << j.dump();
    const auto& chat = j["features"]["chat"];
    EXPECT_EQ(chat["ready"], true) << j.dump();
    ASSERT_EQ(chat["models"].size(), 1U) << j.dump();
    const auto& m = chat["models"][0];
    EXPECT_EQ(m["model"], "whisper-1");
    EXPECT_EQ(m["setting"], "DONNA_TRANSCRIPTION_MODEL");
    EXPECT_EQ(m["health"], "retiring");
    EXPECT_EQ(m["shutdown_date"], date_in_days(20));
    EXPECT_GE(m["days_left"].get<int>(), 19);
    EXPECT_LE(m["days_left"].get<int>(), 20);
    EXPECT_EQ(m["replacement"], std::string(recommended_replacement("whisper-1")));
    EXPECT_NE(
        log.str().find("DONNA_TRANSCRIPTION_MODEL names whisper-1, which OpenAI shuts down on " +
                       date_in_days(20)),
        std::string::npos)
        << log.str();
    const auto days = relay.metric(R"(donna_model_shutdown_days{model="whisper-1"})");
    EXPECT_GE(days, 19);
    EXPECT_LE(days, 20);
}

TEST_F(ModelWatch, TheWarningWindowComesFromTheSetting)
{
    auto c = watched();
    c.transcription_model = "whisper-1";
    c.model_shutdown_warn_days = 10;
    list_models_of(c, {{"whisper-1", date_in_days(20)}});
    relay_harness relay(c);
    const auto j = readyz(relay);
    EXPECT_FALSE(j["features"]["chat"].contains("models")) << j.dump();
    // Outside the window there is no warning, but the days are still a gauge.
    EXPECT_GE(relay.metric(R"(donna_model_shutdown_days{model="whisper-1"})"), 19);
}

TEST_F(ModelWatch, AModelPastItsShutdownDateMakesItsFeatureNotReady)
{
    auto c = watched();
    c.moderation_model = "text-moderation-stable";
    list_models_of(c, {{"text-moderation-stable", date_in_days(-2)}});
    relay_harness relay(c);
    const auto j = readyz(relay);
    EXPECT_EQ(j["status"], "degraded") << j.dump();
    const auto& chat = j["features"]["chat"];
    EXPECT_EQ(chat["ready"], false) << j.dump();
    ASSERT_EQ(chat["models"].size(), 1U) << j.dump();
    EXPECT_EQ(chat["models"][0]["health"], "retired");
    EXPECT_NE(
        chat["models"][0]["message"].get<std::string>().find(
            "DONNA_MODERATION_MODEL names text-moderation-stable, which OpenAI shut down on " +
            date_in_days(-2)),
        std::string::npos)
        << j.dump();
    EXPECT_LE(relay.metric(R"(donna_model_shutdown_days{model="text-moderation-stable"})"), -2);
    // The other feature is untouched.
    EXPECT_FALSE(j["features"]["realtime"].contains("ready")) << j.dump();
}

TEST_F(ModelWatch, AModelTheListDoesNotContainMakesItsFeatureNotReady)
{
    auto c = watched();
    list_models_of(c);
    c.openai_realtime_model = "gpt-realtime-typo";
    relay_harness relay(c);
    const auto j = readyz(relay);
    EXPECT_EQ(j["status"], "degraded") << j.dump();
    const auto& realtime = j["features"]["realtime"];
    EXPECT_EQ(realtime["ready"], false) << j.dump();
    ASSERT_EQ(realtime["models"].size(), 1U) << j.dump();
    EXPECT_EQ(realtime["models"][0]["health"], "unlisted");
    EXPECT_EQ(realtime["models"][0]["setting"], "OPENAI_REALTIME_MODEL");
    EXPECT_FALSE(j["features"]["chat"].contains("models")) << j.dump();
}

TEST_F(ModelWatch, AListThatCannotBeHadChangesNoReadinessAndIsCounted)
{
    // A key the fake does not know: the list is refused with OpenAI's 401.
    auto c = watched();
    c.openai_api_key = "not-" + fakes::fake_openai_default_key();
    std::ostringstream log;
    relay_harness relay(c, &log);
    const auto j = readyz(relay);
    EXPECT_EQ(j["status"], "ready") << j.dump();
    EXPECT_FALSE(j["features"]["chat"].contains("models")) << j.dump();
    EXPECT_FALSE(j["features"]["chat"].contains("ready")) << j.dump();
    EXPECT_EQ(relay.metric("donna_model_list_failures_total"), 1);
    EXPECT_NE(log.str().find("could not read OpenAI's model list (HTTP 401)"), std::string::npos)
        << log.str();
}

TEST_F(ModelWatch, AnUnreachableListChangesNoModelVerdictAndIsCounted)
{
    // A port that was just served and closed: nothing listens there.
    std::string closed_base;
    {
        fake_openai_http gone;
        ASSERT_TRUE(gone.start());
        closed_base = gone.base_url();
    }
    auto c = watched();
    c.openai_base_url = closed_base;
    c.upstream_connect_attempts = 1;
    std::ostringstream log;
    relay_harness relay(c, &log);
    const auto j = readyz(relay);
    // The reachability probe says what it always said; the model check adds nothing.
    EXPECT_EQ(j["features"]["chat"]["reachable"], false) << j.dump();
    EXPECT_FALSE(j["features"]["chat"].contains("models")) << j.dump();
    EXPECT_FALSE(j["features"]["chat"].contains("ready")) << j.dump();
    EXPECT_EQ(relay.metric("donna_model_list_failures_total"), 1);
    EXPECT_NE(log.str().find("could not read OpenAI's model list"), std::string::npos) << log.str();
}

TEST_F(ModelWatch, AReloadAsksForTheListAgainAndJudgesTheNewSettings)
{
    auto c = watched();
    c.transcription_model = "gpt-transcribe";
    list_models_of(c, {{"whisper-1", date_in_days(5)}});
    relay_harness relay(c);
    EXPECT_FALSE(readyz(relay)["features"]["chat"].contains("models"));
    const auto asked_before = fake.requests().size();

    c.transcription_model = "whisper-1";
    ASSERT_TRUE(relay.svc().reload(c));
    const auto j = readyz(relay);
    EXPECT_GT(fake.requests().size(), asked_before);
    ASSERT_EQ(j["features"]["chat"]["models"].size(), 1U) << j.dump();
    EXPECT_EQ(j["features"]["chat"]["models"][0]["model"], "whisper-1");
}

TEST_F(ModelWatch, ModelCheckOffNeverAsksForTheList)
{
    auto c = watched();
    c.model_check = false;
    relay_harness relay(c);
    const auto j = readyz(relay);
    EXPECT_FALSE(j["features"]["chat"].contains("models")) << j.dump();
    for (const auto& r : fake.requests())
        EXPECT_NE(r.target, "/v1/models");
}

} // namespace
} // namespace donna::relay::test
