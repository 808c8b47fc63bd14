// The Google OAuth2 fake over real TCP on loopback, driven by the tests' Beast client as a
// browser (the consent page) and the relay (the token and revocation endpoints) would drive
// it: redirects with the code and the state, PKCE as RFC 7636 computes it, single-use codes,
// refresh and revocation, client authentication, and the fake's clock.
#include "fake_google_oauth.hpp"
#include "http_test_client.hpp"

#include <boost/beast/http.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace donna::fakes {
namespace {

namespace http = boost::beast::http;
using oauth_json = nlohmann::json;
using oauth_fields = std::vector<std::pair<std::string, std::string>>;

// RFC 7636 appendix B's verifier and its S256 challenge: a golden vector, so that the fake's
// SHA-256 and base64url are checked against the RFC's, not against themselves.
const std::string rfc7636_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const std::string rfc7636_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const std::string relay_callback = "https://relay.acme.example/v1/google/callback";
const std::string mail_and_drive = "https://www.googleapis.com/auth/gmail.modify "
                                   "https://www.googleapis.com/auth/drive.file";

// The consent URL's query as the relay's google_consent_url writes it.
oauth_fields relay_consent_query(const std::string& client_id, const std::string& state,
                                 const std::string& access_type = "offline")
{
    return {{"response_type", "code"},
            {"client_id", client_id},
            {"redirect_uri", relay_callback},
            {"scope", mail_and_drive},
            {"state", state},
            {"code_challenge", rfc7636_challenge},
            {"code_challenge_method", "S256"},
            {"access_type", access_type},
            {"prompt", "consent"},
            {"include_granted_scopes", "true"}};
}

// Appends form-encoded fields (every byte but the unreserved ones escaped) to `url`'s query.
void append_oauth_fields(boost::urls::url& url, const oauth_fields& fields)
{
    for (const auto& [name, value] : fields)
        url.encoded_params().append({boost::urls::encode(name, boost::urls::unreserved_chars),
                                     boost::urls::encode(value, boost::urls::unreserved_chars)});
}

std::string oauth_form(const oauth_fields& fields)
{
    boost::urls::url form;
    append_oauth_fields(form, fields);
    return std::string(form.encoded_query());
}

// "Basic base64(id:secret)" (RFC 6749 section 2.3.1; these ids need no form-encoding).
std::string basic_authorization(const std::string& id, const std::string& secret)
{
    const auto pair = id + ":" + secret;
    constexpr int variant = sodium_base64_VARIANT_ORIGINAL;
    std::string text(sodium_base64_ENCODED_LEN(pair.size(), variant), '\0');
    sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(pair.data()),
                      pair.size(), variant);
    text.resize(text.size() - 1); // the terminating NUL
    return "Basic " + text;
}

// The path and query of one of the fake's URLs, with `query` appended.
std::string oauth_target(const std::string& url, const oauth_fields& query = {})
{
    boost::urls::url parsed(boost::urls::parse_uri(url).value());
    append_oauth_fields(parsed, query);
    return std::string(parsed.encoded_target());
}

http::request<http::string_body> consent_request(const fake_google_oauth& fake,
                                                 const oauth_fields& query)
{
    http::request<http::string_body> req{http::verb::get, oauth_target(fake.auth_url(), query), 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::accept, "text/html");
    return req;
}

http::request<http::string_body> form_request(const std::string& target, const oauth_fields& form,
                                              const std::string& authorization = "")
{
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    if (!authorization.empty())
        req.set(http::field::authorization, authorization);
    req.body() = oauth_form(form);
    req.prepare_payload();
    return req;
}

oauth_json oauth_body(const exchange_result& r)
{
    return oauth_json::parse(r.response.body(), nullptr, false);
}

// The query of a redirect's Location, decoded.
std::map<std::string, std::string> location_parameters(const exchange_result& r)
{
    std::map<std::string, std::string> out;
    const auto location = boost::urls::parse_uri(r.response[http::field::location]);
    EXPECT_TRUE(location) << r.response[http::field::location];
    if (location)
        for (const auto& p : location->params())
            out[p.key] = p.value;
    return out;
}

