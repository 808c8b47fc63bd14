// http_test_client.hpp: the fakes' tests' HTTP/1.1 client: one connection (plain, or TLS that
// verifies the test PKI's certificate for a given host name), requests written whole, answers
// read with every HTTP chunk kept apart, and every wait bounded so that a broken fake fails a
// test instead of hanging it.
//
//   http_test_client c(fake.port(), {.tls = true, .host = "localhost"});
//   ASSERT_FALSE(c.connect());
//   const auto r = c.exchange(request);   // r.ec, r.response, r.chunks
#pragma once

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace donna::fakes {

inline constexpr auto generous_wait = std::chrono::milliseconds(10'000);

// One answer as the client saw it: the head and body, each HTTP chunk of the body separately,
// and how reading ended (success, or the error that cut it short).
struct exchange_result {
    boost::beast::error_code ec;
    boost::beast::http::response<boost::beast::http::string_body> response;
    std::vector<std::string> chunks;
};

struct http_test_client_options {
    bool tls = false;
    std::string host = "127.0.0.1"; // what TLS verifies the certificate for (and sends as SNI)
};

class http_test_client {
public:
    explicit http_test_client(std::uint16_t port, http_test_client_options options = {});
    ~http_test_client();
    http_test_client(const http_test_client&) = delete;
    http_test_client& operator=(const http_test_client&) = delete;

    // TCP to 127.0.0.1, then with tls the handshake.
    boost::beast::error_code connect();

    exchange_result exchange(boost::beast::http::request<boost::beast::http::string_body> request,
                             std::chrono::milliseconds timeout = generous_wait);

    // Whether the server has closed this connection: the socket turns readable and a peek
    // finds end of stream. Asked of the kernel directly: Asio's edge-triggered reactor may not
    // report an end of stream it has already reported once.
    bool closed_by_server();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// A multipart/form-data body and the Content-Type that names its boundary.
struct form_data {
    struct field {
        std::string name;
        std::string data;
        std::string filename = {};     // a file part when not empty
        std::string content_type = {}; // the part's Content-Type, when not empty
    };
    std::string boundary = "----donna-test-boundary-7MA4YWxkTrZu0gW";

    std::string content_type() const { return "multipart/form-data; boundary=" + boundary; }
    std::string body(const std::vector<field>& fields) const;
};

// A 16-bit mono PCM WAV file of `seconds` of a 440 Hz tone.
std::string wav_bytes(int sample_rate, double seconds);

} // namespace donna::fakes
