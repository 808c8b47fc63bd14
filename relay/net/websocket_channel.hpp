// websocket_channel.hpp: one WebSocket connection, plain or TLS, server or client side,
// behind a narrow interface of plain functions.
//
// Why: Beast's WebSocket operations are templates over the stream and the completion
// handler. Used directly, every file that talks WebSocket instantiated them again, for each
// stream type and each handler: the realtime session and the OpenAI upstream took two to
// three minutes each to compile. Behind this interface they are instantiated once per stream
// type, in websocket_channel_plain.cpp and websocket_channel_tls.cpp, and callers include no
// stream template at all.
//
//   auto ws = make_websocket_channel(std::move(tcp_stream));      // server: an upgraded connection
//   ws->async_accept(upgrade_request, [](error_code ec) { ... });
//   auto up = make_websocket_client(strand, &tls_context);        // client (nullptr: plain)
//   up->async_connect(endpoints, ...); up->async_tls_handshake(...); up->async_handshake(...);
//   ws->async_read(buffer, [](error_code ec, std::size_t bytes) { ... });
//   ws->async_write(net::buffer(text), /*binary=*/false, [](error_code ec, std::size_t) {});
//
// Handlers run on the stream's executor (the connection's strand), exactly as Beast's own
// would; one read and one write may be outstanding at a time, as with Beast.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream_base.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio::ssl {
class context;
}
namespace donna::relay {

class tls_stream;

class websocket_channel {
public:
    using error_code = boost::beast::error_code;
    using completion = std::function<void(error_code)>;
    using io_completion = std::function<void(error_code, std::size_t)>;
    using upgrade_request =
        boost::beast::http::request<boost::beast::http::string_body>; // websocket::request_type
    using upgrade_response =
        boost::beast::http::response<boost::beast::http::string_body>; // websocket::response_type

    websocket_channel() = default;
    websocket_channel(const websocket_channel&) = delete;
    websocket_channel& operator=(const websocket_channel&) = delete;
    virtual ~websocket_channel() = default;

    virtual boost::asio::any_io_executor get_executor() = 0;
    // The TCP layer under the WebSocket (and TLS): timeouts, socket options, a hard close.
    virtual boost::beast::tcp_stream& tcp() = 0;
    virtual bool is_tls() const = 0;

    virtual void set_option(const boost::beast::websocket::stream_base::timeout& timeouts) = 0;
    virtual void set_option(boost::beast::websocket::stream_base::decorator decorator) = 0;
    virtual void read_message_max(std::size_t bytes) = 0;

    // Server side: answers the client's upgrade request.
    virtual void async_accept(const upgrade_request& upgrade, completion done) = 0;

    // Client side, in this order: TCP connect; on TLS, the peer's name (SNI and certificate
    // check; false if OpenSSL refuses it) and the TLS handshake; then the WebSocket upgrade,
    // whose HTTP answer lands in `response` (kept by the caller until `done` runs).
    virtual void async_connect(const boost::asio::ip::tcp::resolver::results_type& endpoints,
                               completion done) = 0;
    virtual bool set_tls_host(const std::string& host) = 0;
    virtual void async_tls_handshake(completion done) = 0;
    virtual void async_handshake(upgrade_response& response, std::string_view host,
                                 std::string_view target, completion done) = 0;

    // One whole message into `buffer` (kept by the caller until `done` runs); got_binary()
    // tells its kind afterwards.
    virtual void async_read(boost::beast::flat_buffer& buffer, io_completion done) = 0;
    virtual bool got_binary() const = 0;
    // One message; `data` is kept by the caller until `done` runs.
    virtual void async_write(boost::asio::const_buffer data, bool binary, io_completion done) = 0;
    virtual void async_close(boost::beast::websocket::close_code code, completion done) = 0;
    // Why the peer closed, after a read ended with websocket::error::closed.
    virtual const boost::beast::websocket::close_reason& reason() const = 0;
};

// The upgrade request a server-side WebSocket answers (a struct, so that the HTTP layer can
// name it without Beast).
struct websocket_upgrade {
    websocket_channel::upgrade_request request;
};

// Server side: the connection an HTTP session upgrades, plain or TLS.
std::unique_ptr<websocket_channel> make_websocket_channel(boost::beast::tcp_stream&& stream);
std::unique_ptr<websocket_channel> make_websocket_channel(tls_stream&& stream);

// Client side: a new connection on `executor`; TLS with `tls` (kept alive by the caller
// while the channel lives), plain when it is null.
std::unique_ptr<websocket_channel>
make_websocket_client(const boost::asio::any_io_executor& executor, boost::asio::ssl::context* tls);

} // namespace donna::relay
