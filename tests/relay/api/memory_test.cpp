// /v1/memory and memories in the chat's prompt, through the real relay over loopback, with the
// relay's SQLite database (in memory for the test).
#include "app/services.hpp"
#include "fake_openai_http.hpp"
#include "relay_harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay::test {
namespace {

using json = nlohmann::json;
const std::string admin = "admin-token-for-tests-0123456789";

config memory_config()
{
    auto c = test_config();
    c.admin_token = admin;
    return c;
}

// A token for a signed-in user, as the business's server asks for it.
std::string user_token(relay_harness& relay, const std::string& user)
{
    const auto r =
        relay.request("POST", "/v1/session", R"({"site":"demo","user_id":")" + user + "\"}",
                      {{"Authorization", "Bearer " + admin}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["token"].get<std::string>();
}

TEST(Memory, AUserAddsListsAndErasesTheirMemories)
{
    relay_harness relay(memory_config());
    const auto token = user_token(relay, "u7");
    const auto added = relay.request(
        "POST", "/v1/memory", R"({"kind":"preference","text":"Prefers email"})", bearer(token));
    ASSERT_EQ(added.status, 201) << added.body;
    ASSERT_EQ(relay
                  .request("POST", "/v1/memory", R"({"kind":"fact","text":"Works at Acme"})",
                           bearer(token))
                  .status,
              201);
    const auto listed = relay.request("GET", "/v1/memory", "", bearer(token)).json();
    EXPECT_EQ(listed["user_id"], "u7");
    ASSERT_EQ(listed["items"].size(), 2U);
    EXPECT_EQ(listed["items"][0]["text"], "Works at Acme"); // newest first
    EXPECT_EQ(listed["items"][1]["kind"], "preference");

    const auto one =
        relay.request("DELETE", "/v1/memory/" + std::to_string(added.json()["id"].get<long>()), "",
                      bearer(token));
    EXPECT_EQ(one.status, 200);
    EXPECT_EQ(relay.request("GET", "/v1/memory", "", bearer(token)).json()["items"].size(), 1U);
    const auto all = relay.request("DELETE", "/v1/memory", "", bearer(token));
    EXPECT_EQ(all.json()["erased"], 1);
    EXPECT_TRUE(relay.request("GET", "/v1/memory", "", bearer(token)).json()["items"].empty());
    // Both erasures are in the audit log.
    const auto audited =
        relay.svc().db().query("SELECT COUNT(*) FROM audit_log WHERE category = 'memory'");
    ASSERT_TRUE(audited);
    EXPECT_EQ(integer_of((*audited)[0][0]), 2);
}

TEST(Memory, UsersSeeOnlyTheirOwnMemories)
{
    relay_harness relay(memory_config());
    const auto ana = user_token(relay, "ana");
    const auto ben = user_token(relay, "ben");
    const auto added =
        relay.request("POST", "/v1/memory", R"({"kind":"fact","text":"Ana's fact"})", bearer(ana));
    ASSERT_EQ(added.status, 201);
    EXPECT_TRUE(relay.request("GET", "/v1/memory", "", bearer(ben)).json()["items"].empty());
    const auto id = std::to_string(added.json()["id"].get<long>());
    EXPECT_EQ(relay.request("DELETE", "/v1/memory/" + id, "", bearer(ben)).status, 404);
    EXPECT_EQ(relay.request("GET", "/v1/memory", "", bearer(ana)).json()["items"].size(), 1U);
}

TEST(Memory, RefusalsAreClear)
{
    relay_harness relay(memory_config());
    const auto visitor = relay.session_token("demo"); // anonymous: no user id
    EXPECT_EQ(relay.request("GET", "/v1/memory", "", bearer(visitor)).json()["error"]["code"],
              "user_required");
    EXPECT_EQ(relay.request("GET", "/v1/memory").status, 401);
    const auto token = user_token(relay, "u1");
    EXPECT_EQ(relay.request("POST", "/v1/memory", R"({"kind":"secret","text":"x"})", bearer(token))
                  .status,
              400);
    EXPECT_EQ(relay.request("POST", "/v1/memory", "nope", bearer(token)).status, 400);
    EXPECT_EQ(relay.request("PUT", "/v1/memory", "", bearer(token)).status, 405);
    // Only the business's server may name a user.
    const auto forged = relay.request("POST", "/v1/session", R"({"site":"demo","user_id":"u1"})",
                                      {{"Origin", relay.self_origin()}});
    EXPECT_EQ(forged.status, 403);
    EXPECT_EQ(forged.json()["error"]["code"], "admin_token_required");
    const auto wrong = relay.request(
        "POST", "/v1/session", R"({"site":"demo","user_id":"u1"})",
        {{"Authorization", "Bearer not-the-admin-token"}, {"Origin", relay.self_origin()}});
    EXPECT_EQ(wrong.status, 403);
}

TEST(Memory, TheChatPromptCarriesWhatDonnaRemembers)
{
    fakes::fake_openai_http fake;
    ASSERT_TRUE(fake.start());
    auto cfg = memory_config();
    cfg.openai_api_key = fakes::fake_openai_default_key();
    cfg.openai_base_url = fake.base_url();
    cfg.moderation = false;
    relay_harness relay(cfg);
    const auto token = user_token(relay, "u7");
    ASSERT_EQ(relay
                  .request("POST", "/v1/memory", R"({"kind":"preference","text":"Prefers email"})",
                           bearer(token))
                  .status,
              201);
    ASSERT_EQ(relay
                  .request("POST", "/v1/chat", R"({"message":"Hi"})",
                           {{"Authorization", "Bearer " + token}})
                  .status,
              200);
    const auto system =
        json::parse(fake.requests().at(0).body)["messages"][0]["content"].get<std::string>();
    EXPECT_NE(system.find("What you remember about this user"), std::string::npos) << system;
    EXPECT_NE(system.find("- Preference: Prefers email"), std::string::npos) << system;
    // An anonymous visitor's prompt has none of it.
    ASSERT_EQ(relay
                  .request("POST", "/v1/chat", R"({"message":"Hi"})",
                           {{"Authorization", "Bearer " + relay.session_token("demo")}})
                  .status,
              200);
    const auto anonymous =
        json::parse(fake.requests().at(1).body)["messages"][0]["content"].get<std::string>();
    EXPECT_EQ(anonymous.find("Prefers email"), std::string::npos);
}

} // namespace
} // namespace donna::relay::test
