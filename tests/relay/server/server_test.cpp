// The relay's HTTP side over real TCP (and TLS) on loopback: static files, health,
// readiness, metrics and POST /v1/session.
#include "app/relay_app.hpp"
#include "app/services.hpp"
#include "relay_harness.hpp"
#include "test_pki.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

namespace donna::relay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using test::relay_harness;

class RelayServer : public ::testing::Test {
protected:
    void SetUp() override
    {
        root_ = std::filesystem::temp_directory_path() /
                ("donna-web-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(root_);
        std::ofstream(root_ / "index.html") << "<!doctype html><title>DONNA</title>";
        std::ofstream(root_ / "donna.wasm", std::ios::binary) << std::string("\0asm\1\0\0\0", 8);
        std::ofstream(root_ / "donna.js") << std::string(20000, 'x');
    }

    void TearDown() override
    {
        relay_.reset();
        std::filesystem::remove_all(root_);
    }

    relay_harness& relay(config c)
    {
        c.web_root = root_.string();
        relay_ = std::make_unique<relay_harness>(std::move(c));
        return *relay_;
    }
    relay_harness& relay() { return relay_ ? *relay_ : relay(test::test_config()); }

    std::filesystem::path root_;
    std::unique_ptr<relay_harness> relay_;
};

std::string gunzip(const std::string& in)
{
    z_stream z{};
    inflateInit2(&z, 15 + 16);
    std::string out(std::size_t{1} << 20, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    inflate(&z, Z_FINISH);
    out.resize(z.total_out);
    inflateEnd(&z);
    return out;
}

TEST_F(RelayServer, HealthzAnswersOk)
{
    const auto res = relay().request("GET", "/healthz");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "ok\n");
}

TEST_F(RelayServer, ServesTheClientPageAtRootWithAnETag)
{
    const auto res = relay().request("GET", "/");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.at("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(res.body, "<!doctype html><title>DONNA</title>");
    ASSERT_TRUE(res.headers.count("etag"));
    const auto again = relay().request("GET", "/", "", {{"If-None-Match", res.headers.at("etag")}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
}

TEST_F(RelayServer, ServesWasmAsApplicationWasm)
{
    const auto res = relay().request("GET", "/donna.wasm");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.at("content-type"), "application/wasm");
    EXPECT_EQ(res.body.size(), 8u);
}

TEST_F(RelayServer, GzipsWhenTheClientAcceptsIt)
{
    const auto res = relay().request("GET", "/donna.js", "", {{"Accept-Encoding", "gzip, br"}});
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.at("content-encoding"), "gzip");
    EXPECT_LT(res.body.size(), 1000u);
    EXPECT_EQ(gunzip(res.body), std::string(20000, 'x'));
    const auto plain = relay().request("GET", "/donna.js");
    EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
    EXPECT_EQ(plain.body.size(), 20000u);
}

TEST_F(RelayServer, HeadGivesLengthWithoutBody)
{
    const auto res = relay().request("HEAD", "/donna.wasm");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.at("content-length"), "8");
    EXPECT_TRUE(res.body.empty());
}

TEST_F(RelayServer, MissingFileAndTraversalAre404)
{
    EXPECT_EQ(relay().request("GET", "/nope.js").status, 404);
    EXPECT_EQ(relay().request("GET", "/../etc/passwd").status, 404);
    EXPECT_EQ(relay().request("GET", "/%2e%2e/%2e%2e/etc/passwd").status, 404);
}

TEST_F(RelayServer, OtherMethodsAre405WithAReason)
{
    const auto res = relay().request("DELETE", "/index.html");
    EXPECT_EQ(res.status, 405);
    EXPECT_NE(res.body.find("use GET or HEAD"), std::string::npos);
}

TEST_F(RelayServer, KeepAliveServesSeveralRequestsOnOneConnection)
{
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), relay().port()));
    beast::flat_buffer buffer;
    for (int i = 0; i < 3; ++i) {
        http::request<http::string_body> req{http::verb::get, "/healthz", 11};
        req.set(http::field::host, "127.0.0.1");
        http::write(stream, req);
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        EXPECT_EQ(res.result(), http::status::ok) << "request " << i;
    }
}

