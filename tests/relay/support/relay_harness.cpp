// relay_harness.cpp: the test relay and its clients. Client operations are asynchronous
// underneath and run with io_context::run_for, so a missing answer becomes a timeout.
#include "relay_harness.hpp"

#include "log/log.hpp"
#include "server/server.hpp"
#include "server/services.hpp"
#include "test_pki.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace donna::relay::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

ssl::context& client_context()
{
    static ssl::context context = [] {
        ssl::context c(ssl::context::tls_client);
        const auto& pki = donna::test::shared_test_pki();
        c.add_certificate_authority(net::buffer(pki.ca_cert_pem));
        c.set_verify_mode(ssl::verify_peer);
        return c;
    }();
    return context;
}

// Runs the io_context until `done` or the timeout; cancels what is still pending.
template <class Cancel>
bool run_until(net::io_context& ioc, const bool& done, std::chrono::milliseconds timeout,
               Cancel cancel)
{
    ioc.restart();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < deadline)
        ioc.run_one_for(std::chrono::milliseconds(50));
    if (!done) {
        cancel();
        ioc.restart();
        ioc.run_for(std::chrono::seconds(2));
        return false;
    }
    return true;
}

} // namespace

std::string ws_message::type() const
{
    if (binary)
        return "<binary>";
    const auto j = json();
    if (j.is_object() && j.contains("type") && j["type"].is_string())
        return j["type"].get<std::string>();
    return "<not json>";
}

struct ws_client::impl {
    net::io_context ioc;
    std::optional<websocket::stream<beast::tcp_stream>> plain;
    std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> secure;
    beast::flat_buffer buffer;
    bool is_closed = false;
    int code = 0;
    std::string protocol;

    template <class F>
    void with(F f)
    {
        if (plain)
            f(*plain);
        else
            f(*secure);
    }
    void cancel()
    {
        with([](auto& ws) { beast::get_lowest_layer(ws).cancel(); });
    }
};

ws_client::ws_client(std::unique_ptr<impl> p) : impl_(std::move(p))
{}
ws_client::ws_client(ws_client&&) noexcept = default;
ws_client::~ws_client()
{
    if (impl_ && !impl_->is_closed) {
        beast::error_code ec;
        impl_->with([&](auto& ws) { beast::get_lowest_layer(ws).socket().close(ec); });
    }
}

void ws_client::send(const std::string& text)
{
    bool done = false;
    impl_->with([&](auto& ws) {
        ws.text(true);
        ws.async_write(net::buffer(text), [&](beast::error_code, std::size_t) { done = true; });
    });
    run_until(impl_->ioc, done, std::chrono::seconds(10), [&] { impl_->cancel(); });
}

void ws_client::send_binary(const std::vector<std::uint8_t>& bytes)
{
    bool done = false;
    impl_->with([&](auto& ws) {
        ws.binary(true);
        ws.async_write(net::buffer(bytes), [&](beast::error_code, std::size_t) { done = true; });
    });
    run_until(impl_->ioc, done, std::chrono::seconds(10), [&] { impl_->cancel(); });
}

std::optional<ws_message> ws_client::read(std::chrono::milliseconds timeout)
{
    if (impl_->is_closed)
        return std::nullopt;
    bool done = false;
    beast::error_code result;
    bool binary = false;
    impl_->with([&](auto& ws) {
        ws.async_read(impl_->buffer, [&](beast::error_code ec, std::size_t) {
            result = ec;
            binary = ws.got_binary();
            done = true;
        });
    });
    if (!run_until(impl_->ioc, done, timeout, [&] { impl_->cancel(); }))
        return std::nullopt;
    if (result) {
        impl_->is_closed = true;
        impl_->with([&](auto& ws) { impl_->code = ws.reason().code; });
        return std::nullopt;
    }
    ws_message m{beast::buffers_to_string(impl_->buffer.data()), binary};
    impl_->buffer.consume(impl_->buffer.size());
    return m;
}

std::optional<ws_message> ws_client::read_until_type(const std::string& type,
                                                     std::vector<ws_message>* seen,
                                                     std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto m = read(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()));
        if (!m)
            return std::nullopt;
        if (seen)
            seen->push_back(*m);
        if (m->type() == type)
            return m;
    }
    return std::nullopt;
}

void ws_client::close()
{
    if (impl_->is_closed)
        return;
    bool done = false;
    impl_->with([&](auto& ws) {
        ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    });
    run_until(impl_->ioc, done, std::chrono::seconds(5), [&] { impl_->cancel(); });
    impl_->is_closed = true;
}

bool ws_client::closed() const
{
    return impl_->is_closed;
}
int ws_client::close_code() const
{
    return impl_->code;
}
std::string ws_client::subprotocol() const
{
    return impl_->protocol;
}

