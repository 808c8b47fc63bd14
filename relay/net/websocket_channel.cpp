// websocket_channel.cpp: the factories of websocket_channel. The channel's WebSocket operations
// are instantiated in websocket_{plain,tls}_{accept,connect,read,write}.cpp.
#include "net/websocket_channel_impl.hpp"

namespace donna::relay {

std::unique_ptr<websocket_channel> make_websocket_channel(boost::beast::tcp_stream&& stream)
{
    return std::make_unique<net_detail::websocket_stream_channel<net_detail::plain_stream>>(
        std::move(stream));
}

std::unique_ptr<websocket_channel> make_websocket_channel(tls_stream&& stream)
{
    return std::make_unique<net_detail::websocket_stream_channel<net_detail::tls_stream>>(
        std::move(stream));
}

std::unique_ptr<websocket_channel>
make_websocket_client(const boost::asio::any_io_executor& executor, boost::asio::ssl::context* tls)
{
    if (tls)
        return std::make_unique<net_detail::websocket_stream_channel<net_detail::tls_stream>>(
            executor, *tls);
    return std::make_unique<net_detail::websocket_stream_channel<net_detail::plain_stream>>(
        executor);
}

} // namespace donna::relay
