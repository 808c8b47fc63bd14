// http_client.cpp: the client's strand, its connection pool and one `call` per request.
// Everything below runs on the client's strand (on the relay's io_context; callers' requests
// are posted to it), so the pool, breakers and calls need no locks; only the upstream settings
// table, which configure() writes from any thread, has a mutex.
//
// Sections: [pool] [metrics] [call] [http_client]
#include "upstream/http_client.hpp"

#include "metrics/metrics.hpp"
#include "net/http_client_channel.hpp"
#include "upstream/tls_client.hpp"
#include "upstream/upstream_connect.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <unordered_map>

namespace donna::relay {

std::string upstream_response::header(std::string_view name) const
{
    for (const auto& [key, value] : headers)
        if (boost::beast::iequals(key, name))
            return value;
    return {};
}

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start)
{
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

// ---------------------------------------------------------------- [pool]

// One TCP (or TLS over TCP) connection to one host, with its read buffer (bytes read past a
// response belong to the next one on a keep-alive connection).
struct connection {
    std::string key;
    std::unique_ptr<http_client_channel> channel;
    beast::flat_buffer buffer;
    clock_type::time_point idle_since{};

    beast::tcp_stream& tcp() { return channel->tcp(); }
    void close()
    {
        beast::error_code ec;
        tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
        tcp().close();
    }
};

class connection_pool {
public:
    connection_pool(std::size_t max_idle_per_host, std::chrono::milliseconds idle_timeout)
        : max_idle_(max_idle_per_host), idle_timeout_(idle_timeout)
    {}

    std::unique_ptr<connection> take(const std::string& key)
    {
        auto it = idle_.find(key);
        if (it == idle_.end())
            return nullptr;
        auto& list = it->second;
        while (!list.empty()) {
            auto c = std::move(list.back());
            list.pop_back();
            if (clock_type::now() - c->idle_since < idle_timeout_)
                return c;
            c->close();
        }
        return nullptr;
    }

    void put(std::unique_ptr<connection> c)
    {
        auto& list = idle_[c->key];
        c->idle_since = clock_type::now();
        c->tcp().expires_never();
        if (list.size() >= max_idle_) {
            list.front()->close();
            list.erase(list.begin());
        }
        list.push_back(std::move(c));
    }

    void close_all()
    {
        for (auto& [key, list] : idle_)
            for (auto& c : list)
                c->close();
        idle_.clear();
    }

private:
    std::size_t max_idle_;
    std::chrono::milliseconds idle_timeout_;
    std::map<std::string, std::vector<std::unique_ptr<connection>>> idle_;
};

// ---------------------------------------------------------------- [metrics]

// The series of one upstream, looked up once.
struct upstream_metrics {
    upstream_metrics(metrics_registry& r, const std::string& name)
        : registry(r),
          upstream(name),
          seconds(r.get_histogram("donna_upstream_request_seconds",
                                  "Upstream HTTP calls: start to last byte, retries included",
                                  latency_buckets_seconds(), {{"upstream", name}})),
          first_byte_seconds(r.get_histogram(
              "donna_upstream_first_byte_seconds",
              "Upstream HTTP calls: start to the final answer's headers, retries included",
              latency_buckets_seconds(), {{"upstream", name}})),
          connections_opened(r.get_counter(
              "donna_upstream_connections_opened_total",
              "New upstream HTTP connections (TCP, plus TLS for https)", {{"upstream", name}})),
          connections_reused(r.get_counter("donna_upstream_connections_reused_total",
                                           "Upstream HTTP requests sent on a pooled connection",
                                           {{"upstream", name}})),
          tls_handshakes(r.get_counter("donna_upstream_tls_handshakes_total",
                                       "Completed TLS handshakes with upstreams",
                                       {{"upstream", name}})),
          circuit_open(r.get_gauge("donna_upstream_circuit_open",
                                   "1 while the upstream's circuit breaker refuses calls",
                                   {{"upstream", name}}))
    {}

    counter& outcome(std::string_view o)
    {
        return registry.get_counter("donna_upstream_requests_total",
                                    "Upstream HTTP calls by final outcome",
                                    {{"upstream", upstream}, {"outcome", std::string(o)}});
    }
    counter& retry(std::string_view reason)
    {
        return registry.get_counter("donna_upstream_retries_total",
                                    "Upstream HTTP retries by what failed",
                                    {{"upstream", upstream}, {"reason", std::string(reason)}});
    }

    metrics_registry& registry;
    std::string upstream;
    histogram& seconds;
    histogram& first_byte_seconds;
    counter& connections_opened;
    counter& connections_reused;
    counter& tls_handshakes;
    gauge& circuit_open;
};

std::string_view outcome_of_status(unsigned status)
{
    if (status >= 200 && status < 300)
        return "ok";
    if (status == 429)
        return "status_429";
    if (status >= 500)
        return "status_5xx";
    return "status_4xx";
}

} // namespace

