// The sites file: strict validation with errors that name the site and field, and origin
// matching on normalised origins.
#include "config/sites.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace donna::relay {
namespace {

constexpr std::string_view acme = R"({"sites": [
    {"id": "acme", "allowed_origins": ["https://www.acme.example", "HTTPS://Acme.Example:443"],
     "persona": "receptionist", "greeting": "Hello, Acme reception, DONNA speaking."},
    {"id": "shop-2", "allowed_origins": ["self", "http://localhost:8080"], "persona": "sales"}]})";

error parse_error(std::string_view json)
{
    auto sites = parse_sites(json);
    EXPECT_FALSE(sites) << json;
    return sites ? error{} : sites.error();
}

std::string one_site(std::string_view fields)
{
    return R"({"sites": [{"id": "acme", )" + std::string(fields) + "}]}";
}

TEST(Sites, ParsesSitesWithNormalisedOrigins)
{
    auto sites = parse_sites(acme);
    ASSERT_TRUE(sites) << sites.error().message;
    ASSERT_EQ(sites->sites.size(), 2U);
    const site& a = sites->sites[0];
    EXPECT_EQ(a.id, "acme");
    EXPECT_EQ(a.allowed_origins,
              (std::vector<std::string>{"https://www.acme.example", "https://acme.example"}));
    EXPECT_EQ(a.persona, persona::receptionist);
    EXPECT_EQ(a.greeting, "Hello, Acme reception, DONNA speaking.");
    EXPECT_EQ(sites->sites[1].greeting, "");
    EXPECT_EQ(sites->sites[1].persona, persona::sales);
}

TEST(Sites, FindsASiteById)
{
    auto sites = parse_sites(acme);
    ASSERT_TRUE(sites) << sites.error().message;
    ASSERT_NE(sites->find("shop-2"), nullptr);
    EXPECT_EQ(sites->find("shop-2")->id, "shop-2");
    EXPECT_EQ(sites->find("nobody"), nullptr);
}

