// openai_upstream.cpp: the WebSocket client to OPENAI_BASE_URL/realtime, plain or TLS, with
// connect retries (exponential backoff, jitter, bounded) and an ordered write queue. The
// connection itself is opened by upstream/upstream_connect, as every REST call's is, with the
// same trust (the system store plus DONNA_UPSTREAM_CA_FILE).
#include "realtime/upstream.hpp"

#include "metrics/relay_metrics.hpp"
#include "net/websocket_channel.hpp"
#include "providers/openai/realtime_endpoint.hpp"
#include "settings/live_settings.hpp"
#include "upstream/retry_policy.hpp"
#include "upstream/upstream_connect.hpp"
#include "upstream/upstream_errors.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <random>

namespace donna::relay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class ws_upstream final : public upstream_link, public std::enable_shared_from_this<ws_upstream> {
public:
    ws_upstream(net::any_io_executor strand, std::shared_ptr<const live_settings> settings,
                upstream_endpoint endpoint, dialect spelling, const realtime_deps& deps)
        : strand_(std::move(strand)),
          settings_(std::move(settings)),
          endpoint_(std::move(endpoint)),
          spelling_(spelling),
          deps_(deps),
          resolver_(strand_),
          retry_timer_(strand_),
          random_(std::random_device{}())
    {}

    void start(upstream_callbacks callbacks) override
    {
        callbacks_ = std::move(callbacks);
        started_at_ = std::chrono::steady_clock::now();
        net::dispatch(strand_, [self = shared_from_this()] { self->attempt(); });
    }

    void send(std::string text) override
    {
        net::dispatch(strand_, [self = shared_from_this(), text = std::move(text)]() mutable {
            if (self->closed_)
                return;
            self->queue_.push_back(std::move(text));
            if (self->open_ && !self->writing_)
                self->write_next();
        });
    }

    void close() override
    {
        net::dispatch(strand_, [self = shared_from_this()] {
            if (self->closed_)
                return;
            self->closed_ = true;
            self->callbacks_ = {};
            self->retry_timer_.cancel();
            self->resolver_.cancel();
            if (self->open_ && self->ws_) {
                self->ws_->async_close(websocket::close_code::normal, [self](beast::error_code) {});
            } else if (self->ws_) {
                self->ws_->tcp().close();
            }
        });
    }

private:
    const config& cfg() const { return settings_->cfg; }

    void make_stream()
    {
        ws_ = make_websocket_client(strand_, endpoint_.tls ? &deps_.upstream_tls : nullptr);
        ws_->read_message_max(std::size_t{32} << 20); // upstream is trusted; audio can be large
    }

    void attempt()
    {
        if (closed_)
            return;
        ++attempts_;
        attempt_started_ = std::chrono::steady_clock::now();
        make_stream();
        async_connect_upstream(*ws_, resolver_, endpoint_, connect_timeout(),
                               [self = shared_from_this()](connect_outcome failed) {
                                   if (self->closed_)
                                       return;
                                   if (failed)
                                       return self->attempt_failed(upstream_error_code(failed->why),
                                                                   std::move(failed->why.message),
                                                                   failed->retryable);
                                   self->upgrade();
                               });
    }

    std::chrono::milliseconds connect_timeout() const
    {
        return std::chrono::milliseconds(cfg().upstream_connect_timeout_ms);
    }

    // DONNA_UPSTREAM_CONNECT_ATTEMPTS tries within three connect timeouts, waits growing from
    // DONNA_UPSTREAM_BACKOFF_MS (upstream/retry_policy, as for REST calls).
    retry_policy connect_retries() const
    {
        retry_policy policy;
        policy.max_attempts = cfg().upstream_connect_attempts;
        policy.base_delay = std::chrono::milliseconds(cfg().upstream_backoff_ms);
        policy.max_total = connect_timeout() * 3;
        return policy;
    }

    void upgrade()
    {
        ws_->tcp().expires_never();
        websocket::stream_base::timeout timeouts =
            websocket::stream_base::timeout::suggested(beast::role_type::client);
        timeouts.handshake_timeout = connect_timeout();
        ws_->set_option(timeouts);
        ws_->set_option(websocket::stream_base::decorator(
            [key = cfg().openai_api_key,
             beta = spelling_ == dialect::beta](websocket::request_type& req) {
                req.set(http::field::authorization, "Bearer " + key);
                req.set(http::field::user_agent, "donna-relay");
                if (beta)
                    req.set("OpenAI-Beta", "realtime=v1");
            }));
        ws_->async_handshake(
            response_, endpoint_.host_header, endpoint_.target,
            [self = shared_from_this()](beast::error_code ec) { self->on_upgrade(ec); });
    }

    void on_upgrade(beast::error_code ec)
    {
        if (closed_)
            return;
        if (ec) {
            const unsigned status = response_.result_int();
            if (ec == websocket::error::upgrade_declined && status != 0) {
                // Any other refusal of the upgrade means the service cannot be reached
                // here (a wrong base URL or model): unavailable, not "rejected".
                const auto code = status == 401 || status == 403 || status == 429
                                      ? upstream_status_code(status)
                                      : "upstream_unavailable";
                return attempt_failed(code,
                                      "OpenAI Realtime refused the connection: HTTP " +
                                          std::to_string(status) + " " + upstream_reason(),
                                      retryable_status(status));
            }
            return attempt_failed(ec == beast::error::timeout ? "upstream_timeout"
                                                              : "upstream_unavailable",
                                  "OpenAI Realtime upgrade failed: " + ec.message(), true);
        }
        open_ = true;
        const auto now = std::chrono::steady_clock::now();
        auto& m = deps_.metrics;
        m.upstream_connect_seconds.observe(
            std::chrono::duration<double>(now - attempt_started_).count());
        m.upstream_attempt("openai_realtime", "ok").inc();
        opened_at_ = now;
        if (callbacks_.on_open)
            callbacks_.on_open();
        if (!queue_.empty() && !writing_)
            write_next();
        read_next();
    }