TEST_F(RelayServer, BusyPortIsAClearError)
{
    auto& first = relay();
    auto c = test::test_config();
    c.port = first.port();
    logger log(std::clog, log_level::error);
    auto second = relay_app::create(c, log);
    ASSERT_TRUE(second);
    auto started = (*second)->start();
    ASSERT_FALSE(started);
    EXPECT_NE(started.error().message.find("cannot listen on 127.0.0.1:" + std::to_string(c.port)),
              std::string::npos)
        << started.error().message;
}

// --- /metrics, /readyz ---

TEST_F(RelayServer, MetricsArePrometheusTextThatCountsRequests)
{
    relay().request("GET", "/healthz");
    const auto res = relay().request("GET", "/metrics");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(res.body.find("# TYPE donna_http_requests_total counter"), std::string::npos);
    EXPECT_NE(res.body.find("donna_http_requests_total 2"), std::string::npos) << res.body;
    EXPECT_NE(res.body.find("# TYPE donna_upstream_connect_seconds histogram"), std::string::npos);
}

TEST_F(RelayServer, ReadyzWithNoKeysSaysWhichFeaturesAreOffAndWhy)
{
    const auto res = relay().request("GET", "/readyz");
    EXPECT_EQ(res.status, 200);
    const auto j = res.json();
    EXPECT_EQ(j["status"], "ready");
    EXPECT_EQ(j["features"]["realtime"]["configured"], false);
    EXPECT_EQ(j["features"]["realtime"]["mode"], "off");
    EXPECT_NE(j["features"]["realtime"]["detail"].get<std::string>().find("OPENAI_API_KEY"),
              std::string::npos);
    EXPECT_EQ(j["features"]["elevenlabs"]["configured"], false);
    EXPECT_NE(j["features"]["telnyx"]["detail"].get<std::string>().find("TELNYX_API_KEY"),
              std::string::npos);
}

TEST_F(RelayServer, ReadyzProbesConfiguredUpstreams)
{
    auto c = test::test_config();
    c.openai_api_key = "sk-test-readyz-key-123";
    // The relay itself is a reachable TCP endpoint; port 1 is not.
    c.openai_base_url = "http://127.0.0.1:1/v1";
    c.elevenlabs_api_key = "el-test-key-123456";
    auto& r = relay(c);
    const auto j = r.request("GET", "/readyz").json();
    EXPECT_EQ(j["status"], "degraded");
    EXPECT_EQ(j["features"]["realtime"]["mode"], "openai");
    EXPECT_EQ(j["features"]["realtime"]["reachable"], false);
    // Nothing in the answer carries a key.
    EXPECT_EQ(j.dump().find("sk-test-readyz-key-123"), std::string::npos);
}

// --- POST /v1/session ---

TEST_F(RelayServer, SessionTokenIsIssuedForAnAllowedOriginWithCors)
{
    auto& r = relay();
    const auto res = r.request("POST", "/v1/session", R"({"site":"demo","persona":"sales"})",
                               {{"Origin", r.self_origin()}});
    ASSERT_EQ(res.status, 200) << res.body;
    const auto j = res.json();
    EXPECT_EQ(j["token"].get<std::string>().substr(0, 4), "dt1.");
    EXPECT_EQ(j["persona"], "sales");
    EXPECT_EQ(j["site"], "demo");
    EXPECT_EQ(j["expires_in"], 300);
    EXPECT_EQ(res.headers.at("access-control-allow-origin"), r.self_origin());
    EXPECT_EQ(res.headers.at("cache-control"), "no-store");
}

