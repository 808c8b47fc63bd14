// websocket_channel_ops.hpp: the WebSocket operations of websocket_stream_channel. Private to
// relay/net: each websocket_{plain,tls}_{accept,connect,read,write}.cpp includes it and explicitly
// instantiates its own group of members for its stream type.
#pragma once

#include "net/websocket_channel_impl.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>

namespace donna::relay::net_detail {

template <class Next>
void websocket_stream_channel<Next>::async_accept(const upgrade_request& upgrade, completion done)
{
    ws_.async_accept(upgrade, std::move(done));
}

template <class Next>
void websocket_stream_channel<Next>::async_connect(
    const boost::asio::ip::tcp::resolver::results_type& endpoints, completion done)
{
    tcp().async_connect(
        endpoints, [done = std::move(done)](error_code ec, const boost::asio::ip::tcp::endpoint&) {
            done(ec);
        });
}

template <class Next>
bool websocket_stream_channel<Next>::set_tls_host(const std::string& host)
{
    if constexpr (tls)
        return ws_.next_layer().set_host(host);
    return true;
}

template <class Next>
void websocket_stream_channel<Next>::async_tls_handshake(completion done)
{
    if constexpr (tls) {
        ws_.next_layer().async_handshake(tls_stream::side::client, std::move(done));
    } else {
        // No TLS on this connection: the step succeeds (later, never inside the call).
        boost::asio::post(get_executor(), [done = std::move(done)] { done({}); });
    }
}

template <class Next>
void websocket_stream_channel<Next>::async_handshake(upgrade_response& response,
                                                     std::string_view host, std::string_view target,
                                                     completion done)
{
    ws_.async_handshake(response, host, target, std::move(done));
}

template <class Next>
void websocket_stream_channel<Next>::async_read(boost::beast::flat_buffer& buffer,
                                                io_completion done)
{
    ws_.async_read(buffer, std::move(done));
}

template <class Next>
void websocket_stream_channel<Next>::async_write(boost::asio::const_buffer data, bool binary,
                                                 io_completion done)
{
    ws_.binary(binary);
    ws_.async_write(data, std::move(done));
}

template <class Next>
void websocket_stream_channel<Next>::async_close(boost::beast::websocket::close_code code,
                                                 completion done)
{
    ws_.async_close(code, std::move(done));
}

// The member groups, one per file, for `Stream`.
#define DONNA_WEBSOCKET_ACCEPT_MEMBERS(Stream)                                                     \
    template void websocket_stream_channel<Stream>::async_accept(const upgrade_request&, completion)
#define DONNA_WEBSOCKET_CONNECT_MEMBERS(Stream)                                                    \
    template void websocket_stream_channel<Stream>::async_connect(                                 \
        const boost::asio::ip::tcp::resolver::results_type&, completion);                          \
    template bool websocket_stream_channel<Stream>::set_tls_host(const std::string&);              \
    template void websocket_stream_channel<Stream>::async_tls_handshake(completion);               \
    template void websocket_stream_channel<Stream>::async_handshake(                               \
        upgrade_response&, std::string_view, std::string_view, completion)
#define DONNA_WEBSOCKET_READ_MEMBERS(Stream)                                                       \
    template void websocket_stream_channel<Stream>::async_read(boost::beast::flat_buffer&,         \
                                                               io_completion)
#define DONNA_WEBSOCKET_WRITE_MEMBERS(Stream)                                                      \
    template void websocket_stream_channel<Stream>::async_write(boost::asio::const_buffer, bool,   \
                                                                io_completion);                    \
    template void websocket_stream_channel<Stream>::async_close(                                   \
        boost::beast::websocket::close_code, completion)

} // namespace donna::relay::net_detail
