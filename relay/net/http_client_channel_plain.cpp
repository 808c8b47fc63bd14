// http_client_channel_plain.cpp: HTTP client connections over plain TCP, where Beast's HTTP
// client operations over a TCP stream are instantiated, once for the whole relay.
#include "net/http_client_channel_impl.hpp"

#include <boost/asio/post.hpp>

namespace donna::relay {
namespace net_detail {

using plain_client = http_client_stream_channel<boost::beast::tcp_stream>;

template <>
bool plain_client::set_tls_host(const std::string&)
{
    return true;
}

template <>
void plain_client::async_tls_handshake(completion done)
{
    // No TLS on this connection: the step succeeds (later, never inside the call).
    boost::asio::post(stream_.get_executor(), [done = std::move(done)] { done({}); });
}

} // namespace net_detail

std::unique_ptr<http_client_channel>
make_http_client_channel(const boost::asio::any_io_executor& executor,
                         boost::asio::ssl::context* tls)
{
    if (tls)
        return net_detail::make_tls_http_client_channel(executor, *tls);
    return std::make_unique<net_detail::plain_client>(executor);
}

} // namespace donna::relay
