// Business hours: POSIX TZ rules (as the zone files' footers write them) applied across
// daylight-time changes in both hemispheres, the zone files read from Debian's tzdata, the
// week's hours checked at their edges, and the sites file's mistakes refused by name.
#include "config/business_hours.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

namespace donna::relay {
namespace {

// Unix seconds of a UTC date and time.
std::int64_t utc(int y, unsigned m, unsigned d, int hh, int mm = 0, int ss = 0)
{
    const std::chrono::sys_days date{std::chrono::year{y} / std::chrono::month{m} /
                                     std::chrono::day{d}};
    return date.time_since_epoch().count() * std::int64_t{86400} + std::int64_t{hh} * 3600 +
           std::int64_t{mm} * 60 + ss;
}

TEST(TimeZoneRule, NewYorksRuleChangesAtTwoInTheMorningLocalTimeBothWays)
{
    const auto rule = parse_posix_tz("EST5EDT,M3.2.0,M11.1.0");
    ASSERT_TRUE(rule) << rule.error().message;
    EXPECT_EQ(rule->offset_at(utc(2026, 1, 15, 12)), -5 * 3600);
    EXPECT_EQ(rule->offset_at(utc(2026, 7, 1, 12)), -4 * 3600);
    // 2026-03-08 02:00 EST is 07:00 UTC; 2026-11-01 02:00 EDT is 06:00 UTC.
    EXPECT_EQ(rule->offset_at(utc(2026, 3, 8, 6, 59, 59)), -5 * 3600);
    EXPECT_EQ(rule->offset_at(utc(2026, 3, 8, 7)), -4 * 3600);
    EXPECT_EQ(rule->offset_at(utc(2026, 11, 1, 5, 59, 59)), -4 * 3600);
    EXPECT_EQ(rule->offset_at(utc(2026, 11, 1, 6)), -5 * 3600);
}

TEST(TimeZoneRule, SydneysSummerSpansTheNewYear)
{
    const auto rule = parse_posix_tz("AEST-10AEDT,M10.1.0,M4.1.0/3");
    ASSERT_TRUE(rule) << rule.error().message;
    EXPECT_EQ(rule->offset_at(utc(2026, 1, 15, 0)), 11 * 3600);
    EXPECT_EQ(rule->offset_at(utc(2026, 7, 1, 0)), 10 * 3600);
    EXPECT_EQ(rule->offset_at(utc(2026, 12, 25, 0)), 11 * 3600);
}

TEST(TimeZoneRule, AZoneWithoutDaylightTimeAndAnAngleBracketNameKeepsOneOffset)
{
    const auto rule = parse_posix_tz("<+0330>-3:30");
    ASSERT_TRUE(rule) << rule.error().message;
    EXPECT_FALSE(rule->has_dst);
    EXPECT_EQ(rule->offset_at(utc(2026, 7, 1, 0)), 3 * 3600 + 30 * 60);
}

TEST(TimeZoneRule, RulesItCannotApplyAreRefused)
{
    EXPECT_FALSE(parse_posix_tz(""));
    EXPECT_FALSE(parse_posix_tz("EST"));                     // no offset
    EXPECT_FALSE(parse_posix_tz("EST5EDT"));                 // daylight time with no dates
    EXPECT_FALSE(parse_posix_tz("EST5EDT,J60,J300"));        // the Jn form
    EXPECT_FALSE(parse_posix_tz("EST5EDT,M13.2.0,M11.1.0")); // no 13th month
}

TEST(TimeZoneFile, TheFootersRuleIsReadFromDebiansZoneFile)
{
    const auto zone = load_time_zone("America/New_York");
    ASSERT_TRUE(zone) << zone.error().message;
    EXPECT_EQ(zone->offset_at(utc(2026, 7, 1, 12)), -4 * 3600);
    EXPECT_EQ(zone->offset_at(utc(2026, 12, 7, 12)), -5 * 3600);
    const auto paris = load_time_zone("Europe/Paris");
    ASSERT_TRUE(paris) << paris.error().message;
    EXPECT_EQ(paris->offset_at(utc(2026, 7, 1, 12)), 2 * 3600);
}

TEST(TimeZoneFile, APathOrAnUnknownZoneIsNotAZone)
{
    EXPECT_EQ(load_time_zone("../../etc/passwd").error().code, errc::invalid_argument);
    EXPECT_EQ(load_time_zone("/etc/localtime").error().code, errc::invalid_argument);
    EXPECT_EQ(load_time_zone("Nowhere/Atlantis").error().code, errc::not_found);
}

TEST(BusinessHours, OpenFromNineToFiveInTheBusinessesOwnZone)
{
    const auto hours = parse_business_hours(nlohmann::json{
        {"timezone", "America/New_York"}, {"mon", "09:00-12:00,13:00-17:00"}, {"sat", "closed"}});
    ASSERT_TRUE(hours) << hours.error().message;
    // Monday 2026-12-07 in New York (EST, UTC-5).
    EXPECT_FALSE(hours->open_at(utc(2026, 12, 7, 13, 59, 59))); // 08:59:59
    EXPECT_TRUE(hours->open_at(utc(2026, 12, 7, 14)));          // 09:00
    EXPECT_FALSE(hours->open_at(utc(2026, 12, 7, 17, 30)));     // 12:30, lunch
    EXPECT_TRUE(hours->open_at(utc(2026, 12, 7, 21, 59)));      // 16:59
    EXPECT_FALSE(hours->open_at(utc(2026, 12, 7, 22)));         // 17:00
    // Monday 2026-07-06, daylight time (UTC-4): 09:00 is 13:00 UTC.
    EXPECT_TRUE(hours->open_at(utc(2026, 7, 6, 13)));
    // Tuesday: not listed, closed.
    EXPECT_FALSE(hours->open_at(utc(2026, 12, 8, 15)));
    EXPECT_EQ(hours->after_hours, business_hours::after::answer);
    EXPECT_EQ(hours->describe(),
              "Monday 09:00-12:00, 13:00-17:00; Tuesday closed; Wednesday closed; Thursday "
              "closed; Friday closed; Saturday closed; Sunday closed (time zone "
              "America/New_York)");
}

TEST(BusinessHours, MistakesInTheSitesFileAreRefusedByName)
{
    const auto refused = [](const nlohmann::json& j) {
        auto h = parse_business_hours(j);
        return h ? std::string() : h.error().message;
    };
    EXPECT_NE(refused({{"mon", "09:00-17:00"}}).find("timezone"), std::string::npos);
    EXPECT_NE(refused({{"timezone", "UTC"}, {"mon", "9-5"}}).find("business_hours.mon"),
              std::string::npos);
    EXPECT_NE(refused({{"timezone", "UTC"}, {"fri", "22:00-02:00"}}).find("business_hours.fri"),
              std::string::npos);
    EXPECT_NE(refused({{"timezone", "UTC"}, {"monday", "09:00-17:00"}}).find("unknown field"),
              std::string::npos);
    EXPECT_NE(refused({{"timezone", "UTC"}, {"after_hours", "voicemail"}}).find("after_hours"),
              std::string::npos);
    EXPECT_NE(refused({{"timezone", "Mars/Olympus"}}).find("Mars/Olympus"), std::string::npos);
    EXPECT_TRUE(
        refused({{"timezone", "UTC"}, {"sun", "00:00-24:00"}, {"after_hours", "message"}}).empty());
}

} // namespace
} // namespace donna::relay
