// http_server_channel_plain.cpp: the server side of plain HTTP connections (and the check
// for a TLS ClientHello that comes before it), where Beast's HTTP operations over a TCP
// stream are instantiated, once for the whole relay.
#include "net/http_server_channel_impl.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/detect_ssl.hpp>

namespace donna::relay {
namespace net_detail {

using plain_http = http_stream_channel<boost::beast::tcp_stream>;

template <>
void plain_http::async_tls_handshake(boost::beast::flat_buffer&, completion done)
{
    // No TLS on this connection: the step succeeds (later, never inside the call).
    boost::asio::post(get_executor(), [done = std::move(done)] { done({}); });
}

template <>
void plain_http::async_shutdown(completion done)
{
    boost::beast::error_code ec;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    boost::asio::post(get_executor(), [done = std::move(done), ec] { done(ec); });
}

} // namespace net_detail

void async_detect_tls(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
                      std::function<void(boost::beast::error_code, bool tls)> done)
{
    boost::beast::async_detect_ssl(stream, buffer, std::move(done));
}

std::unique_ptr<http_server_channel> make_http_server_channel(boost::beast::tcp_stream&& stream,
                                                              boost::asio::ssl::context* tls)
{
    if (tls)
        return net_detail::make_tls_http_server_channel(std::move(stream), *tls);
    return std::make_unique<net_detail::plain_http>(std::move(stream));
}

} // namespace donna::relay
