// The fanout file: endpoints checked field by field with errors that name the endpoint, the
// secret taken from the variable the file names (never from the file), and event matching.
#include "config/fanout_file.hpp"

#include <gtest/gtest.h>

#include <map>

namespace donna::relay {
namespace {

const std::map<std::string, std::string> variables = {
    {"CRM_SECRET", "crm-signing-secret-of-at-least-32-chars"}, {"SHORT_SECRET", "too short"}};

std::optional<std::string> lookup(const std::string& name)
{
    const auto it = variables.find(name);
    return it == variables.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::string one_endpoint(const std::string& fields)
{
    return R"({"endpoints": [{"id": "crm", )" + fields + "}]}";
}

std::string error_of(const std::string& text)
{
    auto parsed = parse_fanout(text, lookup);
    EXPECT_FALSE(parsed) << text;
    return parsed ? std::string() : parsed.error().message;
}

TEST(FanoutFile, AnEndpointIsReadWithTheSecretItsVariableHolds)
{
    auto parsed = parse_fanout(
        one_endpoint(
            R"("url": "https://crm.example/hooks", "events": ["call.*", "message.finalized"],
                        "secret_env": "CRM_SECRET", "max_attempts": 12)"),
        lookup);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 1u);
    const auto& e = parsed->front();
    EXPECT_EQ(e.url, "https://crm.example/hooks");
    EXPECT_EQ(e.secret, "crm-signing-secret-of-at-least-32-chars");
    EXPECT_EQ(e.max_attempts, 12);
    EXPECT_TRUE(e.wants("call.hangup"));
    EXPECT_TRUE(e.wants("message.finalized"));
    EXPECT_FALSE(e.wants("message.received"));
    EXPECT_FALSE(e.wants("callx.hangup"));
}

TEST(FanoutFile, ErrorsNameTheEndpointAndTheField)
{
    const std::string good = R"("url": "https://crm.example/hooks", "events": ["*"], )";
    EXPECT_EQ(error_of(one_endpoint(good + R"("secret_env": "MISSING")")),
              "endpoint 1 ('crm'): MISSING must be set to a secret of at least 32 characters");
    EXPECT_EQ(error_of(one_endpoint(good + R"("secret_env": "SHORT_SECRET")")),
              "endpoint 1 ('crm'): SHORT_SECRET must be set to a secret of at least 32 "
              "characters");
    EXPECT_EQ(error_of(one_endpoint(R"("url": "ftp://crm.example", "events": ["*"],
                                       "secret_env": "CRM_SECRET")")),
              "endpoint 1 ('crm'): \"url\" must be an absolute http(s) URL");
    EXPECT_EQ(error_of(one_endpoint(good + R"("secret_env": "CRM_SECRET", "secret": "x")")),
              "endpoint 1 ('crm'): unknown field \"secret\" (known: id, url, events, secret_env, "
              "max_attempts)");
    EXPECT_EQ(error_of(one_endpoint(R"("url": "https://crm.example", "events": ["call.**"],
                                       "secret_env": "CRM_SECRET")")),
              "endpoint 1 ('crm'): each of \"events\" is a type (message.finalized), a family "
              "(call.*) or *");
    EXPECT_EQ(error_of(R"({"endpoints": [
        {"id": "crm", "url": "https://a.example", "events": ["*"], "secret_env": "CRM_SECRET"},
        {"id": "crm", "url": "https://b.example", "events": ["*"], "secret_env": "CRM_SECRET"}]})"),
              "endpoint 2 ('crm'): the id is already used");
}

} // namespace
} // namespace donna::relay
