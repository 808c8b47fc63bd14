// fake_http_server.hpp: what the REST fakes (fake_openai_http, fake_elevenlabs_http) share: an
// HTTP/1.1 server on 127.0.0.1 (keep-alive, optionally TLS with the test PKI's localhost
// certificate) that records every request, applies the scripted faults, and sends what the
// fake's handler answers: a whole body, or a chunked one written one HTTP chunk at a time.
//
//   class fake_x : public fake_http_server { ... };   // a handler decides the answers
//   fake_x fake({.tls = true});
//   ASSERT_TRUE(fake.start());
//   ... fake.origin()        // "https://127.0.0.1:<port>"
//   EXPECT_EQ(fake.tls_handshakes(), 1);   // every request rode one TLS session
//
// Thread safety: every public member may be called from any thread once start() returned;
// the server (and so the handler) runs on one thread of its own, which the destructor stops
// and joins.
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace donna::fakes {

// Faults apply to POST requests on a known path, after the key is checked (as the APIs check
// the key before rate limits) and before the body is. GETs (a voice list) are never faulted,
// so that a client's cached look-ups do not use up a fault meant for the request under test.
enum class http_fault {
    none,
    status_429_with_retry_after, // the next `fault_count` requests: 429 + Retry-After (seconds)
    status_500,                  // the next `fault_count` requests: 500
    stall_stream,     // streams: headers and the first chunk, then nothing; others: no answer
    reset_mid_stream, // streams: close the TCP connection (no last chunk) after `fault_count`
                      // chunks; others: close it without answering
};

// One part of a multipart/form-data body (RFC 7578).
struct form_part {
    std::string name = {};         // Content-Disposition name
    std::string filename = {};     // Content-Disposition filename; empty for a plain field
    std::string content_type = {}; // the part's Content-Type; empty when it has none
    std::string data = {};         // the bytes between the part's headers and the next boundary
};

// One request as received, whatever the answer.
struct recorded_request {
    std::string method;                         // "POST"
    std::string target;                         // "/v1/chat/completions?x=1", query included
    std::map<std::string, std::string> headers; // names lower-cased; repeats joined by ", "
    std::string body;
    int connection = 0;           // which accepted connection carried it (1 for the first)
    std::vector<form_part> parts; // a multipart/form-data body, parsed; otherwise empty

    std::string path() const { return target.substr(0, target.find('?')); }
    // The first part named `name`, or null.
    const form_part* part(std::string_view name) const;
};

// A multipart/form-data body split into parts, with the boundary taken from the Content-Type
// (quoted or not); nullopt if the type is another or the body does not follow RFC 7578.
std::optional<std::vector<form_part>> parse_form_data(std::string_view content_type,
                                                      std::string_view body);

// A query parameter of a target ("/x?a=1&b=2", "b" -> "2"), percent-decoded; nullopt if absent.
std::optional<std::string> query_parameter(std::string_view target, std::string_view name);

// What a handler sends for one request. The server adds Server, Connection and the framing
// (Content-Length, or Transfer-Encoding: chunked when `chunked`).
struct http_answer {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers = {}; // Content-Type included
    std::string body = {};                                         // when not chunked
    bool chunked = false;
    std::vector<std::string> chunks = {}; // when chunked: one HTTP chunk each, in order
};

class fake_http_server;

// A fake's API logic. Called on the server's I/O thread only, one request at a time.
class http_handler {
public:
    virtual ~http_handler() = default;
    // The server that owns this handler (set by its constructor), for make_id().
    fake_http_server* server = nullptr;
    // An answer that comes before any fault (an unknown path, a refused key), or nullopt.
    virtual std::optional<http_answer> admit(const recorded_request& request) = 0;
    virtual http_answer rate_limited(int retry_after_seconds) = 0;
    virtual http_answer server_error() = 0;
    // The request's own answer, refusals of its body included.
    virtual http_answer answer(const recorded_request& request) = 0;
};

struct http_server_options {
    std::string name = {}; // the Server header, and what start()'s errors name
    bool tls = false;      // HTTPS with donna::test::shared_test_pki()'s localhost certificate
    http_fault fault = http_fault::none;
    int fault_count = 1;
    int retry_after_seconds = 1;
    // A pause before each streamed chunk but the first, as a model's tokens come (0: none).
    std::chrono::milliseconds chunk_interval = std::chrono::milliseconds(0);
};

class fake_http_server {
public:
    fake_http_server(std::unique_ptr<http_handler> handler, http_server_options options);
    ~fake_http_server();
    fake_http_server(const fake_http_server&) = delete;
    fake_http_server& operator=(const fake_http_server&) = delete;

    // Listens on 127.0.0.1, an ephemeral port; fails (io_error) if it cannot, or if called twice.
    status start();
    std::uint16_t port() const;
    // "http://127.0.0.1:<port>", or "https://..." with tls.
    std::string origin() const;

    // Changes the fault for requests from now on; `count` is the new fault_count.
    void set_fault(http_fault f, int count = 1);

    // A copy of every request so far, in order of arrival.
    std::vector<recorded_request> requests() const;
    // TCP connections accepted so far (a client that reuses connections keeps this low).
    int accepted_connections() const;
    // TLS handshakes completed so far (0 without tls).
    int tls_handshakes() const;
    // When each streamed chunk was handed to the socket, in order, over all streams so far
    // (benchmarks compare these with when the chunk reached a client).
    std::vector<std::chrono::steady_clock::time_point> chunk_times() const;

    // Waits until pred(a snapshot of requests()) is true, re-checking whenever a request
    // arrives (and at least every 50 ms); false if `timeout` passes first.
    bool wait_until(const std::function<bool(const std::vector<recorded_request>&)>& pred,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    // An id of the API's shape: `prefix` and `length` base62 characters, unique within this
    // server (a serial) yet in no order a client could rely on (the rest is random).
    std::string make_id(std::string_view prefix, std::size_t length = 29);

protected:
    // The handler given to the constructor, for the fakes' run-time scripting.
    http_handler& handler() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

std::string lower(std::string_view s);

} // namespace donna::fakes