struct started_google_oauth {
    explicit started_google_oauth(const fake_google_oauth_options& options = {}) : fake(options)
    {
        const auto started = fake.start();
        EXPECT_TRUE(started) << (started ? "" : started.error().message);
    }

    // One request on a connection of its own.
    exchange_result send(http::request<http::string_body> req)
    {
        http_test_client client(fake.port());
        EXPECT_FALSE(client.connect());
        return client.exchange(std::move(req));
    }

    exchange_result consent(const oauth_fields& query)
    {
        return send(consent_request(fake, query));
    }

    // The code of a consent as the relay asks it.
    std::string consented_code(const std::string& access_type = "offline")
    {
        const auto r = consent(relay_consent_query(fake.client_id(), "st", access_type));
        EXPECT_EQ(r.response.result_int(), 302) << r.response.body();
        return location_parameters(r)["code"];
    }

    exchange_result token(const oauth_fields& form, const std::string& authorization = "")
    {
        return send(form_request(oauth_target(fake.token_url()), form, authorization));
    }

    exchange_result exchange(const std::string& code, const std::string& verifier,
                             const std::string& secret)
    {
        return token({{"grant_type", "authorization_code"},
                      {"code", code},
                      {"redirect_uri", relay_callback},
                      {"client_id", fake.client_id()},
                      {"client_secret", secret},
                      {"code_verifier", verifier}});
    }

    exchange_result exchange(const std::string& code, const std::string& verifier)
    {
        return exchange(code, verifier, fake.client_secret());
    }

    exchange_result refresh(const std::string& refresh_token)
    {
        return token({{"grant_type", "refresh_token"},
                      {"refresh_token", refresh_token},
                      {"client_id", fake.client_id()},
                      {"client_secret", fake.client_secret()}});
    }

    exchange_result revoke_in_form(const std::string& token)
    {
        return send(form_request(oauth_target(fake.revoke_url()), {{"token", token}}));
    }

    exchange_result revoke_in_query(const std::string& token)
    {
        return send(form_request(oauth_target(fake.revoke_url(), {{"token", token}}), {}));
    }

    fake_google_oauth fake;
};

TEST(FakeGoogleOAuth, ConsentRedirectsWithACodeTheScopeAndTheStateExactlyAsSent)
{
    started_google_oauth s;
    const std::string state = "v1.st+at e/\xC3\xA9&x=1";
    const auto r = s.consent(relay_consent_query(s.fake.client_id(), state));
    ASSERT_EQ(r.response.result_int(), 302) << r.response.body();
    const auto location = std::string(r.response[http::field::location]);
    EXPECT_TRUE(location.starts_with(relay_callback + "?")) << location;
    EXPECT_NE(location.find("state=v1.st%2Bat%20e%2F%C3%A9%26x%3D1"), std::string::npos)
        << location;
    auto q = location_parameters(r);
    EXPECT_TRUE(q["code"].starts_with("4/0A")) << q["code"];
    EXPECT_EQ(q["scope"], mail_and_drive);
    EXPECT_EQ(q["state"], state);
    EXPECT_EQ(q.count("error"), 0U);

    ASSERT_EQ(s.fake.consents().size(), 1U);
    const auto consent = s.fake.consents()[0];
    EXPECT_EQ(consent.client_id, s.fake.client_id());
    EXPECT_EQ(consent.redirect_uri, relay_callback);
    EXPECT_EQ(consent.scope, mail_and_drive);
    EXPECT_EQ(consent.state, state);
    EXPECT_EQ(consent.code_challenge, rfc7636_challenge);
    EXPECT_EQ(consent.code_challenge_method, "S256");
    EXPECT_EQ(consent.access_type, "offline");
    EXPECT_EQ(consent.prompt, "consent");
    EXPECT_FALSE(consent.denied);
}

