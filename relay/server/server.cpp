// server.cpp: the TLS context and the accept loop (the listener).
#include "server/server.hpp"

#include "server/http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

namespace donna::relay {

namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

} // namespace

struct server::impl {
    impl(net::io_context& io, connection_deps d, std::shared_ptr<const router> r)
        : deps(d), routes(std::move(r)), cfg(deps.settings.current()), ioc(io)
    {}

    void do_accept()
    {
        // Each connection gets its own strand, so its handlers never run concurrently.
        acceptor.async_accept(net::make_strand(ioc),
                              [this](boost::system::error_code ec, tcp::socket socket) {
                                  if (ec == net::error::operation_aborted || !acceptor.is_open())
                                      return;
                                  if (!ec) {
                                      // Streamed answers (chat deltas, audio) are many small
                                      // writes: Nagle's algorithm would hold each behind the
                                      // peer's delayed ACK (up to 40 ms on Linux).
                                      boost::system::error_code ignored;
                                      socket.set_option(tcp::no_delay(true), ignored);
                                      run_connection(std::move(socket), deps, routes, tls);
                                  }
                                  do_accept();
                              });
    }

    status load_tls()
    {
        const auto& c = cfg->cfg;
        if (c.tls_cert_file.empty())
            return ok();
        auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
        boost::system::error_code ec;
        context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                 ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                                 ssl::context::no_tlsv1_1,
                             ec);
        context->use_certificate_chain_file(c.tls_cert_file, ec);
        if (ec)
            return make_error(errc::invalid_argument,
                              "DONNA_TLS_CERT '" + c.tls_cert_file +
                                  "' is not a PEM certificate chain: " + ec.message());
        context->use_private_key_file(c.tls_key_file, ssl::context::pem, ec);
        if (ec)
            return make_error(errc::invalid_argument, "DONNA_TLS_KEY '" + c.tls_key_file +
                                                          "' is not a PEM private key for the "
                                                          "certificate: " +
                                                          ec.message());
        tls = std::move(context);
        return ok();
    }

    connection_deps deps;
    std::shared_ptr<const router> routes;
    std::shared_ptr<const live_settings> cfg; // start-up settings (address, port, TLS)
    net::io_context& ioc;
    tcp::acceptor acceptor{ioc};
    std::shared_ptr<ssl::context> tls;
};

server::server(net::io_context& ioc, connection_deps deps, std::shared_ptr<const router> routes)
    : impl_(std::make_unique<impl>(ioc, deps, std::move(routes)))
{}

server::~server() = default;

status server::start()
{
    if (auto tls = impl_->load_tls(); !tls)
        return tls;
    const auto& c = impl_->cfg->cfg;
    boost::system::error_code ec;
    const auto address = net::ip::make_address(c.listen_address, ec);
    if (ec)
        return make_error(errc::invalid_argument,
                          "DONNA_LISTEN_ADDRESS '" + c.listen_address + "' is not an IP address");
    const tcp::endpoint endpoint{address, c.port};
    auto& acceptor = impl_->acceptor;
    if (!acceptor.open(endpoint.protocol(), ec) &&
        !acceptor.set_option(net::socket_base::reuse_address(true), ec) &&
        !acceptor.bind(endpoint, ec) &&
        !acceptor.listen(net::socket_base::max_listen_connections, ec)) {
        impl_->do_accept();
        return ok();
    }
    return make_error(errc::invalid_argument, "cannot listen on " + c.listen_address + ":" +
                                                  std::to_string(c.port) + ": " + ec.message());
}

std::uint16_t server::port() const
{
    boost::system::error_code ec;
    const auto endpoint = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

void server::stop_accepting()
{
    net::post(impl_->ioc, [i = impl_.get()] {
        boost::system::error_code ec;
        i->acceptor.close(ec);
    });
}

} // namespace donna::relay
