// Connecting the business's Google account (google/google_account, api/google_endpoint): the
// whole consent over real loopback connections, a relay and the Google OAuth fake, as the
// admin's browser would walk it (connect, Google's consent page, the redirect back with the
// cookie), and what goes wrong: a forged, replayed or someone else's state, a code from
// another flow (PKCE), a declined consent; then the access tokens: one refresh for callers
// who race, invalid_grant breaking the connection (on /readyz too), and the disconnect.
#include "eventually.hpp"
#include "fake_google_oauth.hpp"
#include "relay_harness.hpp"
#include "test_pki.hpp"

#include "app/services.hpp"
#include "auth/random_id.hpp"
#include "google/google_account.hpp"

#include "database_bytes.hpp"
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <future>

namespace donna::relay {
namespace {

using donna::test::eventually;

const std::string data_key = donna::test::new_data_key(); // made for this run

// One step of a browser: the answer, and the Location it is sent on to.
struct step {
    test::http_result answer;
    std::string location() const
    {
        const auto it = answer.headers.find("location");
        return it == answer.headers.end() ? std::string() : it->second;
    }
};

class GoogleConnect : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(google_.start());
        dir_ = std::filesystem::temp_directory_path() / ("donna-google-" + random_hex(8));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override
    {
        relay_.reset();
        std::filesystem::remove_all(dir_);
    }

    void start(const std::function<void(config&)>& adjust = {})
    {
        auto cfg = test::test_config();
        cfg.admin_token = test::test_admin_token;
        cfg.database = (dir_ / "donna.db").string();
        cfg.data_key = data_key;
        cfg.google_client_id = google_.client_id();
        cfg.google_client_secret = google_.client_secret();
        cfg.google_auth_url = google_.auth_url();
        cfg.google_token_url = google_.token_url();
        cfg.google_revoke_url = google_.revoke_url();
        if (adjust)
            adjust(cfg);
        relay_ = std::make_unique<test::relay_harness>(cfg);
        cfg.google_redirect_uri = relay_->self_origin() + "/v1/google/callback";
        ASSERT_TRUE(relay_->svc().reload(cfg));
    }

    // POST /v1/google/connect: Google's consent URL and the binding cookie ("name=value").
    std::pair<std::string, std::string> connect()
    {
        const auto r =
            relay_->request("POST", "/v1/google/connect", "", test::bearer(test::test_admin_token));
        EXPECT_EQ(r.status, 200) << r.body;
        const auto cookie = r.headers.count("set-cookie") ? r.headers.at("set-cookie") : "";
        EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
        EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << cookie;
        return {r.json().value("authorization_url", ""), cookie.substr(0, cookie.find(';'))};
    }

    // The browser at Google's consent page: the redirect back to the relay.
    std::string consent(const std::string& url)
    {
        const auto parsed = boost::urls::parse_uri(url);
        EXPECT_TRUE(parsed) << url;
        const auto r =
            test::http_request(google_.port(), "GET", std::string(parsed->encoded_target()));
        EXPECT_EQ(r.status, 302) << r.body;
        const auto it = r.headers.find("location");
        return it == r.headers.end() ? std::string() : it->second;
    }

    // The browser back at the relay, with the cookie (or none).
    test::http_result come_back(const std::string& location, const std::string& cookie)
    {
        const auto parsed = boost::urls::parse_uri(location);
        EXPECT_TRUE(parsed) << location;
        std::map<std::string, std::string> headers;
        if (!cookie.empty())
            headers["Cookie"] = "other=1; " + cookie;
        return relay_->request("GET", std::string(parsed->encoded_target()), "", headers);
    }

    nlohmann::json connection()
    {
        return relay_->request("GET", "/v1/google", "", test::bearer(test::test_admin_token))
            .json()["connection"];
    }

    // access_token() from the relay's google_account, waited for.
    result<std::string> access_token()
    {
        std::promise<result<std::string>> got;
        relay_->svc().google().access_token(
            [&got](result<std::string> token) { got.set_value(std::move(token)); });
        return got.get_future().get();
    }

    std::string on_disk() const { return donna::test::database_bytes(dir_ / "donna.db"); }

