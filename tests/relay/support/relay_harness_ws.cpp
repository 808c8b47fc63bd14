// relay_harness_ws.cpp: the tests' WebSocket client to the relay's /v1/realtime, plain or
// TLS, through the relay's own websocket_channel (relay/net): Beast's WebSocket operations
// are compiled once, there. Operations are asynchronous underneath and run with
// io_context::run_one_for, so a missing answer becomes a timeout, not a hang.
#include "relay_harness.hpp"

#include "net/websocket_channel.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>

#include <stdexcept>

namespace donna::relay::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

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
    std::unique_ptr<websocket_channel> ws;
    beast::flat_buffer buffer;
    bool is_closed = false;
    int code = 0;
    std::string protocol;

    void cancel() { ws->tcp().cancel(); }
};

ws_client::ws_client(std::unique_ptr<impl> p) : impl_(std::move(p))
{}
ws_client::ws_client(ws_client&&) noexcept = default;
ws_client::~ws_client()
{
    if (impl_ && !impl_->is_closed) {
        beast::error_code ec;
        impl_->ws->tcp().socket().close(ec);
    }
}

void ws_client::send(const std::string& text)
{
    bool done = false;
    impl_->ws->async_write(net::buffer(text), /*binary=*/false,
                           [&](beast::error_code, std::size_t) { done = true; });
    run_until(impl_->ioc, done, std::chrono::seconds(10), [&] { impl_->cancel(); });
}

void ws_client::send_binary(const std::vector<std::uint8_t>& bytes)
{
    bool done = false;
    impl_->ws->async_write(net::buffer(bytes), /*binary=*/true,
                           [&](beast::error_code, std::size_t) { done = true; });
    run_until(impl_->ioc, done, std::chrono::seconds(10), [&] { impl_->cancel(); });
}

std::optional<ws_message> ws_client::read(std::chrono::milliseconds timeout)
{
    if (impl_->is_closed)
        return std::nullopt;
    bool done = false;
    beast::error_code result;
    bool binary = false;
    impl_->ws->async_read(impl_->buffer, [&](beast::error_code ec, std::size_t) {
        result = ec;
        binary = impl_->ws->got_binary();
        done = true;
    });
    if (!run_until(impl_->ioc, done, timeout, [&] { impl_->cancel(); }))
        return std::nullopt;
    if (result) {
        impl_->is_closed = true;
        impl_->code = impl_->ws->reason().code;
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
    impl_->ws->async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
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

namespace {

// Connects to the relay on loopback (TLS trusting the test CA when asked) and asks for the
// upgrade to /v1/realtime; the relay's HTTP answer lands in `response`.
beast::error_code upgrade(websocket_channel& ws, net::io_context& ioc, const ws_options& options,
                          std::uint16_t port, websocket_channel::upgrade_response& response)
{
    const auto step = [&](auto start) {
        bool done = false;
        beast::error_code result;
        start([&](beast::error_code ec) {
            result = ec;
            done = true;
        });
        if (!run_until(ioc, done, std::chrono::seconds(10), [&] { ws.tcp().cancel(); }))
            return beast::error_code(beast::error::timeout);
        return result;
    };
    ws.tcp().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    if (ws.is_tls()) {
        if (!ws.set_tls_host("localhost"))
            throw std::runtime_error("cannot set TLS SNI");
        if (auto ec = step([&](auto done) { ws.async_tls_handshake(done); }))
            return ec;
    }
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
    const auto host = "127.0.0.1:" + std::to_string(port);
    const auto target = "/v1/realtime" + options.query;
    return step([&](auto done) { ws.async_handshake(response, host, target, done); });
}

} // namespace

ws_client relay_harness::open_realtime(const ws_options& options)
{
    auto p = std::make_unique<ws_client::impl>();
    p->ws =
        make_websocket_client(p->ioc.get_executor(), options.tls ? &test_client_tls() : nullptr);
    websocket_channel::upgrade_response response;
    if (const auto ec = upgrade(*p->ws, p->ioc, options, port(), response))
        throw std::runtime_error("upgrade refused: " + ec.message() + " " +
                                 std::to_string(response.result_int()) + " " + response.body());
    p->protocol = std::string(response[http::field::sec_websocket_protocol]);
    return ws_client(std::move(p));
}

http_result relay_harness::refused_upgrade(const ws_options& options)
{
    net::io_context ioc;
    auto ws = make_websocket_client(ioc.get_executor(), nullptr);
    websocket_channel::upgrade_response response;
    const auto ec = upgrade(*ws, ioc, options, port(), response);
    http_result result;
    result.status = ec ? static_cast<int>(response.result_int()) : 101;
    result.body = response.body();
    return result;
}

} // namespace donna::relay::test
