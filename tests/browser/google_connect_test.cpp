// Connecting the business's Google account in Debian's Chromium (google_connect.mjs): the real
// browser keeps the relay's binding cookie, follows Google's (the fake's) redirect back to the
// callback, and the relay stores the connection; the SQLite file holds no token bytes.
#include "command_output.hpp"
#include "database_bytes.hpp"
#include "fake_google_oauth.hpp"
#include "relay_harness.hpp"
#include "test_pki.hpp"

#include "app/services.hpp"
#include "auth/random_id.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace donna::relay {
namespace {

TEST(BrowserGoogle, AnAdminConnectsTheAccountInChromiumAndOnlyItsSealedTokenIsStored)
{
    fakes::fake_google_oauth google;
    ASSERT_TRUE(google.start());
    const auto dir =
        std::filesystem::temp_directory_path() / ("donna-google-browser-" + random_hex(8));
    std::filesystem::create_directories(dir);
    auto cfg = test::test_config();
    cfg.admin_token = test::test_admin_token;
    cfg.database = (dir / "donna.db").string();
    cfg.data_key = donna::test::new_data_key();
    cfg.google_client_id = google.client_id();
    cfg.google_client_secret = google.client_secret();
    cfg.google_auth_url = google.auth_url();
    cfg.google_token_url = google.token_url();
    cfg.google_revoke_url = google.revoke_url();
    {
        test::relay_harness relay(cfg);
        cfg.google_redirect_uri = relay.self_origin() + "/v1/google/callback";
        ASSERT_TRUE(relay.svc().reload(cfg));
        const auto r = donna::test::run_command("DONNA_RELAY_URL='" + relay.self_origin() +
                                                "' DONNA_ADMIN_TOKEN='" + test::test_admin_token +
                                                "' node '" DONNA_SOURCE_DIR
                                                "/tests/browser/google_connect.mjs' 2>&1");
        ASSERT_EQ(r.exit_code, 0) << r.output;
        const auto page = nlohmann::json::parse(r.last_line(), nullptr, false);
        EXPECT_EQ(page["title"], "Google account connected") << r.output;
        EXPECT_FALSE(page["script_saw_cookie"].get<bool>()) << r.output; // HttpOnly
        EXPECT_FALSE(page["cookie_left"].get<bool>()) << r.output;       // spent with the flow
        const auto connection =
            relay.request("GET", "/v1/google", "", test::bearer(test::test_admin_token))
                .json()["connection"];
        EXPECT_EQ(connection["state"], "connected") << connection.dump();
        EXPECT_EQ(google.token_requests("authorization_code"), 1);
    }
    // The relay has stopped: what it kept is on disk, and Google's tokens are not, in any form
    // but sealed.
    const auto bytes = donna::test::database_bytes(dir / "donna.db");
    EXPECT_FALSE(bytes.empty());
    const auto refresh = google.issued_refresh_tokens();
    ASSERT_EQ(refresh.size(), 1u);
    EXPECT_EQ(bytes.find(refresh[0]), std::string::npos);
    EXPECT_NE(bytes.find("ds1."), std::string::npos); // the sealed value is there
    std::filesystem::remove_all(dir);
}

} // namespace
} // namespace donna::relay