config test_config()
{
    config c;
    c.port = 0;
    c.threads = 2;
    static const auto root = [] {
        auto dir = std::filesystem::temp_directory_path() /
                   ("donna-harness-web-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "index.html") << "<!doctype html><title>DONNA</title>";
        return dir;
    }();
    c.web_root = root.string();
    c.sites = default_sites();
    c.token_secret = "test-secret-of-at-least-32-characters";
    c.upstream_connect_timeout_ms = 1500;
    c.upstream_backoff_ms = 20;
    c.shutdown_grace_ms = 2000;
    c.database = ":memory:";
    return c;
}

config test_config_with_upstream(const std::string& openai_base_url)
{
    auto c = test_config();
    c.openai_api_key = fake_openai_key;
    c.openai_base_url = openai_base_url;
    return c;
}

relay_harness::relay_harness(config cfg, std::ostream* log_out)
    : log_(log_out ? std::make_unique<logger>(*log_out, log_level::debug)
                   : std::make_unique<logger>(std::clog, log_level::warn))
{
    auto created = services::create(std::move(cfg), *log_);
    if (!created)
        throw std::runtime_error("services: " + created.error().message);
    services_ = std::move(*created);
    server_ = std::make_unique<server>(services_);
    if (auto started = server_->start(); !started)
        throw std::runtime_error("server: " + started.error().message);
}

relay_harness::~relay_harness()
{
    server_.reset();
}

std::uint16_t relay_harness::port() const
{
    return server_->port();
}
std::string relay_harness::self_origin() const
{
    return "http://127.0.0.1:" + std::to_string(port());
}
services& relay_harness::svc()
{
    return *services_;
}
server& relay_harness::srv()
{
    return *server_;
}

http_result relay_harness::request(const std::string& method, const std::string& target,
                                   const std::string& body,
                                   const std::map<std::string, std::string>& headers, bool tls)
{
    return http_request(port(), method, target, body, headers, tls);
}

http_result http_request(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body, const std::map<std::string, std::string>& headers,
                         bool tls)
{
    net::io_context ioc;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers)
        req.set(name, value);
    if (!body.empty()) {
        req.body() = body;
        if (req.find(http::field::content_type) == req.end())
            req.set(http::field::content_type, "application/json");
    }
    req.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.skip(method == "HEAD");
    parser.body_limit(64U << 20U);
    beast::flat_buffer buffer;
    bool truncated = false;
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    if (tls) {
        beast::ssl_stream<beast::tcp_stream> stream(ioc, client_context());
        SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
        beast::get_lowest_layer(stream).connect(endpoint);
        stream.handshake(ssl::stream_base::client);
        http::write(stream, req);
        http::read(stream, buffer, parser);
    } else {
        beast::tcp_stream stream(ioc);
        stream.connect(endpoint);
        http::write(stream, req);
        beast::error_code ec;
        http::read(stream, buffer, parser, ec);
        if (ec == http::error::partial_message)
            truncated = true; // the server cut the body short: the test looks at it
        else if (ec)
            throw beast::system_error(ec);
    }
    http_result result;
    result.complete = !truncated;
    auto res = parser.release();
    result.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (auto& ch : name)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        result.headers[name] = std::string(field.value());
    }
    result.body = res.body();
    return result;
}

std::string relay_harness::session_token(const std::string& site, const std::string& origin)
{
    const auto res = request("POST", "/v1/session", R"({"site":")" + site + R"("})",
                             {{"Origin", origin.empty() ? self_origin() : origin}});
    if (res.status != 200)
        throw std::runtime_error("POST /v1/session: " + std::to_string(res.status) + " " +
                                 res.body);
    return res.json()["token"].get<std::string>();
}

namespace {

template <class Ws>
beast::error_code handshake(Ws& ws, net::io_context& ioc, const ws_options& options,
                            std::uint16_t port, websocket::response_type& response)
{
    ws.set_option(websocket::stream_base::decorator([options](websocket::request_type& req) {
        if (options.in_subprotocol)
            req.set(http::field::sec_websocket_protocol,
                    "realtime, openai-insecure-api-key." + options.token);
        else if (!options.token.empty())
            req.set(http::field::authorization, "Bearer " + options.token);
        if (options.beta)
            req.set("OpenAI-Beta", "realtime=v1");
        if (!options.origin.empty())
            req.set(http::field::origin, options.origin);
    }));
    bool done = false;
    beast::error_code result;
    ws.async_handshake(response, "127.0.0.1:" + std::to_string(port),
                       "/v1/realtime" + options.query, [&](beast::error_code ec) {
                           result = ec;
                           done = true;
                       });
    if (!run_until(ioc, done, std::chrono::seconds(10),
                   [&] { beast::get_lowest_layer(ws).cancel(); }))
        return beast::error::timeout;
    return result;
}

} // namespace

ws_client relay_harness::open_realtime(const ws_options& options)
{
    auto p = std::make_unique<ws_client::impl>();
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port());
    websocket::response_type response;
    beast::error_code ec;
    if (options.tls) {
        p->secure.emplace(p->ioc, client_context());
        SSL_set_tlsext_host_name(p->secure->next_layer().native_handle(), "localhost");
        beast::get_lowest_layer(*p->secure).connect(endpoint);
        p->secure->next_layer().handshake(ssl::stream_base::client);
        ec = handshake(*p->secure, p->ioc, options, port(), response);
    } else {
        p->plain.emplace(p->ioc);
        beast::get_lowest_layer(*p->plain).connect(endpoint);
        ec = handshake(*p->plain, p->ioc, options, port(), response);
    }
    if (ec)
        throw std::runtime_error("upgrade refused: " + ec.message() + " " +
                                 std::to_string(response.result_int()) + " " + response.body());
    p->protocol = std::string(response[http::field::sec_websocket_protocol]);
    return ws_client(std::move(p));
}

http_result relay_harness::refused_upgrade(const ws_options& options)
{
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws(ioc);
    ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port()));
    websocket::response_type response;
    const auto ec = handshake(ws, ioc, options, port(), response);
    http_result result;
    result.status = ec ? static_cast<int>(response.result_int()) : 101;
    result.body = response.body();
    return result;
}

double relay_harness::metric(const std::string& series)
{
    const auto text = request("GET", "/metrics").body;
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 2));
}

std::map<std::string, std::string> bearer(const std::string& token)
{
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

std::vector<nlohmann::json> sse_events(const std::string& body)
{
    std::vector<nlohmann::json> events;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("data: ", 0) == 0)
            events.push_back(nlohmann::json::parse(line.substr(6), nullptr, false));
    return events;
}

} // namespace donna::relay::test