    fakes::fake_google_oauth google_;
    std::filesystem::path dir_;
    std::unique_ptr<test::relay_harness> relay_;
};

TEST_F(GoogleConnect, TheAdminsConsentConnectsTheAccountAndOnlyItsSealedTokenIsStored)
{
    start();
    EXPECT_EQ(connection()["state"], "not_connected");
    const auto [url, cookie] = connect();
    const auto back = consent(url);
    const auto consents = google_.consents();
    ASSERT_EQ(consents.size(), 1u);
    EXPECT_EQ(consents[0].code_challenge_method, "S256");
    EXPECT_EQ(consents[0].access_type, "offline");
    EXPECT_EQ(consents[0].prompt, "consent");
    EXPECT_EQ(consents[0].redirect_uri, relay_->self_origin() + "/v1/google/callback");
    const auto page = come_back(back, cookie);
    EXPECT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("Google account connected"), std::string::npos);
    const auto now = connection();
    EXPECT_EQ(now["state"], "connected");
    EXPECT_EQ(now["source"], "consent");
    EXPECT_NE(now["scopes"].get<std::string>().find("gmail.modify"), std::string::npos);
    EXPECT_EQ(google_.token_requests("authorization_code"), 1);
    // The token works, and nothing Google handed out is on disk in plain text.
    const auto token = access_token();
    ASSERT_TRUE(token) << token.error().message;
    EXPECT_TRUE(google_.access_token_valid(*token));
    const auto refresh = google_.issued_refresh_tokens();
    ASSERT_EQ(refresh.size(), 1u);
    const auto bytes = on_disk();
    EXPECT_EQ(bytes.find(refresh[0]), std::string::npos);
    EXPECT_EQ(bytes.find(*token), std::string::npos);
}

TEST_F(GoogleConnect, AReplayedStateIsRefusedAndTheFirstConnectionStands)
{
    start();
    const auto [url, cookie] = connect();
    const auto back = consent(url);
    ASSERT_EQ(come_back(back, cookie).status, 200);
    const auto replay = come_back(back, cookie);
    EXPECT_EQ(replay.status, 400);
    EXPECT_NE(replay.body.find("already used"), std::string::npos) << replay.body;
    EXPECT_EQ(google_.token_requests("authorization_code"), 1); // the code was not tried again
    EXPECT_EQ(connection()["state"], "connected");
    EXPECT_TRUE(eventually(
        [&] { return relay_->metric("donna_errors_total{code=\"oauth_state_invalid\"}") == 1; }));
}

TEST_F(GoogleConnect, AForgedStateOrAnotherBrowsersRedirectIsRefused)
{
    start();
    const auto [url, cookie] = connect();
    const auto back = consent(url);
    // Another browser (another flow's cookie, or none) cannot finish a consent, and the
    // state is spent by the attempt.
    const auto [other_url, other_cookie] = connect();
    const auto wrong_browser = come_back(back, other_cookie);
    EXPECT_EQ(wrong_browser.status, 400);
    EXPECT_NE(wrong_browser.body.find("another browser"), std::string::npos) << wrong_browser.body;
    EXPECT_EQ(come_back(back, cookie).status, 400);
    const auto no_cookie = come_back(consent(other_url), "");
    EXPECT_EQ(no_cookie.status, 400);
    EXPECT_NE(no_cookie.body.find("another browser"), std::string::npos) << no_cookie.body;
    // A state the relay never signed.
    const auto forged = relay_->request(
        "GET", "/v1/google/callback?code=4%2F0A&state=dt1.eyJmb3JnZWQiOnRydWV9.c2ln", "",
        {{"Cookie", cookie}});
    EXPECT_EQ(forged.status, 400);
    EXPECT_NE(forged.body.find("not one this relay signed"), std::string::npos);
    EXPECT_EQ(google_.token_requests("authorization_code"), 0);
    EXPECT_EQ(connection()["state"], "not_connected");
}

TEST_F(GoogleConnect, ACodeFromAnotherFlowFailsPkceAndIsRefused)
{
    start();
    const auto [first_url, first_cookie] = connect();
    const auto [second_url, second_cookie] = connect();
    const auto first_back = consent(first_url);
    const auto second_back = consent(second_url);
    // The second flow's state and cookie with the first flow's code: Google checks the
    // second flow's verifier against the first consent's challenge.
    const auto first_code = (*boost::urls::parse_uri(first_back)->params().find("code")).value;
    boost::urls::url swapped(second_back);
    swapped.params().set("code", first_code);
    const auto page = come_back(std::string(swapped.buffer()), second_cookie);
    EXPECT_EQ(page.status, 502) << page.body;
    EXPECT_NE(page.body.find("invalid_grant"), std::string::npos) << page.body;
    EXPECT_EQ(connection()["state"], "not_connected");
    (void)first_cookie;
}

