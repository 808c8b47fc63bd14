// websocket_channel_impl.hpp: websocket_channel over a Beast WebSocket stream, for the two
// stream types the relay uses. Private to relay/net.
//
// The light members are defined here; the WebSocket operations (whose instantiation is the
// expensive part: several composed operations each, over TLS too) are only declared, defined
// in websocket_channel_ops.hpp and explicitly instantiated one group per file
// (websocket_{plain,tls}_{accept,connect,read,write}.cpp), so that no translation unit carries more
// than a share of Beast's WebSocket templates.
#pragma once

#include "net/websocket_channel.hpp"

#include "net/tls_stream.hpp"
#include <boost/beast/core/stream_traits.hpp>

#include <boost/beast/websocket/stream.hpp>

#include <type_traits>
#include <utility>

namespace donna::relay::net_detail {

using plain_stream = boost::beast::tcp_stream;
using tls_stream = donna::relay::tls_stream;

template <class Next>
class websocket_stream_channel final : public websocket_channel {
public:
    static constexpr bool tls = std::is_same_v<Next, tls_stream>;

    template <class... Args>
    explicit websocket_stream_channel(Args&&... args) : ws_(std::forward<Args>(args)...)
    {}

    boost::asio::any_io_executor get_executor() override { return ws_.get_executor(); }
    boost::beast::tcp_stream& tcp() override { return boost::beast::get_lowest_layer(ws_); }
    bool is_tls() const override { return tls; }

    void set_option(const boost::beast::websocket::stream_base::timeout& timeouts) override
    {
        ws_.set_option(timeouts);
    }
    void set_option(boost::beast::websocket::stream_base::decorator decorator) override
    {
        ws_.set_option(std::move(decorator));
    }
    void read_message_max(std::size_t bytes) override { ws_.read_message_max(bytes); }
    bool got_binary() const override { return ws_.got_binary(); }
    const boost::beast::websocket::close_reason& reason() const override { return ws_.reason(); }

    // websocket_{plain,tls}_accept.cpp
    void async_accept(const upgrade_request& upgrade, completion done) override;
    // websocket_{plain,tls}_connect.cpp
    void async_connect(const boost::asio::ip::tcp::resolver::results_type& endpoints,
                       completion done) override;
    bool set_tls_host(const std::string& host) override;
    void async_tls_handshake(completion done) override;
    void async_handshake(upgrade_response& response, std::string_view host, std::string_view target,
                         completion done) override;
    // websocket_{plain,tls}_read.cpp
    void async_read(boost::beast::flat_buffer& buffer, io_completion done) override;
    // websocket_{plain,tls}_write.cpp
    void async_write(boost::asio::const_buffer data, bool binary, io_completion done) override;
    void async_close(boost::beast::websocket::close_code code, completion done) override;

private:
    // No permessage-deflate: the relay never offers it, and leaving it out of the type keeps
    // its code out of every operation.
    boost::beast::websocket::stream<Next, false> ws_;
};

} // namespace donna::relay::net_detail
