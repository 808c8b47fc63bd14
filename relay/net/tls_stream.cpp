// tls_stream.cpp: where Asio's SSL stream operations are instantiated for the whole relay,
// once each, with type-erased handlers (tls_stream.hpp says why).
#include "net/tls_stream.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace donna::relay {

struct tls_stream::impl {
    template <class... Args>
    explicit impl(Args&&... args) : stream(std::forward<Args>(args)...)
    {}
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream;
};

tls_stream::tls_stream(next_layer_type&& tcp, boost::asio::ssl::context& context)
    : impl_(std::make_unique<impl>(std::move(tcp), context))
{}
tls_stream::tls_stream(const executor_type& executor, boost::asio::ssl::context& context)
    : impl_(std::make_unique<impl>(executor, context))
{}
tls_stream::tls_stream(tls_stream&&) noexcept = default;
tls_stream& tls_stream::operator=(tls_stream&&) noexcept = default;
tls_stream::~tls_stream() = default;

tls_stream::executor_type tls_stream::get_executor() noexcept
{
    return impl_->stream.get_executor();
}
tls_stream::next_layer_type& tls_stream::next_layer() noexcept
{
    return impl_->stream.next_layer();
}
const tls_stream::next_layer_type& tls_stream::next_layer() const noexcept
{
    return impl_->stream.next_layer();
}

bool tls_stream::set_host(const std::string& host)
{
    if (!SSL_set_tlsext_host_name(impl_->stream.native_handle(), host.c_str()))
        return false;
    impl_->stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
    return true;
}

void tls_stream::read_some(boost::asio::mutable_buffer buffer, io_handler done)
{
    impl_->stream.async_read_some(buffer, std::move(done));
}

void tls_stream::write_some(const write_buffers& buffers, io_handler done)
{
    impl_->stream.async_write_some(buffers, std::move(done));
}

void tls_stream::handshake(side who, handler done)
{
    impl_->stream.async_handshake(who == side::client ? boost::asio::ssl::stream_base::client
                                                      : boost::asio::ssl::stream_base::server,
                                  std::move(done));
}

void tls_stream::handshake(side who, boost::asio::const_buffer already_read, io_handler done)
{
    // The default argument satisfies Boost 1.81's concept check, which wrongly asks the
    // buffered overload's handler for void(error_code).
    impl_->stream.async_handshake(
        who == side::client ? boost::asio::ssl::stream_base::client
                            : boost::asio::ssl::stream_base::server,
        already_read,
        [done = std::move(done)](error_code ec, std::size_t used = 0) mutable { done(ec, used); });
}

void tls_stream::shutdown(handler done)
{
    impl_->stream.async_shutdown(std::move(done));
}

void tls_stream::teardown(boost::beast::role_type role, handler done)
{
    using boost::beast::websocket::async_teardown; // Beast's own for its ssl_stream, by ADL
    async_teardown(role, impl_->stream, std::move(done));
}

void tls_stream::teardown(boost::beast::role_type role, error_code& ec)
{
    using boost::beast::websocket::teardown;
    teardown(role, impl_->stream, ec);
}

} // namespace donna::relay
