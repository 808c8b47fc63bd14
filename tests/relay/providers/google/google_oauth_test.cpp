// Google's OAuth2 as the relay speaks it (relay/providers/google/google_oauth), without I/O:
// PKCE as RFC 7636 computes it, the consent URL's parameters, the token endpoint's requests
// (form-encoded, the client's credentials), and its answers, error codes included.
#include "providers/google/google_oauth.hpp"

#include "config/config.hpp"

#include <boost/url/parse.hpp>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace donna::relay {
namespace {

config google_config()
{
    config cfg;
    cfg.google_client_id = "123-donna.apps.googleusercontent.com";
    cfg.google_client_secret = "GOCSPX-secret";
    cfg.google_redirect_uri = "https://relay.acme.example/v1/google/callback";
    return cfg;
}

std::map<std::string, std::string> form_of(const std::string& body)
{
    std::map<std::string, std::string> fields;
    const auto target = "/?" + body; // the view below refers to it: kept alive
    const auto parsed = boost::urls::parse_origin_form(target);
    EXPECT_TRUE(parsed) << body;
    if (parsed)
        for (const auto& p : parsed->params())
            fields[p.key] = p.value;
    return fields;
}

upstream_response answer_of(unsigned status, std::string body)
{
    upstream_response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

TEST(GoogleOAuth, ThePkceChallengeIsRfc7636sS256)
{
    // RFC 7636 appendix B's example.
    EXPECT_EQ(pkce_s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
              "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(GoogleOAuth, AVerifierIs64UnreservedCharactersAndNeverRepeats)
{
    const auto a = new_pkce_verifier();
    const auto b = new_pkce_verifier();
    EXPECT_EQ(a.size(), 64u);
    EXPECT_NE(a, b);
    EXPECT_EQ(
        a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"),
        std::string::npos);
}

TEST(GoogleOAuth, TheConsentUrlAsksForOfflineAccessWithPkceAndTheScopesInGooglesForm)
{
    auto cfg = google_config();
    cfg.google_scopes = "gmail.modify  https://www.googleapis.com/auth/drive.file";
    const auto url = google_consent_url(cfg, {.state = "st.ate", .code_challenge = "ch+al/le"});
    const auto parsed = boost::urls::parse_uri(url);
    ASSERT_TRUE(parsed) << url;
    EXPECT_EQ(parsed->host(), "accounts.google.com");
    EXPECT_EQ(parsed->path(), "/o/oauth2/v2/auth");
    std::map<std::string, std::string> q;
    for (const auto& p : parsed->params())
        q[p.key] = p.value;
    EXPECT_EQ(q["response_type"], "code");
    EXPECT_EQ(q["client_id"], "123-donna.apps.googleusercontent.com");
    EXPECT_EQ(q["redirect_uri"], "https://relay.acme.example/v1/google/callback");
    EXPECT_EQ(q["scope"], "https://www.googleapis.com/auth/gmail.modify "
                          "https://www.googleapis.com/auth/drive.file");
    EXPECT_EQ(q["state"], "st.ate");
    EXPECT_EQ(q["code_challenge"], "ch+al/le");
    EXPECT_EQ(q["code_challenge_method"], "S256");
    EXPECT_EQ(q["access_type"], "offline");
    EXPECT_EQ(q["prompt"], "consent");
}

TEST(GoogleOAuth, TheSeedsGmailClientIsUsedWhenNoGoogleClientIsSet)
{
    config cfg;
    cfg.gmail_client_id = "seed-client";
    cfg.gmail_client_secret = "seed-secret";
    EXPECT_EQ(google_client(cfg).id, "seed-client");
    EXPECT_EQ(google_client(cfg).secret, "seed-secret");
    EXPECT_EQ(google_client(google_config()).id, "123-donna.apps.googleusercontent.com");
}

TEST(GoogleOAuth, TheCodeExchangeIsAFormPostWithTheVerifierAndTheClientsCredentials)
{
    const auto req = google_code_exchange_request(google_config(), "4/0Ab+c d", "verif-ier");
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.url, "https://oauth2.googleapis.com/token");
    bool form = false;
    for (const auto& [name, value] : req.headers)
        form = form || (name == "Content-Type" && value == "application/x-www-form-urlencoded");
    EXPECT_TRUE(form);
    // '+' and ' ' percent-encoded: a form decoder cannot turn one into the other.
    EXPECT_NE(req.body.find("code=4%2F0Ab%2Bc%20d"), std::string::npos) << req.body;
    auto f = form_of(req.body);
    EXPECT_EQ(f["grant_type"], "authorization_code");
    EXPECT_EQ(f["code"], "4/0Ab+c d");
    EXPECT_EQ(f["code_verifier"], "verif-ier");
    EXPECT_EQ(f["redirect_uri"], "https://relay.acme.example/v1/google/callback");
    EXPECT_EQ(f["client_id"], "123-donna.apps.googleusercontent.com");
    EXPECT_EQ(f["client_secret"], "GOCSPX-secret");
}

TEST(GoogleOAuth, TheRefreshAndTheRevocationCarryTheirToken)
{
    const auto refresh = google_refresh_request(google_config(), "1//refresh");
    auto f = form_of(refresh.body);
    EXPECT_EQ(f["grant_type"], "refresh_token");
    EXPECT_EQ(f["refresh_token"], "1//refresh");
    EXPECT_EQ(f["client_secret"], "GOCSPX-secret");
    const auto revoke = google_revoke_request(google_config(), "1//refresh");
    EXPECT_EQ(revoke.url, "https://oauth2.googleapis.com/revoke");
    EXPECT_EQ(form_of(revoke.body)["token"], "1//refresh");
}

TEST(GoogleOAuth, ATokenAnswerIsReadWithItsRefreshTokenWhenGiven)
{
    auto response = answer_of(200, R"({"access_token":"ya29.a0","expires_in":3599,)"
                                   R"("refresh_token":"1//0g","scope":"https://www.googleapis.)"
                                   R"(com/auth/gmail.send","token_type":"Bearer"})");
    const auto answer = read_google_token_answer(response);
    ASSERT_TRUE(answer.tokens) << answer.error;
    EXPECT_EQ(answer.tokens->access_token, "ya29.a0");
    EXPECT_EQ(answer.tokens->expires_in, 3599);
    EXPECT_EQ(answer.tokens->refresh_token, "1//0g");
    EXPECT_EQ(answer.tokens->token_type, "Bearer");
    response.body = R"({"access_token":"ya29.b","expires_in":3599,"token_type":"Bearer"})";
    const auto refreshed = read_google_token_answer(response);
    ASSERT_TRUE(refreshed.tokens);
    EXPECT_TRUE(refreshed.tokens->refresh_token.empty()); // keep the one already held
}

TEST(GoogleOAuth, InvalidGrantAndOtherRefusalsAreToldApart)
{
    const auto grant = read_google_token_answer(answer_of(
        400,
        R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})"));
    EXPECT_FALSE(grant.tokens);
    EXPECT_TRUE(grant.invalid_grant());
    EXPECT_EQ(grant.description, "Token has been expired or revoked.");
    const auto client = read_google_token_answer(answer_of(401, R"({"error":"invalid_client"})"));
    EXPECT_EQ(client.error, "invalid_client");
    EXPECT_FALSE(client.invalid_grant());
    EXPECT_EQ(read_google_token_answer(answer_of(502, "<html>Bad gateway</html>")).error,
              "http_502");
    EXPECT_EQ(read_google_token_answer(answer_of(200, R"({"token_type":"Bearer"})")).error,
              "malformed");
}

} // namespace
} // namespace donna::relay
