// GET /embed over real loopback HTTP: index.html with the site's frame-ancestors policy, and
// clear refusals for a missing or unknown site and an unknown persona. Also the static files
// the widget needs (donna-widget.js) and index.html fetched by its own name (or as "/").
#include "api/embed_endpoint.hpp"
#include "config/sites.hpp"
#include "relay_harness.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>

namespace donna::relay {
namespace {

using test::relay_harness;

constexpr const char* client_page =
    "<!doctype html><title>DONNA</title><canvas id=\"canvas\"></canvas>"
    "<script src=\"boot.js\"></script>\n";

class EmbedEndpoint : public ::testing::Test {
protected:
    void SetUp() override
    {
        root_ = std::filesystem::temp_directory_path() /
                ("donna-embed-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(root_);
        std::ofstream(root_ / "index.html") << client_page;
        std::ofstream(root_ / "donna-widget.js") << "(function () { 'use strict'; })();\n";
        auto sites = parse_sites(
            R"({"sites":[{"id":"acme","persona":"receptionist","allowed_origins":)"
            R"(["https://www.acme.example","HTTPS://Shop.Acme.example:443","self"]}]})");
        if (!sites)
            FAIL() << sites.error().message;
        auto c = test::test_config();
        c.web_root = root_.string();
        c.sites = std::move(*sites);
        relay_ = std::make_unique<relay_harness>(std::move(c));
    }

    void TearDown() override
    {
        relay_.reset();
        std::filesystem::remove_all(root_);
    }

    test::http_result get(const std::string& target, const std::string& method = "GET")
    {
        return relay_->request(method, target);
    }

    // The donna_errors_total line for `code` in /metrics, or "" when there is none.
    std::string error_metric(const std::string& code)
    {
        const auto body = get("/metrics").body;
        const std::string prefix = "donna_errors_total{code=\"" + code + "\"} ";
        const auto at = body.find(prefix);
        return at == std::string::npos ? "" : body.substr(at, body.find('\n', at) - at);
    }

    std::filesystem::path root_;
    std::unique_ptr<relay_harness> relay_;
};

TEST_F(EmbedEndpoint, ServesEmbedHtmlFramedOnlyByTheSitesOrigins)
{
    const auto res = get("/embed?site=acme&persona=sales");
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.body, client_page);
    EXPECT_EQ(res.headers.at("content-type"), "text/html; charset=utf-8");
    // Origins as normalised by the sites file; "self" as the CSP keyword.
    EXPECT_EQ(res.headers.at("content-security-policy"),
              "frame-ancestors https://www.acme.example https://shop.acme.example 'self'");
    EXPECT_EQ(res.headers.at("cache-control"), "no-cache");
    EXPECT_TRUE(res.headers.count("etag"));
}

TEST_F(EmbedEndpoint, WithoutPersonaOrWithAnEmptyOneTheSitesPersonaIsMeant)
{
    EXPECT_EQ(get("/embed?site=acme").status, 200);
    EXPECT_EQ(get("/embed?persona=&site=acme").status, 200);
}

TEST_F(EmbedEndpoint, KeepsETagRevalidationAndGzipOfStaticFiles)
{
    // A page large enough to be worth compressing.
    std::ofstream(root_ / "index.html") << std::string(4000, ' ') << client_page;
    const auto gz = relay_->request("GET", "/embed?site=acme", "", {{"Accept-Encoding", "gzip"}});
    ASSERT_EQ(gz.status, 200);
    EXPECT_EQ(gz.headers.at("content-encoding"), "gzip");
    EXPECT_EQ(gz.headers.at("vary"), "Accept-Encoding");
    const auto again =
        relay_->request("GET", "/embed?site=acme", "",
                        {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz.headers.at("etag")}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(again.headers.at("content-security-policy"),
              gz.headers.at("content-security-policy"));
}

TEST_F(EmbedEndpoint, HeadGivesTheHeadersWithoutTheBody)
{
    const auto res = get("/embed?site=acme", "HEAD");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.at("content-length"), std::to_string(std::string(client_page).size()));
    EXPECT_EQ(res.headers.at("content-security-policy"),
              "frame-ancestors https://www.acme.example https://shop.acme.example 'self'");
    EXPECT_TRUE(res.body.empty());
}

TEST_F(EmbedEndpoint, UnknownSiteIs404NamingItAndCounted)
{
    const auto res = get("/embed?site=nope");
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(res.headers.at("content-type"), "text/plain; charset=utf-8");
    EXPECT_NE(res.body.find("no site 'nope' is configured"), std::string::npos) << res.body;
    EXPECT_EQ(res.headers.count("content-security-policy"), 0u);
    EXPECT_EQ(error_metric("unknown_site"), "donna_errors_total{code=\"unknown_site\"} 1");
}

TEST_F(EmbedEndpoint, MissingSiteIs404SayingHowToAsk)
{
    for (const std::string target : {"/embed", "/embed?persona=sales", "/embed?site="}) {
        const auto res = get(target);
        EXPECT_EQ(res.status, 404) << target;
        EXPECT_NE(res.body.find("/embed?site=<site id>"), std::string::npos) << res.body;
    }
}

TEST_F(EmbedEndpoint, UnknownPersonaIs400ListingThePersonas)
{
    const auto res = get("/embed?site=acme&persona=pirate");
    EXPECT_EQ(res.status, 400);
    EXPECT_NE(res.body.find("persona 'pirate' is not one of general, sales"), std::string::npos)
        << res.body;
    EXPECT_EQ(error_metric("unknown_persona"), "donna_errors_total{code=\"unknown_persona\"} 1");
}

TEST_F(EmbedEndpoint, HeadOfARefusalHasNoBody)
{
    const auto res = get("/embed?site=nope", "HEAD");
    EXPECT_EQ(res.status, 404);
    EXPECT_TRUE(res.body.empty());
}

TEST_F(EmbedEndpoint, ClientPageByItsOwnNameMayNotBeFramed)
{
    for (const std::string target : {"/", "/index.html", "/%69ndex.html?site=acme"}) {
        const auto res = get(target);
        ASSERT_EQ(res.status, 200) << target;
        EXPECT_EQ(res.headers.at("content-security-policy"), "frame-ancestors 'none'") << target;
    }
}

TEST_F(EmbedEndpoint, ServesTheWidgetScriptAsJavaScript)
{
    const auto res = get("/donna-widget.js");
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.at("content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(res.headers.count("content-security-policy"), 0u);
}

TEST(FrameAncestorsPolicy, ListsTheOriginsInFileOrderWithSelfQuoted)
{
    site s;
    s.allowed_origins = {"self", "https://a.example", "http://b.example:8080"};
    EXPECT_EQ(frame_ancestors_policy(s),
              "frame-ancestors 'self' https://a.example http://b.example:8080");
}

} // namespace
} // namespace donna::relay
