// server.cpp: io_context, thread pool and the accept loop (the listener).
#include "server/server.hpp"

#include "server/http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <thread>
#include <vector>

namespace donna::relay {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct server::impl {
    explicit impl(config c) : cfg(std::make_shared<const config>(std::move(c))), ioc(cfg->threads)
    {}

    void do_accept()
    {
        // Each connection gets its own strand, so its handlers never run concurrently.
        acceptor.async_accept(net::make_strand(ioc),
                              [this](boost::system::error_code ec, tcp::socket socket) {
                                  if (ec == net::error::operation_aborted)
                                      return;
                                  if (!ec)
                                      run_http_session(std::move(socket), cfg);
                                  do_accept();
                              });
    }

    std::shared_ptr<const config> cfg;
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::vector<std::thread> threads;
};

server::server(config cfg) : impl_(std::make_unique<impl>(std::move(cfg)))
{}

server::~server()
{
    // join() throws only for a thread that is not joinable or is this one; neither can
    // happen here, but a destructor must not let anything escape.
    try {
        stop();
        wait();
    } catch (...) {
    }
}

status server::start()
{
    boost::system::error_code ec;
    const auto address = net::ip::make_address(impl_->cfg->listen_address, ec);
    if (ec)
        return make_error(errc::invalid_argument, "DONNA_LISTEN_ADDRESS '" +
                                                      impl_->cfg->listen_address +
                                                      "' is not an IP address");
    const tcp::endpoint endpoint{address, impl_->cfg->port};
    auto& acceptor = impl_->acceptor;
    if (!acceptor.open(endpoint.protocol(), ec) &&
        !acceptor.set_option(net::socket_base::reuse_address(true), ec) &&
        !acceptor.bind(endpoint, ec) &&
        !acceptor.listen(net::socket_base::max_listen_connections, ec)) {
        impl_->do_accept();
        for (int i = 0; i < impl_->cfg->threads; ++i)
            impl_->threads.emplace_back([this] { impl_->ioc.run(); });
        return ok();
    }
    return make_error(errc::invalid_argument, "cannot listen on " + impl_->cfg->listen_address +
                                                  ":" + std::to_string(impl_->cfg->port) + ": " +
                                                  ec.message());
}

std::uint16_t server::port() const
{
    boost::system::error_code ec;
    const auto endpoint = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

void server::stop()
{
    net::post(impl_->ioc, [this] {
        boost::system::error_code ec;
        impl_->acceptor.close(ec);
    });
    impl_->ioc.stop();
}

void server::wait()
{
    for (auto& t : impl_->threads)
        if (t.joinable())
            t.join();
    impl_->threads.clear();
}

} // namespace donna::relay
