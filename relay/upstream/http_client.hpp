// http_client.hpp: the one HTTP client the relay uses for every upstream REST API (OpenAI,
// ElevenLabs, Google, Telnyx): Beast over OpenSSL, keep-alive pools per host, timeouts,
// streamed responses, bounded retries with backoff and jitter, a circuit breaker and a request
// rate limit per upstream, and metrics for every call. Beast stays out of this header.
//
//   http_client client(registry, ioc.get_executor());   // runs on a strand of the relay's own
//                                                       // io_context: no thread of its own
//   client.configure("openai", {.limit = {60, 60s}});   // the seed's limit
//   upstream_request req{.method = "POST", .url = base + "/chat/completions", .body = json};
//   req.headers.emplace_back("Authorization", "Bearer " + key);
//   client.stream("openai", std::move(req), {
//       .on_head = [](const upstream_response& head) { ... },   // 2xx only
//       .on_data = [](std::string_view bytes) { parser.feed(bytes, ...); },
//       .on_done = [](result<upstream_response> r) { ... }});
//
// Callbacks run on the caller's executor when it gives one (stream_callbacks::executor, the
// last argument of request()), else on the client's strand; one call's callbacks in order. A call that gets a non-2xx answer completes with that
// answer (status and whole body), not an error: errors are for answers that never came, in
// the vocabulary of upstream/upstream_connect.hpp (errc::rate_limited: the relay's own limit;
// errc::upstream_unavailable: circuit open, connection refused or reset, the relay shutting
// down; errc::upstream_timeout; errc::upstream_tls_failed: an untrusted certificate).
//
// Retries: connection failures (not TLS verdicts), timeouts, 408/409/429/5xx, up to retry.max_attempts within
// retry.max_total, waiting Retry-After when the answer asks for a wait that fits, else
// backoff_delay(). A stream is never retried once its first bytes went to the caller. A pooled
// connection the server had already closed is replaced at once, without counting an attempt.
//
// Connections are opened by upstream/upstream_connect (one TLS connect for REST and WebSocket).
//
// Thread safety: every member may be called from any thread. After the client is destroyed no
// callback starts (calls still running finish quietly on the strand).
#pragma once

#include "core/error.hpp"
#include "upstream/circuit_breaker.hpp"
#include "upstream/rate_limiter.hpp"
#include "upstream/retry_policy.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace donna::relay {

class metrics_registry;

using header_list = std::vector<std::pair<std::string, std::string>>;

struct upstream_request {
    std::string method = "GET";
    std::string url; // absolute http(s) URL
    header_list headers = {};
    std::string body = {};
    // A pooled connection that fails before any byte of the answer is taken for one the
    // server closed while idle: the request goes again on a new one. false where the server
    // may have acted on it before the connection died and sending it twice is not harmless
    // (a Drive chunk: the session may have kept part of it); the call then fails instead.
    bool replay_when_stale = true;
};

struct upstream_response {
    unsigned status = 0;
    header_list headers; // as received (names in the upstream's spelling)
    std::string body;    // the whole body; empty for a streamed 2xx (it went to on_data)
    int attempts = 0;    // tries this call took (1 when the first answered)
    bool reused_connection = false;

    // Case-insensitive header lookup; "" when absent.
    std::string header(std::string_view name) const;
    bool ok() const { return status >= 200 && status < 300; }
};

struct call_limits {
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)}; // resolve + TCP + TLS
    std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};    // longest silence
    std::chrono::milliseconds total_timeout{std::chrono::seconds(120)};  // whole call
    retry_policy retry;
    std::size_t max_body_bytes = std::size_t{32} << 20; // non-streamed bodies
};

struct upstream_settings {
    rate_limit limit{.requests = 600, .window = std::chrono::seconds(60)};
    circuit_breaker_settings breaker;
    call_limits limits;
};

struct stream_callbacks {
    std::function<void(const upstream_response& head)> on_head = {}; // the final 2xx answer's head
    std::function<void(std::string_view bytes)> on_data = {};        // body bytes as they arrive
    std::function<void(result<upstream_response>)> on_done = {};     // exactly once
    // Where the callbacks run, in order: the caller's executor (its strand), so it needs no
    // post and no lock of its own. Empty: on the client's strand.
    boost::asio::any_io_executor executor = {};
};

// Lets the caller stop a call (a visitor went away): no callback starts after cancel().
class upstream_call {
public:
    virtual ~upstream_call() = default;
    virtual void cancel() = 0;
};

struct http_client_options {
    // PEM certificates trusted besides the system store (a private CA; the tests' CA).
    std::string extra_ca_pem;
    std::size_t max_idle_per_host = 8;
    // An idle pooled connection older than this is closed rather than reused (servers close
    // idle keep-alive connections after a while; OpenAI's load balancers after about 60 s).
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(50)};
};

class http_client {
public:
    // `executor`: the relay's io_context (the client makes a strand of it).
    http_client(metrics_registry& registry, const boost::asio::any_io_executor& executor,
                http_client_options options = {});
    ~http_client(); // calls still running complete no callback
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    // Settings of one upstream, by the name calls use (also the metrics label). Calls to a name
    // never configured use upstream_settings{}. Reconfiguring keeps the breaker's state.
    void configure(const std::string& upstream, const upstream_settings& settings);

    // `deliver_on`: as stream_callbacks::executor.
    std::shared_ptr<upstream_call> request(std::string_view upstream, upstream_request req,
                                           std::function<void(result<upstream_response>)> done,
                                           const boost::asio::any_io_executor& deliver_on = {});
    std::shared_ptr<upstream_call> stream(std::string_view upstream, upstream_request req,
                                          stream_callbacks callbacks);

    // The relay is stopping: every call in flight completes at once with upstream_unavailable
    // ("the relay is shutting down"), later calls too, and pooled connections close. `done`
    // runs on the strand once that is over.
    void shutdown(std::function<void()> done = {});

    // The breaker of an upstream now (waits for the strand: never call from the io_context's
    // threads).
    circuit_breaker::state breaker_state(const std::string& upstream) const;

    // The trust every upstream connection uses (the system store plus extra_ca_pem), for the
    // WebSocket upstreams that connect through upstream_connect themselves.
    boost::asio::ssl::context& tls_context();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace donna::relay