TEST(FakeGoogleOAuth, TheCodeExchangeAcceptsTheVerifierWhoseS256IsTheChallenge)
{
    started_google_oauth s;
    const auto r = s.exchange(s.consented_code(), rfc7636_verifier);
    ASSERT_EQ(r.response.result_int(), 200) << r.response.body();
    EXPECT_EQ(r.response[http::field::content_type], "application/json; charset=utf-8");
    EXPECT_NE(r.response[http::field::cache_control].find("no-store"), std::string::npos);
    const auto body = oauth_body(r);
    const auto access = body["access_token"].get<std::string>();
    EXPECT_TRUE(access.starts_with("ya29.")) << access;
    EXPECT_EQ(body["expires_in"], 3599);
    EXPECT_TRUE(body["refresh_token"].get<std::string>().starts_with("1//"));
    EXPECT_EQ(body["scope"], mail_and_drive);
    EXPECT_EQ(body["token_type"], "Bearer");
    EXPECT_TRUE(s.fake.access_token_valid(access));
    EXPECT_EQ(s.fake.token_requests("authorization_code"), 1);
}

TEST(FakeGoogleOAuth, AWrongOrMissingVerifierIsInvalidGrantAndTheCodeStaysUsable)
{
    started_google_oauth s;
    const auto code = s.consented_code();
    const auto wrong = s.exchange(code, std::string(64, 'A'));
    EXPECT_EQ(wrong.response.result_int(), 400);
    EXPECT_EQ(oauth_body(wrong)["error"], "invalid_grant");
    EXPECT_EQ(oauth_body(wrong)["error_description"], "Invalid code verifier.");
    const auto missing = s.exchange(code, "");
    EXPECT_EQ(missing.response.result_int(), 400);
    EXPECT_EQ(oauth_body(missing)["error"], "invalid_grant");
    EXPECT_EQ(s.exchange(code, rfc7636_verifier).response.result_int(), 200);
}

TEST(FakeGoogleOAuth, ACodeWorksOnceAndItsReplayRevokesTheTokensItGave)
{
    started_google_oauth s;
    const auto code = s.consented_code();
    const auto first = oauth_body(s.exchange(code, rfc7636_verifier));
    const auto again = s.exchange(code, rfc7636_verifier);
    EXPECT_EQ(again.response.result_int(), 400);
    EXPECT_EQ(oauth_body(again)["error"], "invalid_grant");
    EXPECT_FALSE(s.fake.access_token_valid(first["access_token"].get<std::string>()));
    EXPECT_EQ(oauth_body(s.refresh(first["refresh_token"].get<std::string>()))["error"],
              "invalid_grant");
}

TEST(FakeGoogleOAuth, AConsentWithoutOfflineAccessGetsNoRefreshToken)
{
    started_google_oauth s;
    const auto r = s.exchange(s.consented_code("online"), rfc7636_verifier);
    ASSERT_EQ(r.response.result_int(), 200) << r.response.body();
    EXPECT_FALSE(oauth_body(r).contains("refresh_token"));
}

TEST(FakeGoogleOAuth, ACodeExpiresTenMinutesAfterTheConsentByTheFakesClock)
{
    started_google_oauth s;
    const auto code = s.consented_code();
    s.fake.advance_clock(std::chrono::minutes(10));
    const auto r = s.exchange(code, rfc7636_verifier);
    EXPECT_EQ(r.response.result_int(), 400);
    EXPECT_EQ(oauth_body(r)["error"], "invalid_grant");
}

TEST(FakeGoogleOAuth, RefreshGivesANewAccessTokenWithoutARefreshToken)
{
    started_google_oauth s;
    const auto refresh_token = s.fake.issue_refresh_token(mail_and_drive);
    const auto r = s.refresh(refresh_token);
    ASSERT_EQ(r.response.result_int(), 200) << r.response.body();
    const auto body = oauth_body(r);
    EXPECT_FALSE(body.contains("refresh_token"));
    EXPECT_EQ(body["expires_in"], 3599);
    EXPECT_EQ(body["scope"], mail_and_drive);
    EXPECT_EQ(body["token_type"], "Bearer");
    const auto access = body["access_token"].get<std::string>();
    EXPECT_TRUE(s.fake.access_token_valid(access));
    EXPECT_NE(oauth_body(s.refresh(refresh_token))["access_token"], access);
    EXPECT_EQ(s.fake.token_requests("refresh_token"), 2);
}

