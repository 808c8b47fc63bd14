// http_client_channel.hpp: the client side of one HTTP/1.1 connection to an upstream, plain or
// TLS, behind a narrow interface of plain functions (see websocket_channel.hpp for why):
// Beast's HTTP client operations are instantiated once per stream type, in
// http_client_channel_plain.cpp and http_client_channel_tls.cpp.
//
//   auto c = make_http_client_channel(executor, tls ? &context : nullptr);
//   c->async_connect(endpoints, done);
//   if (c->is_tls()) { c->set_tls_host(host); c->async_tls_handshake(done); }
//   c->async_write(request, done);
//   c->async_read_header(buffer, parser, done);  then c->async_read_some(...) until done
//
// Handlers run on the executor given.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace donna::relay {

class http_client_channel {
public:
    using error_code = boost::beast::error_code;
    using completion = std::function<void(error_code)>;
    using io_completion = std::function<void(error_code, std::size_t)>;
    using request = boost::beast::http::request<boost::beast::http::string_body>;
    using response_parser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

    http_client_channel() = default;
    http_client_channel(const http_client_channel&) = delete;
    http_client_channel& operator=(const http_client_channel&) = delete;
    virtual ~http_client_channel() = default;

    virtual boost::beast::tcp_stream& tcp() = 0;
    virtual bool is_tls() const = 0;

    virtual void async_connect(const boost::asio::ip::tcp::resolver::results_type& endpoints,
                               completion done) = 0;
    // TLS only: the peer's name for SNI and the certificate check (false if OpenSSL refuses
    // it), then the handshake.
    virtual bool set_tls_host(const std::string& host) = 0;
    virtual void async_tls_handshake(completion done) = 0;

    // The request (kept by the caller until `done` runs).
    virtual void async_write(request& message, io_completion done) = 0;
    // The answer's head, then its body piece by piece into the parser's buffer_body
    // (http::error::need_buffer when that buffer is full); `buffer` holds bytes read past the
    // answer, for the next one on a kept-alive connection.
    virtual void async_read_header(boost::beast::flat_buffer& buffer, response_parser& parser,
                                   io_completion done) = 0;
    virtual void async_read_some(boost::beast::flat_buffer& buffer, response_parser& parser,
                                 io_completion done) = 0;
};

// A new, unconnected channel on `executor`: TLS with `tls` (which must outlive it), plain
// when it is null.
std::unique_ptr<http_client_channel>
make_http_client_channel(const boost::asio::any_io_executor& executor,
                         boost::asio::ssl::context* tls);

} // namespace donna::relay