// ---------------------------------------------------------------- [call]

struct http_client::impl {
    struct upstream_state {
        upstream_state(metrics_registry& r, const std::string& name, upstream_settings s)
            : settings(s), limiter(s.limit), breaker(s.breaker), metrics(r, name)
        {}
        upstream_settings settings;
        rate_limiter limiter;
        circuit_breaker breaker; // I/O thread only
        upstream_metrics metrics;
    };

    impl(metrics_registry& r, const net::any_io_executor& executor, http_client_options o)
        : registry(r),
          options(std::move(o)),
          tls_context(make_client_tls_context(options.extra_ca_pem)),
          strand(net::make_strand(executor)),
          random(std::random_device{}()),
          pool(options.max_idle_per_host, options.idle_timeout)
    {}

    upstream_state& state(std::string_view name)
    {
        const std::lock_guard lock(settings_mutex);
        auto it = upstreams.find(name);
        if (it == upstreams.end())
            it = upstreams
                     .emplace(std::string(name),
                              std::make_unique<upstream_state>(registry, std::string(name),
                                                               upstream_settings{}))
                     .first;
        return *it->second;
    }

    // Calls hold the impl (shared), so it lives until the last of them is gone, even when
    // the http_client itself went first.
    metrics_registry& registry;
    http_client_options options;
    ssl::context tls_context;
    mutable std::mutex settings_mutex;
    std::map<std::string, std::unique_ptr<upstream_state>, std::less<>> upstreams;
    net::strand<net::any_io_executor> strand;
    std::mt19937_64 random; // strand only
    connection_pool pool;   // strand only
    // Calls started and not finished (strand only), for shutdown().
    std::unordered_map<const void*, std::weak_ptr<upstream_call>> running;
    bool shut_down = false; // strand only: new calls are refused
    // Set by ~http_client: no callback may run any more (its users are going too).
    std::atomic<bool> abandoned{false};
};

namespace {

using upstream_state = http_client::impl::upstream_state;

class call final : public upstream_call, public std::enable_shared_from_this<call> {
public:
    call(std::shared_ptr<http_client::impl> owner, upstream_state& up, upstream_request req,
         bool streaming, stream_callbacks callbacks)
        : owner_(std::move(owner)),
          up_(up),
          req_(std::move(req)),
          streaming_(streaming),
          callbacks_(std::move(callbacks)),
          callbacks_executor_(callbacks_.executor),
          resolver_(owner_->strand),
          deadline_(owner_->strand),
          retry_timer_(owner_->strand)
    {}

    void start()
    {
        net::post(owner_->strand, [self = shared_from_this()] { self->begin(); });
    }

    void cancel() override
    {
        cancelled_->store(true); // deliveries already posted to the caller's executor see it
        net::post(owner_->strand, [self = shared_from_this()] {
            if (self->finished_)
                return;
            self->finished_ = true;
            self->callbacks_ = {};
            self->callbacks_executor_ = {};
            self->owner_->running.erase(self.get());
            self->up_.breaker.record_abandoned();
            self->up_.metrics.outcome("cancelled").inc();
            self->stop_io();
        });
    }

