// The relay's HTTP server over real TCP on loopback, driven by a Beast client.
#include "server/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace donna::relay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

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
        config cfg;
        cfg.port = 0;
        cfg.web_root = root_.string();
        server_ = std::make_unique<server>(cfg);
        auto started = server_->start();
        ASSERT_TRUE(started) << started.error().message;
        ASSERT_NE(server_->port(), 0);
    }

    void TearDown() override
    {
        server_.reset();
        std::filesystem::remove_all(root_);
    }

    http::response<http::string_body> request(http::verb method, const std::string& target)
    {
        net::io_context ioc;
        beast::tcp_stream stream(ioc);
        stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.skip(method == http::verb::head);
        http::read(stream, buffer, parser);
        return parser.release();
    }

    std::filesystem::path root_;
    std::unique_ptr<server> server_;
};

TEST_F(RelayServer, HealthzAnswersOk)
{
    const auto res = request(http::verb::get, "/healthz");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), "ok\n");
}

TEST_F(RelayServer, ServesTheClientPageAtRoot)
{
    const auto res = request(http::verb::get, "/");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res[http::field::content_type], "text/html; charset=utf-8");
    EXPECT_EQ(res.body(), "<!doctype html><title>DONNA</title>");
}

TEST_F(RelayServer, ServesWasmAsApplicationWasm)
{
    const auto res = request(http::verb::get, "/donna.wasm");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res[http::field::content_type], "application/wasm");
    EXPECT_EQ(res.body().size(), 8u);
}

TEST_F(RelayServer, HeadGivesLengthWithoutBody)
{
    const auto res = request(http::verb::head, "/donna.wasm");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res[http::field::content_length], "8");
    EXPECT_TRUE(res.body().empty());
}

TEST_F(RelayServer, MissingFileAndTraversalAre404)
{
    EXPECT_EQ(request(http::verb::get, "/nope.js").result(), http::status::not_found);
    EXPECT_EQ(request(http::verb::get, "/../etc/passwd").result(), http::status::not_found);
    EXPECT_EQ(request(http::verb::get, "/%2e%2e/%2e%2e/etc/passwd").result(),
              http::status::not_found);
}

TEST_F(RelayServer, OtherMethodsAre405WithAReason)
{
    const auto res = request(http::verb::delete_, "/index.html");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    EXPECT_NE(res.body().find("use GET or HEAD"), std::string::npos);
}

TEST_F(RelayServer, KeepAliveServesSeveralRequestsOnOneConnection)
{
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
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

TEST(RelayServerStart, BusyPortIsAClearError)
{
    config cfg;
    cfg.port = 0;
    server first(cfg);
    ASSERT_TRUE(first.start());
    cfg.port = first.port();
    server second(cfg);
    auto started = second.start();
    ASSERT_FALSE(started);
    EXPECT_NE(
        started.error().message.find("cannot listen on 127.0.0.1:" + std::to_string(cfg.port)),
        std::string::npos)
        << started.error().message;
}

} // namespace
} // namespace donna::relay