TEST(Sites, NormalisesOrigins)
{
    EXPECT_EQ(normalize_origin("HTTPS://WWW.Acme.Example"), "https://www.acme.example");
    EXPECT_EQ(normalize_origin("https://acme.example:443"), "https://acme.example");
    EXPECT_EQ(normalize_origin("http://acme.example:80"), "http://acme.example");
    EXPECT_EQ(normalize_origin("http://acme.example:443"), "http://acme.example:443");
    EXPECT_EQ(normalize_origin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    EXPECT_EQ(normalize_origin("http://[::1]:8080"), "http://[::1]:8080");
}

TEST(Sites, RejectsWhatIsNotAnHttpOrigin)
{
    const char* bad[] = {"",
                         "null",
                         "acme.example",
                         "ftp://acme.example",
                         "https://acme.example/",
                         "https://acme.example/path",
                         "https://acme.example?x=1",
                         "https://acme.example#top",
                         "https://user@acme.example",
                         "https://",
                         "https://acme.example:",
                         "https://acme.example:99999",
                         "https://acme%2eexample",
                         " https://acme.example"};
    for (const char* origin : bad)
        EXPECT_FALSE(normalize_origin(origin)) << origin;
}

TEST(Sites, AllowsOnlyListedOriginsAfterNormalisation)
{
    auto sites = parse_sites(acme);
    ASSERT_TRUE(sites) << sites.error().message;
    const site& a = *sites->find("acme");
    const std::string_view self = "https://relay.example";
    EXPECT_TRUE(sites->origin_allowed(a, "https://www.acme.example", self));
    EXPECT_TRUE(sites->origin_allowed(a, "https://ACME.example:443", self));
    EXPECT_FALSE(sites->origin_allowed(a, "http://www.acme.example", self));
    EXPECT_FALSE(sites->origin_allowed(a, "https://www.acme.example:8443", self));
    EXPECT_FALSE(sites->origin_allowed(a, "https://evil.acme.example", self));
    EXPECT_FALSE(sites->origin_allowed(a, "https://www.acme.example.evil", self));
    EXPECT_FALSE(sites->origin_allowed(a, "null", self));
    EXPECT_FALSE(sites->origin_allowed(a, "", self));
    EXPECT_FALSE(sites->origin_allowed(a, self, self)) << "acme does not list self";
}

TEST(Sites, SelfAllowsTheRelaysOwnOrigin)
{
    auto sites = parse_sites(acme);
    ASSERT_TRUE(sites) << sites.error().message;
    const site& shop = *sites->find("shop-2");
    EXPECT_TRUE(shop.allowed_origins[0] == "self");
    EXPECT_TRUE(sites->origin_allowed(shop, "https://relay.example", "https://relay.example:443"));
    EXPECT_FALSE(sites->origin_allowed(shop, "https://other.example", "https://relay.example"));
    EXPECT_FALSE(sites->origin_allowed(shop, "https://relay.example", ""));
    EXPECT_TRUE(sites->origin_allowed(shop, "http://localhost:8080", ""));
}

TEST(Sites, DefaultSitesServeTheDemoToTheRelayItself)
{
    const auto sites = default_sites();
    ASSERT_EQ(sites.sites.size(), 1U);
    const site* demo = sites.find("demo");
    ASSERT_NE(demo, nullptr);
    EXPECT_EQ(demo->persona, persona::general);
    EXPECT_TRUE(sites.origin_allowed(*demo, "http://127.0.0.1:8080", "http://127.0.0.1:8080"));
    EXPECT_FALSE(sites.origin_allowed(*demo, "https://elsewhere.example", "http://127.0.0.1:8080"));
}

TEST(Sites, StructuralErrorsSayWhatIsWrong)
{
    EXPECT_EQ(parse_error("{").code, errc::invalid_json);
    EXPECT_EQ(parse_error("[]").code, errc::not_an_object);
    EXPECT_EQ(parse_error("{}").code, errc::missing_field);
    EXPECT_EQ(parse_error(R"({"sites": {}})").code, errc::wrong_type);
    EXPECT_EQ(parse_error(R"({"sites": []})").code, errc::invalid_argument);
    EXPECT_EQ(parse_error(R"({"sites": [], "site": []})").message,
              "unknown top-level field \"site\" (known: sites)");
    EXPECT_EQ(parse_error(R"({"sites": [3]})").message, "site 1: must be an object");
}

TEST(Sites, FieldErrorsNameTheSiteAndTheField)
{
    const std::pair<std::string, std::string> cases[] = {
        {R"({"sites": [{"allowed_origins": ["self"], "persona": "general"}]})",
         "site 1: \"id\" is missing"},
        {R"({"sites": [{"id": "Acme", "allowed_origins": ["self"], "persona": "general"}]})",
         "site 1: \"id\" must be 1 to 64 characters of a-z, 0-9 and '-'"},
        {R"({"sites": [{"id": ")" + std::string(65, 'a') +
             R"(", "allowed_origins": ["self"], "persona": "general"}]})",
         "site 1: \"id\" must be 1 to 64 characters of a-z, 0-9 and '-'"},
        {one_site(R"("persona": "general")"), "site 1 ('acme'): \"allowed_origins\" is missing"},
        {one_site(R"("allowed_origins": [], "persona": "general")"),
         "site 1 ('acme'): \"allowed_origins\" is empty: no page could use this site"},
        {one_site(R"("allowed_origins": ["self", 7], "persona": "general")"),
         "site 1 ('acme'): allowed_origins[1] must be a string"},
        {one_site(R"("allowed_origins": ["https://acme.example/app"], "persona": "general")"),
         "site 1 ('acme'): allowed_origins[0] 'https://acme.example/app' is not an origin: "
         "expected http(s)://host[:port] with no path, or \"self\""},
        {one_site(R"("allowed_origins": ["self"])"), "site 1 ('acme'): \"persona\" is missing"},
        {one_site(R"("allowed_origins": ["self"], "persona": "pirate")"),
         "site 1 ('acme'): persona 'pirate' is not one of general, sales, marketing, "
         "receptionist, secretary"},
        {one_site(R"("allowed_origins": ["self"], "persona": "general", "greeting": 1)"),
         "site 1 ('acme'): \"greeting\" must be a string"},
        {one_site(R"("allowed_origins": ["self"], "persona": "general", "greting": "hi")"),
         "site 1 ('acme'): unknown field \"greting\" (known: id, allowed_origins, persona, "
         "greeting, staff_emails, staff_phones, daily_email_cap, daily_sms_cap, notify_staff, "
         "templates, phone_numbers, business_hours, trust_caller_id)"},
        {one_site(R"("allowed_origins": ["self"], "persona": "general",
                     "staff_emails": ["desk at acme"])"),
         "site 1 ('acme'): staff_emails[0] must be an email address"},
        {one_site(R"("allowed_origins": ["self"], "persona": "general",
                     "staff_phones": ["555 0100"])"),
         "site 1 ('acme'): staff_phones[0] must be a phone number in E.164 form (+15550100100)"},
        {one_site(R"("allowed_origins": ["self"], "persona": "general", "daily_email_cap": -1)"),
         "site 1 ('acme'): \"daily_email_cap\" must be a whole number from 0 to 100000"},
        {one_site(R"("allowed_origins": ["self"], "persona": "general",
                     "templates": {"staff_notice": {}})"),
         "site 1 ('acme'): templates: unknown template \"staff_notice\" (known: "
         "staff_notification, visitor_confirmation)"},
        {one_site(R"("allowed_origins": ["self"], "persona": "general",
                     "templates": {"staff_notification": {"body": "x"}})"),
         "site 1 ('acme'): templates.staff_notification: unknown field \"body\" (known: "
         "subject, text, html)"},
        {one_site(R"("allowed_origins": ["self"], "persona": "general",
                     "business_hours": {"timezone": "Europe/Paris", "mon": "9-5"})"),
         "site 1 ('acme'): \"business_hours.mon\" must be \"HH:MM-HH:MM\" ranges in order, "
         "each ending after it starts, commas between (\"09:00-12:00,13:00-17:00\"), or "
         "\"closed\""},
    };
    for (const auto& [json, message] : cases)
        EXPECT_EQ(parse_error(json).message, message) << json;
}