    // The "message" of OpenAI's JSON error body when the refusal carried one.
    std::string upstream_reason() const
    {
        const auto body = nlohmann::json::parse(response_.body(), nullptr, false);
        if (!body.is_discarded() && body.is_object()) {
            const auto e = body.find("error");
            if (e != body.end() && e->is_object() && e->contains("message") &&
                (*e)["message"].is_string())
                return "(" + (*e)["message"].get<std::string>() + ")";
        }
        return "";
    }

    void attempt_failed(std::string code, std::string message, bool retryable)
    {
        if (closed_)
            return;
        auto& m = deps_.metrics;
        const auto policy = connect_retries();
        if (retryable &&
            may_retry(policy, attempts_, std::chrono::steady_clock::now() - started_at_)) {
            m.upstream_attempt("openai_realtime", "retry").inc();
            retry_timer_.expires_after(backoff_delay(policy, attempts_, random_));
            retry_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
                if (!ec)
                    self->attempt();
            });
            return;
        }
        m.upstream_attempt("openai_realtime", "failed").inc();
        if (attempts_ > 1)
            message += " (after " + std::to_string(attempts_) + " attempts)";
        fail({std::move(code), std::move(message)});
    }

    void fail(upstream_failure failure)
    {
        if (closed_)
            return;
        closed_ = true;
        auto callbacks = std::move(callbacks_);
        callbacks_ = {};
        if (ws_)
            ws_->tcp().close();
        if (callbacks.on_failure)
            callbacks.on_failure(std::move(failure));
    }

    void read_next()
    {
        ws_->async_read(
            read_buffer_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec)
    {
        if (closed_)
            return;
        if (ec) {
            std::string why = ec.message();
            if (ec == websocket::error::closed) {
                const auto& reason = ws_->reason();
                why = "closed by OpenAI (" + std::to_string(reason.code) +
                      (reason.reason.empty()
                           ? ""
                           : " " + std::string(reason.reason.data(), reason.reason.size())) +
                      ")";
            }
            return fail({"upstream_closed", "the OpenAI Realtime connection ended: " + why});
        }
        if (!first_event_seen_) {
            first_event_seen_ = true;
            deps_.metrics.upstream_first_event_seconds.observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - opened_at_)
                    .count());
        }
        auto text = beast::buffers_to_string(read_buffer_.data());
        read_buffer_.consume(read_buffer_.size());
        if (callbacks_.on_event)
            callbacks_.on_event(std::move(text));
        if (!closed_)
            read_next();
    }

    void write_next()
    {
        writing_ = true;
        ws_->async_write(
            net::buffer(queue_.front()), /*binary=*/false,
            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                self->writing_ = false;
                if (self->closed_)
                    return;
                if (ec)
                    return self->fail(
                        {"upstream_closed", "writing to OpenAI Realtime failed: " + ec.message()});
                self->queue_.pop_front();
                if (!self->queue_.empty())
                    self->write_next();
            });
    }

    net::any_io_executor strand_;
    std::shared_ptr<const live_settings> settings_;
    upstream_endpoint endpoint_;
    dialect spelling_;
    realtime_deps deps_;
    tcp::resolver resolver_;
    net::steady_timer retry_timer_;
    std::mt19937_64 random_;
    std::unique_ptr<websocket_channel> ws_;
    websocket_channel::upgrade_response response_;
    beast::flat_buffer read_buffer_;
    std::deque<std::string> queue_;
    upstream_callbacks callbacks_;
    int attempts_ = 0;
    bool open_ = false, writing_ = false, closed_ = false, first_event_seen_ = false;
    std::chrono::steady_clock::time_point started_at_, attempt_started_, opened_at_;
};

// Reports a configuration problem through the normal failure path (on the strand, after
// start), so the session handles it like any other upstream failure.
class failed_upstream final : public upstream_link,
                              public std::enable_shared_from_this<failed_upstream> {
public:
    failed_upstream(net::any_io_executor strand, upstream_failure failure)
        : strand_(std::move(strand)), failure_(std::move(failure))
    {}
    void start(upstream_callbacks callbacks) override
    {
        net::post(strand_, [self = shared_from_this(), cb = std::move(callbacks)] {
            if (!self->closed_ && cb.on_failure)
                cb.on_failure(self->failure_);
        });
    }
    void send(std::string) override {}
    void close() override
    {
        net::dispatch(strand_, [self = shared_from_this()] { self->closed_ = true; });
    }

private:
    net::any_io_executor strand_;
    upstream_failure failure_;
    bool closed_ = false;
};

} // namespace

std::shared_ptr<upstream_link> make_openai_upstream(const net::any_io_executor& strand,
                                                    std::shared_ptr<const live_settings> settings,
                                                    dialect spelling, const realtime_deps& deps)
{
    auto endpoint = realtime_endpoint(settings->cfg);
    if (!endpoint)
        return std::make_shared<failed_upstream>(
            strand, upstream_failure{"upstream_error", endpoint.error().message});
    return std::make_shared<ws_upstream>(strand, std::move(settings), std::move(*endpoint),
                                         spelling, deps);
}

} // namespace donna::relay