TEST(FakeGoogleOAuth, ARefreshMayNarrowTheScopeButNotWidenIt)
{
    started_google_oauth s;
    const auto refresh_token = s.fake.issue_refresh_token(mail_and_drive);
    auto narrowed = s.token({{"grant_type", "refresh_token"},
                             {"refresh_token", refresh_token},
                             {"scope", "https://www.googleapis.com/auth/drive.file"}},
                            basic_authorization(s.fake.client_id(), s.fake.client_secret()));
    ASSERT_EQ(narrowed.response.result_int(), 200) << narrowed.response.body();
    EXPECT_EQ(oauth_body(narrowed)["scope"], "https://www.googleapis.com/auth/drive.file");
    auto widened = s.token({{"grant_type", "refresh_token"},
                            {"refresh_token", refresh_token},
                            {"scope", "https://mail.google.com/"}},
                           basic_authorization(s.fake.client_id(), s.fake.client_secret()));
    EXPECT_EQ(widened.response.result_int(), 400);
    EXPECT_EQ(oauth_body(widened)["error"], "invalid_scope");
}

TEST(FakeGoogleOAuth, RevokeAllMakesEveryRefreshTokenInvalidGrant)
{
    started_google_oauth s;
    const auto issued = s.fake.issue_refresh_token(mail_and_drive);
    const auto exchanged = oauth_body(s.exchange(s.consented_code(), rfc7636_verifier));
    s.fake.revoke_all();
    for (const auto& token : {issued, exchanged["refresh_token"].get<std::string>()}) {
        const auto r = s.refresh(token);
        EXPECT_EQ(r.response.result_int(), 400);
        EXPECT_EQ(oauth_body(r)["error"], "invalid_grant");
        EXPECT_EQ(oauth_body(r)["error_description"], "Token has been expired or revoked.");
    }
    EXPECT_FALSE(s.fake.access_token_valid(exchanged["access_token"].get<std::string>()));
    EXPECT_TRUE(s.fake.revoked().empty()); // no /revoke request was made
}

TEST(FakeGoogleOAuth, RevokingARefreshTokenRevokesItAndTheAccessTokensFromIt)
{
    started_google_oauth s;
    const auto refresh_token = s.fake.issue_refresh_token(mail_and_drive);
    const auto access = oauth_body(s.refresh(refresh_token))["access_token"].get<std::string>();
    const auto r = s.revoke_in_form(refresh_token);
    EXPECT_EQ(r.response.result_int(), 200) << r.response.body();
    ASSERT_TRUE(s.fake.wait_revoked(1));
    EXPECT_EQ(s.fake.revoked(), std::vector<std::string>{refresh_token});
    EXPECT_FALSE(s.fake.access_token_valid(access));
    EXPECT_EQ(oauth_body(s.refresh(refresh_token))["error"], "invalid_grant");
    const auto again = s.revoke_in_form(refresh_token);
    EXPECT_EQ(again.response.result_int(), 400);
    EXPECT_EQ(oauth_body(again)["error"], "invalid_token");
}

TEST(FakeGoogleOAuth, RevokingAnAccessTokenInTheQueryRevokesItsGrantAndAnUnknownTokenIsRefused)
{
    started_google_oauth s;
    const auto refresh_token = s.fake.issue_refresh_token(mail_and_drive);
    const auto access = oauth_body(s.refresh(refresh_token))["access_token"].get<std::string>();
    EXPECT_EQ(s.revoke_in_query(access).response.result_int(), 200);
    EXPECT_FALSE(s.fake.access_token_valid(access));
    // Google: revoking an access token also revokes the refresh token it came from.
    EXPECT_EQ(oauth_body(s.refresh(refresh_token))["error"], "invalid_grant");
    const auto unknown = s.revoke_in_query("ya29.never-issued");
    EXPECT_EQ(unknown.response.result_int(), 400);
    EXPECT_EQ(oauth_body(unknown)["error"], "invalid_token");
    EXPECT_EQ(s.fake.revoked(), std::vector<std::string>{access});
}