TEST(Sites, GreetingsAreLimitedTo500Characters)
{
    // 500 two-byte characters fit; the limit counts characters, not bytes.
    std::string umlauts;
    for (int i = 0; i < 500; ++i)
        umlauts += "\xC3\xBC";
    auto fits = parse_sites(one_site(
        R"("allowed_origins": ["self"], "persona": "general", "greeting": ")" + umlauts + "\""));
    ASSERT_TRUE(fits) << fits.error().message;
    EXPECT_EQ(fits->sites[0].greeting, umlauts);

    const auto too_long = parse_error(one_site(
        R"("allowed_origins": ["self"], "persona": "general", "greeting": ")" + umlauts + "!\""));
    EXPECT_EQ(too_long.code, errc::out_of_range);
    EXPECT_EQ(too_long.message, "site 1 ('acme'): \"greeting\" is longer than 500 characters");
}

TEST(Sites, IdsMustBeUnique)
{
    const auto e = parse_error(R"({"sites": [
        {"id": "acme", "allowed_origins": ["self"], "persona": "general"},
        {"id": "acme", "allowed_origins": ["self"], "persona": "sales"}]})");
    EXPECT_EQ(e.message, "site 2 ('acme'): the id is already used by another site");
}

TEST(Sites, PhoneNumbersNameTheirSiteAndBelongToOneSiteOnly)
{
    auto sites = parse_sites(R"({"sites": [
        {"id": "acme", "allowed_origins": ["self"], "persona": "general",
         "phone_numbers": ["+15550100100"]},
        {"id": "bolt", "allowed_origins": ["self"], "persona": "sales",
         "phone_numbers": ["+15550100101", "+15550100102"]}]})");
    ASSERT_TRUE(sites) << sites.error().message;
    ASSERT_NE(sites->find_by_number("+15550100102"), nullptr);
    EXPECT_EQ(sites->find_by_number("+15550100102")->id, "bolt");
    EXPECT_EQ(sites->find_by_number("+15550100199"), nullptr);

    const auto twice = parse_error(R"({"sites": [
        {"id": "acme", "allowed_origins": ["self"], "persona": "general",
         "phone_numbers": ["+15550100100"]},
        {"id": "bolt", "allowed_origins": ["self"], "persona": "sales",
         "phone_numbers": ["+15550100100"]}]})");
    EXPECT_EQ(twice.message,
              "site 2 ('bolt'): phone number +15550100100 already belongs to site 'acme'");
    EXPECT_EQ(parse_error(one_site(R"("allowed_origins": ["self"], "persona": "general",
                                     "phone_numbers": ["555-0100"])"))
                  .message,
              "site 1 ('acme'): phone_numbers[0] must be a phone number in E.164 form "
              "(+15550100100)");
}

class SitesFile : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("donna-sites-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(SitesFile, ReadsTheFile)
{
    std::ofstream(dir_ / "sites.json") << acme;
    auto sites = read_sites_file(dir_ / "sites.json");
    ASSERT_TRUE(sites) << sites.error().message;
    EXPECT_EQ(sites->sites.size(), 2U);
}

TEST_F(SitesFile, AMissingFileIsNotFound)
{
    auto sites = read_sites_file(dir_ / "absent.json");
    ASSERT_FALSE(sites);
    EXPECT_EQ(sites.error().code, errc::not_found);
}

TEST_F(SitesFile, ErrorsArePrefixedWithThePath)
{
    std::ofstream(dir_ / "sites.json") << R"({"sites": [1]})";
    auto sites = read_sites_file(dir_ / "sites.json");
    ASSERT_FALSE(sites);
    EXPECT_EQ(sites.error().message,
              (dir_ / "sites.json").string() + ": site 1: must be an object");
}

TEST(Sites, StaffContactsCapsAndTemplatesAreRead)
{
    const auto sites = parse_sites(R"({"sites":[{"id":"acme","allowed_origins":["self"],
        "persona":"receptionist","staff_emails":["desk@acme.example"],
        "staff_phones":["+15550100100"],"daily_email_cap":5,"daily_sms_cap":0,
        "notify_staff":false,"templates":{"visitor_confirmation":{"subject":"Thanks {{name}}"}}}]})");
    ASSERT_TRUE(sites) << sites.error().message;
    const auto& s = sites->sites[0];
    EXPECT_EQ(s.staff_emails, std::vector<std::string>{"desk@acme.example"});
    EXPECT_EQ(s.staff_phones, std::vector<std::string>{"+15550100100"});
    EXPECT_EQ(s.daily_email_cap, 5);
    EXPECT_EQ(s.daily_sms_cap, 0);
    EXPECT_FALSE(s.notify_staff);
    EXPECT_EQ(s.visitor_confirmation.subject, "Thanks {{name}}");
    EXPECT_TRUE(s.staff_notification.subject.empty());
}

} // namespace
} // namespace donna::relay