TEST_F(RelayServer, SessionTokenIsRefusedForAnotherOrigin)
{
    const auto res = relay().request("POST", "/v1/session", R"({"site":"demo"})",
                                     {{"Origin", "https://evil.example"}});
    EXPECT_EQ(res.status, 403);
    EXPECT_EQ(res.json()["error"]["code"], "origin_not_allowed");
    EXPECT_EQ(res.headers.count("access-control-allow-origin"), 0u);
}

TEST_F(RelayServer, SessionRequestErrorsAreClear)
{
    auto& r = relay();
    const std::map<std::string, std::string> origin{{"Origin", r.self_origin()}};
    EXPECT_EQ(r.request("POST", "/v1/session", "not json", origin).json()["error"]["code"],
              "invalid_json");
    EXPECT_EQ(r.request("POST", "/v1/session", "{}", origin).json()["error"]["code"],
              "missing_field");
    const auto unknown = r.request("POST", "/v1/session", R"({"site":"nope"})", origin);
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.json()["error"]["code"], "unknown_site");
    EXPECT_EQ(r.request("POST", "/v1/session", R"({"site":"demo","persona":"pirate"})", origin)
                  .json()["error"]["code"],
              "unknown_persona");
    EXPECT_EQ(r.request("POST", "/v1/session", R"({"site":"demo"})").json()["error"]["code"],
              "origin_required");
}

TEST_F(RelayServer, SitesFileControlsOriginsPersonaAndGreeting)
{
    const auto sites = root_ / "sites.json";
    std::ofstream(sites)
        << R"({"sites":[{"id":"acme","allowed_origins":["https://www.acme.example"],)"
           R"("persona":"receptionist","greeting":"Acme reception, DONNA speaking."}]})";
    auto c = test::test_config();
    c.sites_file = sites.string();
    auto loaded = read_sites_file(sites);
    ASSERT_TRUE(loaded);
    c.sites = *loaded;
    auto& r = relay(c);
    const auto ok = r.request("POST", "/v1/session", R"({"site":"acme"})",
                              {{"Origin", "https://www.acme.example"}});
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.json()["persona"], "receptionist");
    EXPECT_EQ(ok.json()["greeting"], "Acme reception, DONNA speaking.");
    EXPECT_EQ(
        r.request("POST", "/v1/session", R"({"site":"acme"})", {{"Origin", "https://acme.example"}})
            .status,
        403);
    const auto preflight = r.request(
        "OPTIONS", "/v1/session", "",
        {{"Origin", "https://www.acme.example"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(preflight.status, 204);
    EXPECT_EQ(preflight.headers.at("access-control-allow-methods"), "POST");
}

// --- TLS ---

TEST_F(RelayServer, TlsListenerServesHttpsOnTheSamePortAsPlainHttp)
{
    const auto dir = donna::test::write_test_pki(root_ / "pki");
    auto c = test::test_config();
    c.tls_cert_file = (dir / "server.pem").string();
    c.tls_key_file = (dir / "server.key").string();
    auto& r = relay(c);
    const auto secure = r.request("GET", "/healthz", "", {}, true);
    EXPECT_EQ(secure.status, 200);
    EXPECT_EQ(secure.body, "ok\n");
    EXPECT_EQ(r.request("GET", "/healthz").status, 200);
}

TEST_F(RelayServer, BadCertificateFileStopsStartWithAMessageNamingIt)
{
    std::ofstream(root_ / "bad.pem") << "not a certificate";
    auto c = test::test_config();
    c.tls_cert_file = (root_ / "bad.pem").string();
    c.tls_key_file = (root_ / "bad.pem").string();
    logger log(std::clog, log_level::error);
    auto app = relay_app::create(c, log);
    ASSERT_TRUE(app);
    auto started = (*app)->start();
    ASSERT_FALSE(started);
    EXPECT_NE(started.error().message.find("DONNA_TLS_CERT"), std::string::npos);
}

} // namespace
} // namespace donna::relay
