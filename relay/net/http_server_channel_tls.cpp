// http_server_channel_tls.cpp: the server side of HTTPS connections, from the TLS handshake
// on, where Beast's HTTP operations over a TLS stream (net/tls_stream) are instantiated,
// once for the whole relay.
#include "net/http_server_channel_impl.hpp"

#include <chrono>

namespace donna::relay {
namespace net_detail {

using tls_http = http_stream_channel<tls_stream>;

template <>
void tls_http::async_tls_handshake(boost::beast::flat_buffer& buffer, completion done)
{
    stream_.async_handshake(
        tls_stream::side::server, buffer.data(),
        [&buffer, done = std::move(done)](boost::beast::error_code ec, std::size_t used = 0) {
            if (!ec)
                buffer.consume(used);
            done(ec);
        });
}

template <>
void tls_http::async_shutdown(completion done)
{
    tcp().expires_after(std::chrono::seconds(5)); // a peer that never answers close_notify
    stream_.async_shutdown(std::move(done));
}

std::unique_ptr<http_server_channel> make_tls_http_server_channel(boost::beast::tcp_stream&& stream,
                                                                  boost::asio::ssl::context& tls)
{
    return std::make_unique<tls_http>(std::move(stream), tls);
}

} // namespace net_detail
} // namespace donna::relay
