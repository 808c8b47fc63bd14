// relay_harness_http.cpp: one HTTP request to the test relay, plain or TLS (trusting the
// test CA), synchronous: the relay answers or the test fails on the error thrown.
#include "relay_harness.hpp"

#include "test_pki.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cctype>

namespace donna::relay::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

ssl::context& test_client_tls()
{
    static ssl::context context = [] {
        ssl::context c(ssl::context::tls_client);
        const auto& pki = donna::test::shared_test_pki();
        c.add_certificate_authority(net::buffer(pki.ca_cert_pem));
        c.set_verify_mode(ssl::verify_peer);
        return c;
    }();
    return context;
}

http_result http_request(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body, const std::map<std::string, std::string>& headers,
                         bool tls)
{
    net::io_context ioc;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers)
        req.set(name, value);
    if (!body.empty()) {
        req.body() = body;
        if (req.find(http::field::content_type) == req.end())
            req.set(http::field::content_type, "application/json");
    }
    req.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.skip(method == "HEAD");
    parser.body_limit(64U << 20U);
    beast::flat_buffer buffer;
    bool truncated = false;
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    if (tls) {
        beast::ssl_stream<beast::tcp_stream> stream(ioc, test_client_tls());
        SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
        beast::get_lowest_layer(stream).connect(endpoint);
        stream.handshake(ssl::stream_base::client);
        http::write(stream, req);
        http::read(stream, buffer, parser);
    } else {
        beast::tcp_stream stream(ioc);
        stream.connect(endpoint);
        http::write(stream, req);
        beast::error_code ec;
        http::read(stream, buffer, parser, ec);
        if (ec == http::error::partial_message)
            truncated = true; // the server cut the body short: the test looks at it
        else if (ec)
            throw beast::system_error(ec);
    }
    http_result result;
    result.complete = !truncated;
    auto res = parser.release();
    result.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (auto& ch : name)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        result.headers[name] = std::string(field.value());
    }
    result.body = res.body();
    return result;
}

} // namespace donna::relay::test