TEST_F(GoogleConnect, AConsentsStateIsNoVisitorsSessionToken)
{
    start();
    const auto [url, cookie] = connect();
    const auto parsed = boost::urls::parse_uri(url);
    ASSERT_TRUE(parsed);
    const auto state = (*parsed->params().find("state")).value;
    // Signed by the same key as a visitor's token, but it opens no chat and no session.
    const auto chat =
        relay_->request("POST", "/v1/chat", R"({"message":"hello"})", test::bearer(state));
    EXPECT_EQ(chat.status, 401) << chat.body;
    EXPECT_EQ(chat.json()["error"]["code"], "invalid_session_token");
    EXPECT_EQ(relay_->refused_upgrade({.token = state}).status, 401);
    (void)cookie;
}

TEST_F(GoogleConnect, ADeclinedConsentConnectsNothingAndSaysSo)
{
    start();
    google_.deny_next_consent();
    const auto [url, cookie] = connect();
    const auto page = come_back(consent(url), cookie);
    EXPECT_EQ(page.status, 403);
    EXPECT_NE(page.body.find("access_denied"), std::string::npos) << page.body;
    EXPECT_EQ(connection()["state"], "not_connected");
}

TEST_F(GoogleConnect, WithoutADataKeyNoConsentStartsAndTheReasonNamesTheSetting)
{
    start([](config& cfg) { cfg.data_key.clear(); });
    const auto r =
        relay_->request("POST", "/v1/google/connect", "", test::bearer(test::test_admin_token));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.json()["error"]["code"], "google_not_configured");
    EXPECT_NE(r.body.find("DONNA_DATA_KEY"), std::string::npos);
    EXPECT_EQ(relay_->request("POST", "/v1/google/connect").status, 401);
}

TEST_F(GoogleConnect, TwoCallersRacingForATokenMakeOneRefresh)
{
    const auto seed = google_.issue_refresh_token("https://www.googleapis.com/auth/gmail.send");
    start([&](config& cfg) { cfg.gmail_refresh_token = seed; });
    EXPECT_EQ(connection()["source"], "environment");
    std::promise<result<std::string>> first, second;
    auto& account = relay_->svc().google();
    account.access_token([&](result<std::string> t) { first.set_value(std::move(t)); });
    account.access_token([&](result<std::string> t) { second.set_value(std::move(t)); });
    const auto a = first.get_future().get();
    const auto b = second.get_future().get();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b);
    EXPECT_EQ(google_.token_requests("refresh_token"), 1);
    // Held while it is fresh: no request for the next caller.
    ASSERT_TRUE(access_token());
    EXPECT_EQ(google_.token_requests("refresh_token"), 1);
}

TEST_F(GoogleConnect, InvalidGrantBreaksTheConnectionAndReadyzSaysWhatToDo)
{
    const auto seed = google_.issue_refresh_token("https://www.googleapis.com/auth/gmail.send");
    start([&](config& cfg) { cfg.gmail_refresh_token = seed; });
    google_.revoke_all(); // the account's owner removed DONNA's access
    const auto token = access_token();
    ASSERT_FALSE(token);
    EXPECT_EQ(token.error().code, errc::unauthorized);
    EXPECT_NE(token.error().message.find("invalid_grant"), std::string::npos);
    EXPECT_EQ(connection()["state"], "broken");
    const auto ready = relay_->request("GET", "/readyz").json();
    EXPECT_EQ(ready["status"], "degraded") << ready.dump();
    EXPECT_EQ(ready["features"]["google"]["ready"], false) << ready.dump();
    EXPECT_NE(
        ready["features"]["google"]["what_to_do"].get<std::string>().find("/v1/google/connect"),
        std::string::npos);
    // Broken stays broken: no more requests that Google would refuse.
    EXPECT_FALSE(access_token());
    EXPECT_EQ(google_.token_requests("refresh_token"), 1);
    EXPECT_EQ(relay_->metric("donna_google_token_refreshes_total{outcome=\"invalid_grant\"}"), 1);
}

TEST_F(GoogleConnect, DisconnectRevokesTheTokenAtGoogleAndForgetsIt)
{
    start();
    const auto [url, cookie] = connect();
    ASSERT_EQ(come_back(consent(url), cookie).status, 200);
    const auto refresh = google_.issued_refresh_tokens();
    ASSERT_EQ(refresh.size(), 1u);
    const auto r =
        relay_->request("DELETE", "/v1/google", "", test::bearer(test::test_admin_token));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["connection"]["state"], "not_connected");
    const auto revoked = google_.revoked();
    ASSERT_EQ(revoked.size(), 1u);
    EXPECT_EQ(revoked[0], refresh[0]);
    EXPECT_FALSE(access_token());
}

} // namespace
} // namespace donna::relay
