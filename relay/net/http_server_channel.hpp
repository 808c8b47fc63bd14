// http_server_channel.hpp: the server side of one HTTP/1.1 connection, plain or TLS, behind a
// narrow interface of plain functions (see websocket_channel.hpp for why: Beast's HTTP
// operations are instantiated once per stream type, in http_server_channel_plain.cpp and
// http_server_channel_tls.cpp, instead of in the HTTP session).
//
//   async_detect_tls(stream, buffer, [](error_code ec, bool tls) { ... });
//   auto channel = make_http_server_channel(std::move(stream), tls ? &context : nullptr);
//   channel->async_tls_handshake(buffer, done);    // TLS: the server's handshake; plain: no-op
//   channel->async_read_header(buffer, parser, done); channel->async_read(buffer, parser, done);
//   channel->async_write(std::move(message_generator), done);
//   channel->into_websocket();   // hands the connection to a WebSocket after an upgrade
//
// Handlers run on the stream's executor (the connection's strand).
#pragma once

#include "net/websocket_channel.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>

namespace donna::relay {

class http_server_channel {
public:
    using error_code = boost::beast::error_code;
    using completion = std::function<void(error_code)>;
    using io_completion = std::function<void(error_code, std::size_t)>;
    using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
    using head_serializer = boost::beast::http::response_serializer<boost::beast::http::empty_body>;

    http_server_channel() = default;
    http_server_channel(const http_server_channel&) = delete;
    http_server_channel& operator=(const http_server_channel&) = delete;
    virtual ~http_server_channel() = default;

    virtual boost::asio::any_io_executor get_executor() = 0;
    virtual boost::beast::tcp_stream& tcp() = 0;
    virtual bool is_tls() const = 0;

    // TLS: the server's handshake, starting with the bytes already read into `buffer` (kept
    // by the caller until `done` runs; what the handshake used is consumed). Plain: succeeds.
    virtual void async_tls_handshake(boost::beast::flat_buffer& buffer, completion done) = 0;

    // Waits for bytes and appends what arrives to `buffer` (kept by the caller until `done`
    // runs): the start of the next request on a kept-alive connection.
    virtual void async_read_some(boost::beast::flat_buffer& buffer, io_completion done) = 0;
    // A request's head, then its body, through `parser` (both kept by the caller until
    // `done` runs; bytes read past the request stay in `buffer` for the next one).
    virtual void async_read_header(boost::beast::flat_buffer& buffer, request_parser& parser,
                                   io_completion done) = 0;
    virtual void async_read(boost::beast::flat_buffer& buffer, request_parser& parser,
                            io_completion done) = 0;
    // A whole response.
    virtual void async_write(boost::beast::http::message_generator message, io_completion done) = 0;
    // A streamed (chunked) response: its head, each chunk, the last chunk. The serializer
    // and each chunk's bytes are kept by the caller until `done` runs.
    virtual void async_write_header(head_serializer& head, io_completion done) = 0;
    virtual void async_write_chunk(boost::asio::const_buffer data, io_completion done) = 0;
    virtual void async_write_last_chunk(io_completion done) = 0;
    // Ends the connection politely: TCP shutdown of our side, or TLS close_notify (bounded
    // by a few seconds) on TLS. `done` should hold the channel's owner: the stream must
    // live until it runs.
    virtual void async_shutdown(completion done) = 0;
    // The connection as a WebSocket whose upgrade request was just read; this channel is
    // empty afterwards.
    virtual std::unique_ptr<websocket_channel> into_websocket() = 0;
};

// Whether the first bytes on `stream` are a TLS ClientHello; what was read stays in `buffer`.
void async_detect_tls(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
                      std::function<void(boost::beast::error_code, bool tls)> done);

// An accepted connection: TLS with `tls` (which must outlive it; run async_tls_handshake
// first), plain when it is null.
std::unique_ptr<http_server_channel> make_http_server_channel(boost::beast::tcp_stream&& stream,
                                                              boost::asio::ssl::context* tls);

} // namespace donna::relay
