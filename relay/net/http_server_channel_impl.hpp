// http_server_channel_impl.hpp: http_server_channel over a Beast stream, for the two stream
// types the relay serves. Private to relay/net: included only by http_server_channel_plain.cpp
// and http_server_channel_tls.cpp, each instantiating it once.
#pragma once

#include "net/http_server_channel.hpp"
#include "net/tls_stream.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <type_traits>
#include <utility>

namespace donna::relay::net_detail {

template <class Stream>
class http_stream_channel final : public http_server_channel {
public:
    template <class... Args>
    explicit http_stream_channel(Args&&... args) : stream_(std::forward<Args>(args)...)
    {}

    boost::asio::any_io_executor get_executor() override { return stream_.get_executor(); }
    boost::beast::tcp_stream& tcp() override { return boost::beast::get_lowest_layer(stream_); }
    bool is_tls() const override { return !std::is_same_v<Stream, boost::beast::tcp_stream>; }
    void async_tls_handshake(boost::beast::flat_buffer& buffer, completion done) override;

    void async_read_some(boost::beast::flat_buffer& buffer, io_completion done) override
    {
        constexpr std::size_t chunk = 4096;
        stream_.async_read_some(
            buffer.prepare(chunk),
            [&buffer, done = std::move(done)](boost::beast::error_code ec, std::size_t n) {
                buffer.commit(n);
                done(ec, n);
            });
    }
    void async_read_header(boost::beast::flat_buffer& buffer, request_parser& parser,
                           io_completion done) override
    {
        boost::beast::http::async_read_header(stream_, buffer, parser, std::move(done));
    }
    void async_read(boost::beast::flat_buffer& buffer, request_parser& parser,
                    io_completion done) override
    {
        boost::beast::http::async_read(stream_, buffer, parser, std::move(done));
    }
    void async_write(boost::beast::http::message_generator message, io_completion done) override
    {
        boost::beast::async_write(stream_, std::move(message), std::move(done));
    }
    void async_write_header(head_serializer& head, io_completion done) override
    {
        boost::beast::http::async_write_header(stream_, head, std::move(done));
    }
    void async_write_chunk(boost::asio::const_buffer data, io_completion done) override
    {
        boost::asio::async_write(stream_, boost::beast::http::make_chunk(data), std::move(done));
    }
    void async_write_last_chunk(io_completion done) override
    {
        boost::asio::async_write(stream_, boost::beast::http::make_chunk_last(), std::move(done));
    }
    void async_shutdown(completion done) override;
    std::unique_ptr<websocket_channel> into_websocket() override
    {
        return make_websocket_channel(std::move(stream_));
    }

private:
    Stream stream_;
};

std::unique_ptr<http_server_channel> make_tls_http_server_channel(boost::beast::tcp_stream&& stream,
                                                                  boost::asio::ssl::context& tls);

} // namespace donna::relay::net_detail