TEST(FakeGoogleOAuth, AWrongClientSecretIsInvalidClientAndHttpBasicAuthenticatesToo)
{
    started_google_oauth s;
    const auto code = s.consented_code();
    const auto wrong = s.exchange(code, rfc7636_verifier, "not-the-secret");
    EXPECT_EQ(wrong.response.result_int(), 401);
    EXPECT_EQ(oauth_body(wrong)["error"], "invalid_client");
    const auto unknown = s.token({{"grant_type", "refresh_token"},
                                  {"refresh_token", "1//0x"},
                                  {"client_id", "someone-else.apps.googleusercontent.com"},
                                  {"client_secret", s.fake.client_secret()}});
    EXPECT_EQ(unknown.response.result_int(), 401);
    EXPECT_EQ(oauth_body(unknown)["error_description"], "The OAuth client was not found.");
    const auto basic = s.token({{"grant_type", "authorization_code"},
                                {"code", code},
                                {"redirect_uri", relay_callback},
                                {"code_verifier", rfc7636_verifier}},
                               basic_authorization(s.fake.client_id(), s.fake.client_secret()));
    EXPECT_EQ(basic.response.result_int(), 200) << basic.response.body();
}

TEST(FakeGoogleOAuth, AccessTokenValidTracksIssueExpiryAndRevocation)
{
    started_google_oauth s({.access_token_seconds = 60});
    EXPECT_FALSE(s.fake.access_token_valid("ya29.never-issued"));
    const auto refresh_token = s.fake.issue_refresh_token(mail_and_drive);
    const auto first = oauth_body(s.refresh(refresh_token));
    EXPECT_EQ(first["expires_in"], 60);
    const auto access = first["access_token"].get<std::string>();
    EXPECT_TRUE(s.fake.access_token_valid(access));
    s.fake.advance_clock(std::chrono::seconds(59));
    EXPECT_TRUE(s.fake.access_token_valid(access));
    s.fake.advance_clock(std::chrono::seconds(1));
    EXPECT_FALSE(s.fake.access_token_valid(access));

    const auto renewed = oauth_body(s.refresh(refresh_token))["access_token"].get<std::string>();
    EXPECT_TRUE(s.fake.access_token_valid(renewed));
    EXPECT_EQ(s.revoke_in_query(renewed).response.result_int(), 200);
    EXPECT_FALSE(s.fake.access_token_valid(renewed));
}

TEST(FakeGoogleOAuth, ADeniedConsentRedirectsWithAccessDeniedAndTheStateAndNoCode)
{
    started_google_oauth s;
    s.fake.deny_next_consent();
    const auto r = s.consent(relay_consent_query(s.fake.client_id(), "st-1"));
    ASSERT_EQ(r.response.result_int(), 302) << r.response.body();
    auto q = location_parameters(r);
    EXPECT_EQ(q["error"], "access_denied");
    EXPECT_EQ(q["state"], "st-1");
    EXPECT_EQ(q.count("code"), 0U);
    ASSERT_TRUE(s.fake.wait_consents(1));
    EXPECT_TRUE(s.fake.consents()[0].denied);
    EXPECT_FALSE(s.consented_code().empty()); // only the next consent was denied
}

TEST(FakeGoogleOAuth, TheConsentPageRefusesAnotherClientPlainPkceAndAMethodWithoutAChallenge)
{
    started_google_oauth s;
    const auto refused = [&](const oauth_fields& query, const std::string& says) {
        const auto r = s.consent(query);
        EXPECT_EQ(r.response.result_int(), 400) << says;
        EXPECT_EQ(r.response[http::field::content_type], "text/html; charset=utf-8");
        EXPECT_NE(r.response.body().find(says), std::string::npos) << r.response.body();
    };
    const auto with = [&](const std::string& name, const std::string& value) {
        auto query = relay_consent_query(s.fake.client_id(), "st");
        std::erase_if(query, [&](const auto& field) { return field.first == name; });
        if (!value.empty())
            query.emplace_back(name, value);
        return query;
    };
    refused(with("client_id", "someone-else.apps.googleusercontent.com"), "invalid_client");
    refused(with("code_challenge_method", "plain"), "plain");
    refused(with("code_challenge_method", ""), "plain"); // a challenge alone means plain
    refused(with("code_challenge", ""), "without code_challenge");
    refused(with("code_challenge", "too-short"), "43 base64url");
    refused(with("redirect_uri", "ftp://relay.acme.example/callback"), "redirect_uri");
    refused(with("response_type", "token"), "unsupported_response_type");
    refused(with("scope", ""), "scope");
    EXPECT_TRUE(s.fake.consents().empty());
}

