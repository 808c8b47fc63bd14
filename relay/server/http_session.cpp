// http_session.cpp: request routing for the relay's HTTP side.
//
// Routes: GET/HEAD /healthz, and GET/HEAD of the built client's static files. Everything
// else gets a clear status (404, 405) with a one-line text body saying why.
#include "server/http_session.hpp"

#include "config/config.hpp"
#include "server/static_files.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include <chrono>
#include <iostream>

namespace donna::relay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr std::size_t request_body_limit = std::size_t{64} * 1024;
constexpr auto idle_timeout = std::chrono::seconds(30);

http::message_generator text_response(const http::request<http::string_body>& req,
                                      http::status status, std::string body)
{
    http::response<http::string_body> res{status, req.version()};
    res.set(http::field::server, "donna-relay");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    if (req.method() == http::verb::head)
        res.body().clear();
    return res;
}

http::message_generator handle(const http::request<http::string_body>& req, const config& cfg)
{
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        auto res = text_response(req, http::status::method_not_allowed,
                                 "method not allowed: use GET or HEAD\n");
        return res;
    }
    const std::string_view target = req.target();
    if (target == "/healthz")
        return text_response(req, http::status::ok, "ok\n");

    const auto path = resolve_static_path(cfg.web_root, target);
    if (!path)
        return text_response(req, http::status::not_found, "not found\n");

    http::file_body::value_type file;
    beast::error_code ec;
    file.open(path->c_str(), beast::file_mode::scan, ec);
    if (ec)
        return text_response(req, http::status::not_found, "not found\n");

    const auto size = file.size();
    if (req.method() == http::verb::head) {
        http::response<http::empty_body> res{http::status::ok, req.version()};
        res.set(http::field::server, "donna-relay");
        res.set(http::field::content_type, media_type(*path));
        res.content_length(size);
        res.keep_alive(req.keep_alive());
        return res;
    }
    http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(file)),
                                        std::make_tuple(http::status::ok, req.version())};
    res.set(http::field::server, "donna-relay");
    res.set(http::field::content_type, media_type(*path));
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    res.content_length(size);
    res.keep_alive(req.keep_alive());
    return res;
}

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket socket, std::shared_ptr<const config> cfg)
        : stream_(std::move(socket)), cfg_(std::move(cfg))
    {}

    void run() { do_read(); }

private:
    void do_read()
    {
        parser_.emplace();
        parser_->body_limit(request_body_limit);
        stream_.expires_after(idle_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&http_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t)
    {
        if (ec == http::error::end_of_stream)
            return do_close();
        if (ec == http::error::body_limit) {
            // Answer instead of silently dropping: the client learns what it did wrong.
            http::request<http::string_body> req;
            req.keep_alive(false);
            return send(
                text_response(req, http::status::payload_too_large, "request body over 64 KiB\n"));
        }
        if (ec)
            return; // timeout, reset or malformed request: the connection just closes
        send(handle(parser_->get(), *cfg_));
    }

    void send(http::message_generator message)
    {
        const bool keep_alive = message.keep_alive();
        beast::async_write(
            stream_, std::move(message),
            [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                if (ec)
                    return;
                if (!keep_alive)
                    return self->do_close();
                self->do_read();
            });
    }

    void do_close()
    {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<const config> cfg_;
};

} // namespace

void run_http_session(tcp::socket socket, std::shared_ptr<const config> cfg)
{
    std::make_shared<http_session>(std::move(socket), std::move(cfg))->run();
}

} // namespace donna::relay
