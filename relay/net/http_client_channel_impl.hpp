// http_client_channel_impl.hpp: http_client_channel over a Beast stream, for the two stream
// types. Private to relay/net: included only by http_client_channel_plain.cpp and
// http_client_channel_tls.cpp, each instantiating it once.
#pragma once

#include "net/http_client_channel.hpp"
#include "net/tls_stream.hpp"

#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <type_traits>
#include <utility>

namespace donna::relay::net_detail {

template <class Stream>
class http_client_stream_channel final : public http_client_channel {
public:
    template <class... Args>
    explicit http_client_stream_channel(Args&&... args) : stream_(std::forward<Args>(args)...)
    {}

    boost::beast::tcp_stream& tcp() override { return boost::beast::get_lowest_layer(stream_); }
    bool is_tls() const override { return !std::is_same_v<Stream, boost::beast::tcp_stream>; }

    void async_connect(const boost::asio::ip::tcp::resolver::results_type& endpoints,
                       completion done) override
    {
        tcp().async_connect(
            endpoints, [done = std::move(done)](
                           error_code ec, const boost::asio::ip::tcp::endpoint&) { done(ec); });
    }
    bool set_tls_host(const std::string& host) override;
    void async_tls_handshake(completion done) override;

    void async_write(request& message, io_completion done) override
    {
        boost::beast::http::async_write(stream_, message, std::move(done));
    }
    void async_read_header(boost::beast::flat_buffer& buffer, response_parser& parser,
                           io_completion done) override
    {
        boost::beast::http::async_read_header(stream_, buffer, parser, std::move(done));
    }
    void async_read_some(boost::beast::flat_buffer& buffer, response_parser& parser,
                         io_completion done) override
    {
        boost::beast::http::async_read_some(stream_, buffer, parser, std::move(done));
    }

private:
    Stream stream_;
};

std::unique_ptr<http_client_channel>
make_tls_http_client_channel(const boost::asio::any_io_executor& executor,
                             boost::asio::ssl::context& tls);

} // namespace donna::relay::net_detail
