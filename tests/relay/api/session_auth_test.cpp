// Who a request comes from, as a route's row identifies it from the head before the body is
// read (relay/api/session_auth: identify_visitor, identify_admin): a genuine session token in
// Authorization or the WebSocket subprotocol names its visitor and site; anything else names
// no one; the admin token names the admin.
#include "api/session_auth.hpp"

#include "config/sites.hpp"
#include "settings/settings_source.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

constexpr std::int64_t now = 1'800'000'000;

class CallerIdentity : public ::testing::Test {
protected:
    CallerIdentity()
        : settings_([] {
              config c;
              c.sites = default_sites();
              c.admin_token = "admin-token-of-the-staff-0123456789";
              auto signer = token_signer::from_secret("test-secret-of-at-least-32-characters");
              return std::make_shared<const live_settings>(
                  live_settings{c, std::move(*signer), persona_catalog::defaults(), 1});
          }())
    {}

    std::string token(std::int64_t expires_at = now + 300) const
    {
        session_claims claims;
        claims.site = "demo";
        claims.persona = "general";
        claims.issued_at = now;
        claims.expires_at = expires_at;
        return settings_.current()->signer.issue(claims);
    }

    static request_context head(std::vector<std::pair<std::string, std::string>> headers)
    {
        request_context r;
        r.method = "POST";
        r.target = "/v1/voice-chat";
        r.headers = std::move(headers);
        r.self_origin = "http://127.0.0.1:8080";
        r.now_unix = now;
        return r;
    }

    settings_source settings_;
};

TEST_F(CallerIdentity, AGenuineBearerTokenNamesItsVisitorAndSite)
{
    const auto t = token();
    const auto who = identify_visitor(settings_)(head({{"Authorization", "Bearer " + t}}));
    ASSERT_TRUE(who);
    EXPECT_EQ(who->who, caller::visitor);
    EXPECT_EQ(who->site, "demo");
    EXPECT_EQ(who->id, settings_.current()->signer.verify(t, now)->token_id);
}

TEST_F(CallerIdentity, TheTokenMayComeAsAWebSocketSubprotocol)
{
    const auto who = identify_visitor(settings_)(
        head({{"Sec-WebSocket-Protocol", "realtime, openai-insecure-api-key." + token()}}));
    ASSERT_TRUE(who);
    EXPECT_EQ(who->who, caller::visitor);
}

TEST_F(CallerIdentity, AForgedExpiredOrMissingTokenNamesNoOne)
{
    auto forged = token();
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    const auto identify = identify_visitor(settings_);
    EXPECT_FALSE(identify(head({{"Authorization", "Bearer " + forged}})));
    EXPECT_FALSE(identify(head({{"Authorization", "Bearer " + token(now - 1)}})));
    EXPECT_FALSE(identify(head({})));
    // A token used from an origin its site does not allow names no one either.
    EXPECT_FALSE(identify(
        head({{"Authorization", "Bearer " + token()}, {"Origin", "https://elsewhere.example"}})));
}

TEST_F(CallerIdentity, OnlyTheAdminTokenNamesTheAdmin)
{
    const auto identify = identify_admin(settings_);
    const auto admin =
        identify(head({{"Authorization", "Bearer admin-token-of-the-staff-0123456789"}}));
    ASSERT_TRUE(admin);
    EXPECT_EQ(admin->who, caller::admin);
    EXPECT_FALSE(identify(head({{"Authorization", "Bearer " + token()}})));
}

} // namespace
} // namespace donna::relay
