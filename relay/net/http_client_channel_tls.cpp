// http_client_channel_tls.cpp: HTTPS client connections, where Beast's HTTP client
// operations over an SSL stream are instantiated, once for the whole relay.
#include "net/http_client_channel_impl.hpp"

namespace donna::relay {
namespace net_detail {

using tls_client = http_client_stream_channel<tls_stream>;

template <>
bool tls_client::set_tls_host(const std::string& host)
{
    return stream_.set_host(host);
}

template <>
void tls_client::async_tls_handshake(completion done)
{
    stream_.async_handshake(tls_stream::side::client, std::move(done));
}

std::unique_ptr<http_client_channel>
make_tls_http_client_channel(const boost::asio::any_io_executor& executor,
                             boost::asio::ssl::context& tls)
{
    return std::make_unique<tls_client>(executor, tls);
}

} // namespace net_detail
} // namespace donna::relay