TEST(FakeGoogleOAuth, TokenRequestsAreCountedByGrantTypeAndUnknownGrantTypesAreUnsupported)
{
    started_google_oauth s;
    const auto jwt = s.token(
        {{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", "x.y.z"}});
    EXPECT_EQ(jwt.response.result_int(), 400);
    EXPECT_EQ(oauth_body(jwt)["error"], "invalid_grant"); // a service account's, badly made
    const auto password = s.token({{"grant_type", "password"}, {"username", "u"}});
    EXPECT_EQ(password.response.result_int(), 400);
    EXPECT_EQ(oauth_body(password)["error"], "unsupported_grant_type");
    const auto no_code = s.token({{"grant_type", "authorization_code"},
                                  {"redirect_uri", relay_callback},
                                  {"client_id", s.fake.client_id()},
                                  {"client_secret", s.fake.client_secret()}});
    EXPECT_EQ(no_code.response.result_int(), 400);
    EXPECT_EQ(oauth_body(no_code)["error"], "invalid_request");
    EXPECT_TRUE(s.fake.wait_token_requests("authorization_code", 1));
    EXPECT_EQ(s.fake.token_requests("urn:ietf:params:oauth:grant-type:jwt-bearer"), 1);
    EXPECT_EQ(s.fake.token_requests("refresh_token"), 0);
}

TEST(FakeGoogleOAuth, AServerErrorFaultIsGooglesJson500AndTheRetryIsAnswered)
{
    started_google_oauth s;
    const auto refresh_token = s.fake.issue_refresh_token(mail_and_drive);
    s.fake.set_fault(http_fault::status_500, 1);
    const auto failed = s.refresh(refresh_token);
    EXPECT_EQ(failed.response.result_int(), 500);
    EXPECT_EQ(oauth_body(failed)["error"], "internal_failure");
    EXPECT_EQ(s.refresh(refresh_token).response.result_int(), 200);
    EXPECT_EQ(s.fake.token_requests("refresh_token"), 2);
}

TEST(FakeGoogleOAuth, TheWholeFlowRunsOverHttpsWithTheTestCertificateOnOneConnection)
{
    started_google_oauth s({.tls = true});
    EXPECT_TRUE(s.fake.token_url().starts_with("https://127.0.0.1:"));
    http_test_client client(s.fake.port(), {.tls = true, .host = "localhost"});
    ASSERT_FALSE(client.connect());
    const auto consent =
        client.exchange(consent_request(s.fake, relay_consent_query(s.fake.client_id(), "st")));
    ASSERT_EQ(consent.response.result_int(), 302) << consent.response.body();
    const auto exchanged = client.exchange(form_request(
        oauth_target(s.fake.token_url()), {{"grant_type", "authorization_code"},
                                           {"code", location_parameters(consent)["code"]},
                                           {"redirect_uri", relay_callback},
                                           {"client_id", s.fake.client_id()},
                                           {"client_secret", s.fake.client_secret()},
                                           {"code_verifier", rfc7636_verifier}}));
    ASSERT_EQ(exchanged.response.result_int(), 200) << exchanged.response.body();
    EXPECT_TRUE(
        s.fake.access_token_valid(oauth_body(exchanged)["access_token"].get<std::string>()));
    EXPECT_EQ(s.fake.tls_handshakes(), 1);
}

} // namespace
} // namespace donna::fakes