    // The relay is stopping: the caller hears so now instead of at the call's deadline.
    void abort_for_shutdown()
    {
        finish_error("shutdown", make_error(errc::upstream_unavailable,
                                            up_.metrics.upstream + " call stopped: the relay is "
                                                                   "shutting down"));
    }

private:
    // --- start ---

    void begin()
    {
        if (finished_)
            return;
        started_ = clock_type::now();
        limits_ = up_.settings.limits; // read here: configure() writes it on this strand
        if (owner_->shut_down)
            return abort_for_shutdown();
        owner_->running.emplace(this, weak_from_this());
        auto parsed = parse_upstream_url(req_.url);
        if (!parsed)
            return finish_error("invalid_request", parsed.error());
        endpoint_ = std::move(*parsed);
        if (const auto wait = up_.limiter.try_acquire("")) {
            return finish_error("rate_limited",
                                make_error(errc::rate_limited,
                                           up_.metrics.upstream + ": the relay's limit of " +
                                               up_.limiter.describe() + " is reached; retry in " +
                                               std::to_string((wait->count() + 999) / 1000) +
                                               " s"));
        }
        if (!up_.breaker.allow(clock_type::now())) {
            const auto left = std::chrono::duration_cast<std::chrono::seconds>(
                up_.breaker.retry_at() - clock_type::now());
            return finish_error(
                "circuit_open",
                make_error(errc::upstream_unavailable,
                           up_.metrics.upstream + " is failing; the relay pauses calls to it for " +
                               std::to_string(std::max<long long>(left.count(), 1)) +
                               " s more (circuit breaker open)"));
        }
        deadline_.expires_after(limits_.total_timeout);
        deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || self->finished_)
                return;
            self->give_up("timeout",
                          make_error(errc::upstream_timeout,
                                     self->up_.metrics.upstream + " did not answer within " +
                                         std::to_string(self->limits_.total_timeout.count()) +
                                         " ms"));
        });
        attempt();
    }

    void attempt()
    {
        if (finished_)
            return;
        ++attempts_;
        got_response_bytes_ = false;
        conn_ = owner_->pool.take(endpoint_.key());
        reused_ = conn_ != nullptr;
        if (reused_) {
            up_.metrics.connections_reused.inc();
            return write_request();
        }
        connect();
    }

    // --- connect ---

    void connect()
    {
        conn_ = std::make_unique<connection>();
        conn_->key = endpoint_.key();
        conn_->channel = make_http_client_channel(owner_->strand,
                                                  endpoint_.tls ? &owner_->tls_context : nullptr);
        async_connect_upstream(*conn_->channel, resolver_, endpoint_, limits_.connect_timeout,
                               [self = shared_from_this()](connect_outcome failed) {
                                   if (self->finished_)
                                       return;
                                   if (failed)
                                       return self->attempt_failed(
                                           failed->why.code == errc::upstream_timeout ? "timeout"
                                                                                      : "connect",
                                           std::move(failed->why), failed->retryable);
                                   self->up_.metrics.connections_opened.inc();
                                   if (self->endpoint_.tls)
                                       self->up_.metrics.tls_handshakes.inc();
                                   self->write_request();
                               });
    }

    // --- request and answer ---

    void write_request()
    {
        request_.emplace();
        auto& r = *request_;
        r.method_string(req_.method);
        r.target(endpoint_.target);
        r.version(11);
        r.set(http::field::host, endpoint_.host_header);
        r.set(http::field::user_agent, "donna-relay");
        for (const auto& [name, value] : req_.headers)
            r.set(name, value);
        r.body() = req_.body;
        if (!req_.body.empty() || req_.method == "POST" || req_.method == "PUT" ||
            req_.method == "PATCH")
            r.prepare_payload();
        r.keep_alive(true);
        conn_->tcp().expires_after(limits_.read_timeout);
        conn_->channel->async_write(*request_,
                                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                        self->on_written(ec);
                                    });
    }

    void on_written(beast::error_code ec)
    {
        if (finished_)
            return;
        if (ec)
            return connection_failed(ec, "sending the request");
        parser_.emplace();
        parser_->body_limit(boost::none); // checked per read: streams may be long
        conn_->tcp().expires_after(limits_.read_timeout);
        conn_->channel->async_read_header(
            conn_->buffer, *parser_,
            [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_header(e); });
    }

    void on_header(beast::error_code ec)
    {
        if (finished_)
            return;
        if (ec)
            return connection_failed(ec, "waiting for the answer");
        got_response_bytes_ = true;
        const auto& head = parser_->get();
        response_ = {};
        response_.status = head.result_int();
        for (const auto& field : head)
            response_.headers.emplace_back(std::string(field.name_string()),
                                           std::string(field.value()));
        response_.attempts = attempts_;
        response_.reused_connection = reused_;
        body_.clear();
        if (retryable_status(response_.status) && can_retry()) {
            // Read the (small) error body so the connection stays usable, then wait and retry.
            retry_after_this_body_ = true;
        } else {
            retry_after_this_body_ = false;
            up_.metrics.first_byte_seconds.observe(seconds_since(started_));
            if (streaming_ && response_.ok()) {
                delivered_ = true;
                if (callbacks_.on_head)
                    deliver([on_head = callbacks_.on_head, head = response_] { on_head(head); });
            }
        }
        read_body();
    }

    void read_body()
    {
        if (parser_->is_done())
            return on_body_done();
        auto& body = parser_->get().body();
        body.data = read_buffer_.data();
        body.size = read_buffer_.size();
        conn_->tcp().expires_after(limits_.read_timeout);
        conn_->channel->async_read_some(
            conn_->buffer, *parser_, [self = shared_from_this()](beast::error_code e, std::size_t) {
                self->on_body_read(e);
            });
    }

    void on_body_read(beast::error_code ec)
    {
        if (finished_)
            return;
        if (ec == http::error::need_buffer)
            ec = {};
        const std::size_t n = read_buffer_.size() - parser_->get().body().size;
        if (n > 0) {
            const std::string_view bytes(read_buffer_.data(), n);
            if (streaming_ && response_.ok() && !retry_after_this_body_) {
                if (callbacks_.on_data) {
                    if (callbacks_.executor)
                        deliver([on_data = callbacks_.on_data, copy = std::string(bytes)] {
                            on_data(copy);
                        });
                    else if (!owner_->abandoned)
                        callbacks_.on_data(bytes); // no copy when delivered right here
                }
                if (finished_) // the caller cancelled from inside on_data
                    return;
            } else {
                body_.append(bytes);
                if (body_.size() > limits_.max_body_bytes)
                    return give_up("body_too_large",
                                   make_error(errc::payload_too_large,
                                              up_.metrics.upstream + " answered with more than " +
                                                  std::to_string(limits_.max_body_bytes) +
                                                  " bytes"));
            }
        }
        if (ec)
            return connection_failed(ec, "reading the answer");
        read_body();
    }

    void on_body_done()
    {
        const bool reusable = parser_->keep_alive();
        if (reusable)
            owner_->pool.put(std::move(conn_));
        else
            close_connection();
        if (retry_after_this_body_) {
            const auto asked = parse_retry_after(response_.header("retry-after-ms"),
                                                 response_.header("retry-after"));
            return schedule_retry("status_" + std::to_string(response_.status), asked,
                                  response_.status >= 500);
        }
        if (response_.status >= 500)
            up_.breaker.record_failure(clock_type::now());
        else if (response_.status != 429)
            up_.breaker.record_success();
        else
            up_.breaker.record_abandoned(); // a busy upstream is up: not a breaker failure
        response_.body = std::move(body_);
        finish(outcome_of_status(response_.status), std::move(response_));
    }

    // --- failures and retries ---

    bool can_retry() const
    {
        return !delivered_ && may_retry(limits_.retry, attempts_, clock_type::now() - started_);
    }

    // A failure on the connection itself (not an HTTP answer).
    void connection_failed(beast::error_code ec, const std::string& while_doing)
    {
        // A pooled connection the server closed while it sat idle fails before any byte of
        // an answer: replace it at once. The request never reached the application.
        if (reused_ && !got_response_bytes_ && req_.replay_when_stale &&
            ec != beast::error::timeout) {
            close_connection();
            up_.metrics.retry("stale_connection").inc();
            --attempts_;
            return attempt();
        }
        const bool timeout = ec == beast::error::timeout;
        attempt_failed(timeout ? "timeout" : "connection",
                       make_error(timeout ? errc::upstream_timeout : errc::upstream_unavailable,
                                  up_.metrics.upstream + " connection failed while " + while_doing +
                                      ": " + ec.message()),
                       true);
    }

    // One attempt failed without an answer; `why` is in upstream_connect.hpp's vocabulary.
    void attempt_failed(const std::string& reason, error why, bool retryable)
    {
        close_connection();
        last_failure_ = why.message;
        if (retryable && can_retry())
            return schedule_retry(reason, std::nullopt, true);
        up_.breaker.record_failure(clock_type::now());
        if (attempts_ > 1)
            why.message += " (after " + std::to_string(attempts_) + " attempts)";
        if (delivered_)
            why.message += " (the answer was cut off)";
        const auto outcome = why.code == errc::upstream_timeout      ? "timeout"
                             : why.code == errc::upstream_tls_failed ? "tls"
                                                                     : "unavailable";
        finish_error(outcome, std::move(why));
    }

    void schedule_retry(const std::string& reason, std::optional<std::chrono::milliseconds> asked,
                        bool breaker_failure)
    {
        if (breaker_failure)
            up_.breaker.record_failure(clock_type::now());
        auto wait = backoff_delay(limits_.retry, attempts_, owner_->random);
        if (asked)
            wait = *asked;
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started_);
        if (elapsed + wait >= limits_.retry.max_total || elapsed + wait >= limits_.total_timeout) {
            // The wait does not fit in the call's budget: answer with what we have.
            if (got_response_bytes_ && response_.status != 0) {
                response_.body = std::move(body_);
                return finish(outcome_of_status(response_.status), std::move(response_));
            }
            return finish_error(
                "unavailable",
                make_error(errc::upstream_unavailable,
                           last_failure_ + " (after " + std::to_string(attempts_) + " attempts)"));
        }
        up_.metrics.retry(reason).inc();
        retry_timer_.expires_after(wait);
        retry_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec && !self->finished_)
                self->attempt();
        });
    }

    // Deadline passed or the body grew too large: a failure of the upstream; stop whatever is
    // in flight.
    void give_up(std::string_view outcome, error e)
    {
        up_.breaker.record_failure(clock_type::now());
        finish_error(outcome, std::move(e));
    }

    // --- completion ---

    void finish_error(std::string_view outcome, error e)
    {
        if (finished_)
            return;
        stop_io();
        complete(outcome, std::move(e));
    }

    void finish(std::string_view outcome, upstream_response response)
    {
        if (finished_)
            return;
        stop_io();
        complete(outcome, std::move(response));
    }

    void complete(std::string_view outcome, result<upstream_response> r)
    {
        finished_ = true;
        owner_->running.erase(this);
        up_.metrics.outcome(outcome).inc();
        up_.metrics.seconds.observe(seconds_since(started_));
        up_.metrics.circuit_open.set(up_.breaker.current() == circuit_breaker::state::open ? 1.0
                                                                                           : 0.0);
        auto done = std::move(callbacks_.on_done);
        callbacks_ = {};
        if (done)
            deliver([done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
        // The caller's executor is not kept past the call: it may belong to an io_context
        // that ends before this object does.
        callbacks_executor_ = {};
    }

    // Runs a callback where the caller asked (its executor, in the order delivered), or here
    // on the client's strand; never once the call was cancelled or the client is gone.
    template <class F>
    void deliver(F&& f)
    {
        if (!callbacks_executor_) {
            if (!owner_->abandoned && !cancelled_->load())
                f();
            return;
        }
        net::post(callbacks_executor_,
                  [f = std::forward<F>(f), cancelled = cancelled_, owner = owner_]() mutable {
                      if (!owner->abandoned && !cancelled->load())
                          f();
                  });
    }

    void stop_io()
    {
        deadline_.cancel();
        retry_timer_.cancel();
        resolver_.cancel();
        close_connection();
    }

    // Closes the socket; the connection object lives as long as the call, since an operation
    // cancelled by the close still completes later and touches its stream and buffer.
    void close_connection()
    {
        if (conn_) {
            conn_->close();
            retired_.push_back(std::move(conn_));
        }
    }

    std::shared_ptr<http_client::impl> owner_;
    upstream_state& up_;
    call_limits limits_;
    upstream_request req_;
    bool streaming_;
    stream_callbacks callbacks_;
    net::any_io_executor callbacks_executor_; // kept: callbacks_ is emptied as the call ends
    std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
    upstream_endpoint endpoint_;
    tcp::resolver resolver_;
    net::steady_timer deadline_;
    net::steady_timer retry_timer_;
    std::unique_ptr<connection> conn_;
    std::vector<std::unique_ptr<connection>> retired_; // closed, maybe with handlers pending
    std::optional<http_client_channel::request> request_;
    std::optional<http_client_channel::response_parser> parser_;
    std::array<char, 16384> read_buffer_{};
    upstream_response response_;
    std::string body_;
    std::string last_failure_;
    clock_type::time_point started_{};
    int attempts_ = 0;
    bool reused_ = false;
    bool got_response_bytes_ = false;
    bool retry_after_this_body_ = false;
    bool delivered_ = false; // the caller has seen the answer's head or bytes: no retry now
    bool finished_ = false;
};

} // namespace

