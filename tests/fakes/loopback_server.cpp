// loopback_server.cpp
#include "loopback_server.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace donna::fakes {

namespace net = boost::asio;
using tcp = net::ip::tcp;

loopback_server::~loopback_server()
{
    stop();
}

status loopback_server::start(const std::string& name, std::function<void(socket_type)> on_accept)
{
    if (thread_.joinable())
        return make_error(errc::io_error, name + "::start called twice");
    const tcp::endpoint endpoint{net::ip::make_address_v4("127.0.0.1"), 0};
    boost::system::error_code ec;
    if (acceptor_.open(endpoint.protocol(), ec) || acceptor_.bind(endpoint, ec) ||
        acceptor_.listen(net::socket_base::max_listen_connections, ec))
        return make_error(errc::io_error, name + " cannot listen on 127.0.0.1: " + ec.message());
    port_ = acceptor_.local_endpoint(ec).port();
    if (ec)
        return make_error(errc::io_error, name + " cannot read its port: " + ec.message());
    on_accept_ = std::move(on_accept);
    do_accept();
    thread_ = std::thread([this] {
        // Handlers catch what they can; this only keeps a stray exception from ending the
        // thread (and with it every connection) silently.
        for (;;) {
            try {
                ioc_.run();
                return;
            } catch (...) {
            }
        }
    });
    return ok();
}

void loopback_server::do_accept()
{
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || stopping_)
            return;
        if (!ec)
            on_accept_(std::move(socket));
        do_accept();
    });
}

void loopback_server::stop(const std::function<void()>& close_all)
{
    if (!thread_.joinable())
        return;
    try {
        net::post(ioc_, [this, close_all] {
            stopping_ = true;
            boost::system::error_code ignored;
            acceptor_.close(ignored);
            if (close_all)
                close_all();
        });
    } catch (...) {
        // The orderly shutdown could not even be queued (no memory): stop hard instead.
        try {
            ioc_.stop();
        } catch (...) {
        }
    }
    work_.reset();
    try {
        thread_.join();
    } catch (...) {
        // join() throws only for a thread that is not joinable or is this one: neither here.
    }
}

} // namespace donna::fakes
