// http_test_client.cpp: the tests' client, over an io_context it runs itself, one operation at
// a time, until the operation completes or its deadline passes.
#include "http_test_client.hpp"

#include "test_pki.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <numbers>
#include <optional>
#include <string_view>
#include <utility>

namespace donna::fakes {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

} // namespace

struct http_test_client::impl {
    impl(std::uint16_t p, http_test_client_options o) : port(p), options(std::move(o)) {}

    // Runs the context until `done` or the deadline; whether done.
    bool run(const bool& done, std::chrono::milliseconds timeout)
    {
        ioc.restart();
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done)
            if (ioc.run_one_until(deadline) == 0)
                break;
        return done;
    }

    // Calls f with the stream requests go over: the TLS one, or the socket itself.
    template <class F>
    auto with_stream(F&& f)
    {
        if (tls)
            return f(*tls);
        return f(socket);
    }

    std::uint16_t port;
    http_test_client_options options;
    net::io_context ioc;
    tcp::socket socket{ioc};
    ssl::context context{ssl::context::tls_client};
    std::optional<ssl::stream<tcp::socket&>> tls;
    beast::flat_buffer buffer;
};

http_test_client::http_test_client(std::uint16_t port, http_test_client_options options)
    : impl_(std::make_unique<impl>(port, std::move(options)))
{}

http_test_client::~http_test_client() = default;

beast::error_code http_test_client::connect()
{
    beast::error_code ec;
    impl_->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), impl_->port), ec);
    if (ec || !impl_->options.tls)
        return ec;
    const auto& pki = donna::test::shared_test_pki();
    impl_->context.add_certificate_authority(net::buffer(pki.ca_cert_pem), ec);
    if (ec)
        return ec;
    impl_->context.set_verify_mode(ssl::verify_peer);
    auto& stream = impl_->tls.emplace(impl_->socket, impl_->context);
    const auto& host = impl_->options.host;
    // SNI only for a name (RFC 6066 forbids an address); verification for either.
    if (host.find_first_not_of("0123456789.") != std::string::npos)
        SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    stream.set_verify_callback(ssl::host_name_verification(host));
    bool done = false;
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
        ec = e;
        done = true;
    });
    if (!impl_->run(done, generous_wait))
        return net::error::timed_out;
    return ec;
}

exchange_result http_test_client::exchange(http::request<http::string_body> request,
                                           std::chrono::milliseconds timeout)
{
    exchange_result result;
    request.prepare_payload();
    bool written = false;
    impl_->with_stream([&](auto& stream) {
        http::async_write(stream, request, [&](beast::error_code e, std::size_t) {
            result.ec = e;
            written = true;
        });
    });
    if (!impl_->run(written, generous_wait) || result.ec)
        return result;

    // With chunk callbacks set the parser hands chunked bodies to us instead of the body:
    // keep each chunk apart, and rebuild the whole body for the tests that only look at it.
    std::string body;
    // The parser keeps references to these, so they are declared before it.
    auto on_header = [&](std::uint64_t size, std::string_view, beast::error_code&) {
        if (size > 0)
            result.chunks.emplace_back();
    };
    auto on_body = [&](std::uint64_t, std::string_view data, beast::error_code&) -> std::size_t {
        result.chunks.back().append(data);
        body.append(data);
        return data.size();
    };
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024 * 1024);
    parser.on_chunk_header(on_header);
    parser.on_chunk_body(on_body);
    bool done = false;
    impl_->with_stream([&](auto& stream) {
        http::async_read(stream, impl_->buffer, parser, [&](beast::error_code e, std::size_t) {
            result.ec = e;
            done = true;
        });
    });
    if (!impl_->run(done, timeout)) {
        beast::error_code ignored;
        impl_->socket.cancel(ignored);
        impl_->run(done, generous_wait); // lets the cancelled read finish before its state goes
        result.ec = net::error::timed_out;
    }
    result.response = parser.release();
    if (!result.chunks.empty())
        result.response.body() = body;
    return result;
}

bool http_test_client::closed_by_server()
{
    const auto fd = impl_->socket.native_handle();
    pollfd watched{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&watched, 1, static_cast<int>(generous_wait.count())) != 1)
        return false;
    char byte = 0;
    const auto got = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got == 0 || (got < 0 && errno == ECONNRESET);
}

std::string form_data::body(const std::vector<field>& fields) const
{
    std::string out;
    for (const auto& f : fields) {
        out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.name + "\"";
        if (!f.filename.empty())
            out += "; filename=\"" + f.filename + "\"";
        out += "\r\n";
        if (!f.content_type.empty())
            out += "Content-Type: " + f.content_type + "\r\n";
        out += "\r\n" + f.data + "\r\n";
    }
    return out + "--" + boundary + "--\r\n";
}

std::string wav_bytes(int sample_rate, double seconds)
{
    const auto samples = static_cast<std::uint32_t>(std::lround(sample_rate * seconds));
    const auto rate = static_cast<std::uint32_t>(sample_rate);
    std::string out;
    const auto u32 = [&](std::uint32_t v) {
        for (unsigned i = 0; i < 4; ++i)
            out += static_cast<char>((v >> (8 * i)) & 0xFFU);
    };
    const auto u16 = [&](std::uint16_t v) {
        out += static_cast<char>(v & 0xFFU);
        out += static_cast<char>(v >> 8U);
    };
    out += "RIFF";
    u32(36 + samples * 2);
    out += "WAVEfmt ";
    u32(16);
    u16(1); // PCM
    u16(1); // mono
    u32(rate);
    u32(rate * 2);
    u16(2);
    u16(16);
    out += "data";
    u32(samples * 2);
    for (std::uint32_t i = 0; i < samples; ++i) {
        const double phase = 2.0 * std::numbers::pi * 440.0 * i / sample_rate;
        u16(static_cast<std::uint16_t>(
            static_cast<std::int16_t>(std::lround(8000 * std::sin(phase)))));
    }
    return out;
}

} // namespace donna::fakes