// ---------------------------------------------------------------- [http_client]

http_client::http_client(metrics_registry& registry, const boost::asio::any_io_executor& executor,
                         http_client_options options)
    : impl_(std::make_shared<impl>(registry, executor, std::move(options)))
{}

// Calls still running keep the impl; they finish on the strand without calling back.
http_client::~http_client()
{
    impl_->abandoned = true;
    try {
        shutdown();
    } catch (const std::exception&) {
        // Out of memory posting it: the calls still finish on the strand, calling no one.
    }
}

void http_client::shutdown(std::function<void()> done)
{
    net::post(impl_->strand, [i = impl_, done = std::move(done)] {
        i->shut_down = true;
        auto running = std::move(i->running);
        i->running.clear();
        for (auto& [key, weak] : running)
            if (auto c = std::static_pointer_cast<call>(weak.lock()))
                c->abort_for_shutdown();
        i->pool.close_all();
        if (done)
            done();
    });
}

void http_client::configure(const std::string& upstream, const upstream_settings& settings)
{
    auto& state = impl_->state(upstream);
    // Settings and limit are replaced; the breaker keeps its history. Done on the strand,
    // where calls read them.
    net::post(impl_->strand, [&state, settings, keep = impl_] {
        state.settings = settings;
        state.limiter.set_limit(settings.limit);
        state.breaker.set_settings(settings.breaker);
    });
}

std::shared_ptr<upstream_call>
http_client::request(std::string_view upstream, upstream_request req,
                     std::function<void(result<upstream_response>)> done,
                     const boost::asio::any_io_executor& deliver_on)
{
    auto c = std::make_shared<call>(
        impl_, impl_->state(upstream), std::move(req), false,
        stream_callbacks{.on_done = std::move(done), .executor = deliver_on});
    c->start();
    return c;
}

std::shared_ptr<upstream_call> http_client::stream(std::string_view upstream, upstream_request req,
                                                   stream_callbacks callbacks)
{
    auto c = std::make_shared<call>(impl_, impl_->state(upstream), std::move(req), true,
                                    std::move(callbacks));
    c->start();
    return c;
}

circuit_breaker::state http_client::breaker_state(const std::string& upstream) const
{
    auto& state = impl_->state(upstream);
    std::promise<circuit_breaker::state> answer;
    auto future = answer.get_future();
    net::post(impl_->strand, [&state, &answer] { answer.set_value(state.breaker.current()); });
    return future.get();
}

boost::asio::ssl::context& http_client::tls_context()
{
    return impl_->tls_context;
}

} // namespace donna::relay
