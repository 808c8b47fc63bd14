// http_session.cpp: TLS detection, one connection's requests read phase by phase under their
// deadlines, looked up in the route table, and answered through an http_reply: whole,
// streamed in chunks, or handed over as a WebSocket. The endpoints themselves live in api/.
#include "server/http_session.hpp"

#include "core/unix_time.hpp"
#include "http/router.hpp"
#include "net/http_server_channel.hpp"
#include "net/websocket_channel.hpp"
#include "server/connection_deps.hpp"
#include "server/sse_stream.hpp"
#include "upstream/http_client.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace donna::relay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using request = http::request<http::string_body>;

// The TLS detection's deadline: a client that connects and says nothing.
constexpr auto detect_timeout = std::chrono::seconds(30);

// What every answer to one request shares: its HTTP version, whether the connection stays
// open after it, and whether it is the answer to a HEAD (headers only).
struct answer_shape {
    unsigned version = 11;
    bool keep_alive = true;
    bool head = false;
};

template <class Response>
void common_headers(Response& res, const answer_shape& shape)
{
    res.set(http::field::server, "donna-relay");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(shape.keep_alive);
}

http::message_generator from_answer(const answer_shape& shape, const http_answer& answer)
{
    http::response<http::string_body> res{static_cast<http::status>(answer.status), shape.version};
    auto with = shape;
    with.keep_alive = shape.keep_alive && !answer.close;
    common_headers(res, with);
    if (!answer.body.empty() || answer.status != 204)
        res.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers)
        res.set(name, value);
    res.body() = answer.body;
    res.prepare_payload();
    if (shape.head)
        res.body().clear(); // Content-Length stays: the size a GET would have had
    return res;
}

// A file from the static cache as a response; `csp` (when not empty) on every status, 304
// included, since a revalidated response takes its headers from the 304.
http::message_generator file_response(const answer_shape& shape, const static_response& file,
                                      std::string_view csp)
{
    http::response<http::string_body> res{static_cast<http::status>(file.status), shape.version};
    common_headers(res, shape);
    if (!csp.empty())
        res.set("Content-Security-Policy", csp);
    res.set(http::field::content_type, file.content_type);
    res.set(http::field::etag, file.etag);
    res.set(http::field::cache_control, file.cache_control);
    if (!file.vary.empty())
        res.set(http::field::vary, file.vary);
    if (file.status == 200) {
        if (!file.content_encoding.empty())
            res.set(http::field::content_encoding, file.content_encoding);
        res.content_length(file.body->size());
        if (!shape.head)
            res.body() = *file.body;
    }
    return res;
}

// A connection's hold on itself while its reply is pending: a reply may be called from another
// strand (an upstream call's), so it reaches the session through this owner and moves each
// reference into a handler posted to the session's strand; the reply's last call empties it.
struct upstream_owner {
    std::mutex mutex;
    std::shared_ptr<void> session; // the http_session; empty once let go
};

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(std::unique_ptr<http_server_channel> channel, beast::flat_buffer buffer,
                 const connection_deps& deps, std::shared_ptr<const router> routes)
        : stream_(std::move(channel)),
          buffer_(std::move(buffer)),
          deps_(deps),
          routes_(std::move(routes))
    {
        deps_.metrics.connections_active.add(1);
    }

    ~http_session() { deps_.metrics.connections_active.add(-1); }
    http_session(const http_session&) = delete;
    http_session& operator=(const http_session&) = delete;

    void run() { do_read(); }

    // ---- what a reply asks for, on the strand (see session_reply) ----

    // A whole answer. Its error code is counted by whoever refused (the endpoint, or the
    // session for what it refuses itself: refuse()).
    void answer(const http_answer& answer) { send(from_answer(shape_, answer)); }

    void refuse(const http_answer& refusal)
    {
        deps_.metrics.error(refusal.code).inc();
        answer(refusal);
    }

    void answer_file(const static_response& file, const std::string& csp)
    {
        send(file_response(shape_, file, csp));
    }

    void set_stream_head(http_answer head) { stream_head_ = std::move(head); }

    void hold_call(std::shared_ptr<upstream_call> call) { upstream_call_ = std::move(call); }

    void stream_write(std::string text)
    {
        if (!text.empty())
            stream_chunk(std::move(text), false);
    }

    void stream_end(std::optional<http_answer> refusal, std::string last, bool cut)
    {
        upstream_call_.reset();
        const bool started = sse_ && sse_->started();
        if (!started && refusal)
            return answer(*refusal);
        if (cut && started)
            return sse_->cut();
        stream_chunk(std::move(last), true);
    }

    void hand_over(const http_reply::websocket_start& start)
    {
        answering_.reset(); // the realtime session's lease counts from here
        stream_->tcp().expires_never();
        websocket_upgrade upgrade{std::move(upgrade_request_)};
        start(stream_->into_websocket(), upgrade);
    }

    net::any_io_executor executor() { return stream_->get_executor(); }

private:
    const config& cfg() const { return deps_.settings.current()->cfg; }

    static std::chrono::seconds seconds(int n) { return std::chrono::seconds(n); }

    // Idle: a kept-alive connection waits for the first byte of its next request.
    void do_read()
    {
        if (buffer_.size() > 0)
            return read_header(); // pipelined: the next request is already here
        stream_->tcp().expires_after(seconds(cfg().http_idle_seconds));
        stream_->async_read_some(buffer_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     if (ec)
                                         return self->on_read(ec, 0);
                                     self->read_header();
                                 });
    }

    // The head, from its first byte.
    void read_header()
    {
        parser_.emplace();
        // The route's own limit is known only from the head, and the parser checks a
        // Content-Length as soon as the head ends: let the largest through until then.
        parser_->body_limit(
            std::max(default_body_limit, static_cast<std::size_t>(cfg().voice_upload_max_bytes)));
        stream_->tcp().expires_after(seconds(cfg().http_header_seconds));
        stream_->async_read_header(
            buffer_, *parser_,
            beast::bind_front_handler(&http_session::on_header, shared_from_this()));
    }

    // The head is here: find the route and the caller's body limit, then read the body.
    void on_header(beast::error_code ec, std::size_t bytes)
    {
        if (ec)
            return on_read(ec, bytes);
        answering_.emplace(deps_.sessions);
        const auto& head = parser_->get();
        context_ = request_context{};
        context_.method = std::string(head.method_string());
        context_.target = std::string(head.target());
        for (const auto& field : head)
            context_.headers.emplace_back(std::string(field.name_string()),
                                          std::string(field.value()));
        context_.self_origin = std::string(stream_->is_tls() ? "https://" : "http://") +
                               std::string(head[http::field::host]);
        context_.peer_address = peer_address();
        context_.now_unix = unix_now();
        route_ = routes_->find(context_.path(), beast::websocket::is_upgrade(head));
        const bool allowed = route_ && allows(*route_, context_.method);
        if (allowed && route_->identify)
            if (auto who = route_->identify(context_))
                context_.caller = std::move(*who);
        const bool uploader = allowed && route_->upload_limit && context_.caller.who == route_->who;
        // The grant is the route's own (DONNA_VOICE_UPLOAD_MAX_BYTES may be below the default).
        body_limit_ = uploader ? route_->upload_limit(context_) : default_body_limit;
        if (const auto length = parser_->content_length(); length && *length > body_limit_)
            return on_read(http::error::body_limit, bytes);
        parser_->body_limit(body_limit_);
        const bool upload = uploader && body_limit_ > default_body_limit;
        stream_->tcp().expires_after(
            seconds(upload ? cfg().http_upload_seconds : cfg().http_body_seconds));
        stream_->async_read(buffer_, *parser_,
                            beast::bind_front_handler(&http_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t)
    {
        if (ec == http::error::end_of_stream)
            return do_close();
        if (ec == http::error::body_limit) {
            shape_ = answer_shape{11, false, false};
            auto too_large = json_error(413, "payload_too_large",
                                        "the request body is over the limit of " +
                                            std::to_string(body_limit_) + " bytes");
            too_large.close = true;
            return refuse(too_large);
        }
        if (ec)
            return; // timeout, reset or malformed request: the connection just closes
        deps_.metrics.http_requests_total.inc();
        dispatch(parser_->release());
    }

    std::string peer_address() const
    {
        beast::error_code ec;
        const auto remote = stream_->tcp().socket().remote_endpoint(ec);
        return ec ? std::string("unknown") : remote.address().to_string();
    }

    void dispatch(request req);

    void send(http::message_generator message)
    {
        const bool keep_alive = message.keep_alive();
        stream_->tcp().expires_after(seconds(cfg().http_write_seconds));
        stream_->async_write(std::move(message), [self = shared_from_this(),
                                                  keep_alive](beast::error_code ec, std::size_t) {
            self->answering_.reset();
            if (ec)
                return;
            if (!keep_alive)
                return self->do_close();
            self->do_read();
        });
    }

    // The answer's stream, made with its first chunk; it calls back when the body is written
    // (the next request is read) or failed (the caller went away: stop the upstream call).
    void stream_chunk(std::string text, bool last)
    {
        if (!sse_)
            sse_.emplace(*stream_, shared_from_this(),
                         sse_stream::shape{shape_.version, shape_.keep_alive}, stream_head_,
                         seconds(cfg().http_write_seconds),
                         [this](bool written) { on_stream_ended(written); });
        sse_->write(std::move(text), last);
    }

    void on_stream_ended(bool written)
    {
        answering_.reset();
        if (!written) {
            if (upstream_call_)
                upstream_call_->cancel();
            upstream_call_.reset();
            return;
        }
        if (!shape_.keep_alive)
            return do_close();
        do_read();
    }

    void do_close()
    {
        stream_->async_shutdown([self = shared_from_this()](beast::error_code) {});
    }

    std::unique_ptr<http_server_channel> stream_;
    beast::flat_buffer buffer_;
    connection_deps deps_;
    std::shared_ptr<const router> routes_;
    std::optional<http::request_parser<http::string_body>> parser_;
    // The request being read or answered: its context (built from the head), its route (null:
    // none), its body limit and its answer's shape; the upgrade request of a WebSocket route.
    request_context context_;
    const route* route_ = nullptr;
    std::size_t body_limit_ = default_body_limit;
    answer_shape shape_;
    request upgrade_request_;
    // A streamed answer in progress: the upstream call to stop if the caller goes away, and
    // the head's type and headers.
    std::shared_ptr<upstream_call> upstream_call_;
    http_answer stream_head_;
    std::optional<sse_stream> sse_; // kept until the next request: it may be calling back
    // From a request's head until its answer is written: a graceful shutdown waits for it.
    std::optional<session_registry::answer_hold> answering_;
};

// The reply of one request: every call is carried to the session's strand through the owner
// (see upstream_owner); the finishing call lets the session go.
class session_reply final : public http_reply {
public:
    explicit session_reply(const std::shared_ptr<http_session>& session)
        : owner_(std::make_shared<upstream_owner>())
    {
        owner_->session = session;
    }

    ~session_reply() override
    {
        // A handler that dropped its reply unanswered: the caller gets a 500, not a hang.
        if (finished_)
            return;
        try {
            on_strand(true, [](http_session& s) {
                s.refuse(json_error(500, "internal_error", "the endpoint gave no answer"));
            });
        } catch (const std::exception&) {
            // Out of memory posting it: the connection then ends by its write deadline.
        }
    }

    session_reply(const session_reply&) = delete;
    session_reply& operator=(const session_reply&) = delete;

    void send(http_answer answer) override
    {
        finish([answer = std::move(answer)](http_session& s) { s.answer(answer); });
    }

    void send_file(static_response file, std::string content_security_policy) override
    {
        finish([file = std::move(file), csp = std::move(content_security_policy)](http_session& s) {
            s.answer_file(file, csp);
        });
    }

    void stream(http_answer head) override
    {
        on_strand(false, [head = std::move(head)](http_session& s) mutable {
            s.set_stream_head(std::move(head));
        });
    }

    void write(std::string chunk) override
    {
        on_strand(false, [chunk = std::move(chunk)](http_session& s) mutable {
            s.stream_write(std::move(chunk));
        });
    }

    void end(std::optional<http_answer> refusal, std::string last, bool cut) override
    {
        finish(
            [refusal = std::move(refusal), last = std::move(last), cut](http_session& s) mutable {
                s.stream_end(std::move(refusal), std::move(last), cut);
            });
    }

    void cancel_on_disconnect(std::shared_ptr<upstream_call> call) override
    {
        on_strand(false, [call = std::move(call)](http_session& s) mutable {
            s.hold_call(std::move(call));
        });
    }

    void accept_websocket(websocket_start start) override
    {
        finish([start = std::move(start)](http_session& s) { s.hand_over(start); });
    }

    // Asked of the session each time rather than kept: a strand executor must not outlive its
    // io_context, and a reply may be held by an upstream call until the io_context's end.
    boost::asio::any_io_executor executor() const override
    {
        const std::lock_guard lock(owner_->mutex);
        const auto session = std::static_pointer_cast<http_session>(owner_->session);
        return session ? session->executor() : boost::asio::any_io_executor();
    }

private:
    template <class F>
    void finish(F&& f)
    {
        if (finished_.exchange(true))
            return;
        on_strand(true, std::forward<F>(f));
    }

    // Runs f(session) on the strand while the owner holds the session; `last` empties it.
    template <class F>
    void on_strand(bool last, F&& f)
    {
        const std::lock_guard lock(owner_->mutex);
        auto session = std::static_pointer_cast<http_session>(last ? std::move(owner_->session)
                                                                   : owner_->session);
        if (!session)
            return;
        auto executor = session->executor();
        net::post(executor, [session = std::move(session), f = std::forward<F>(f)]() mutable {
            f(*session);
        });
    }

    std::shared_ptr<upstream_owner> owner_;
    std::atomic<bool> finished_{false};
};

void http_session::dispatch(request req)
{
    sse_.reset(); // the last answer's stream, long finished
    stream_head_ = http_answer{};
    shape_ = answer_shape{req.version(), req.keep_alive(), req.method() == http::verb::head};
    if (route_ == nullptr)
        return refuse(beast::websocket::is_upgrade(req)
                          ? json_error(404, "no_websocket_endpoint",
                                       "no WebSocket endpoint here: use /v1/realtime")
                          : json_error(404, "not_found", "nothing is served at this path"));
    if (!allows(*route_, context_.method))
        return refuse(method_not_allowed(*route_, context_.method, context_.path()));
    auto reply = std::make_shared<session_reply>(shared_from_this());
    context_.body = std::move(req.body());
    if (route_->websocket)
        upgrade_request_ = std::move(req);
    route_->handle(std::move(context_), std::move(reply));
}

// Peeks at the first bytes: a TLS ClientHello gets a handshake, anything else plain HTTP.
class detect_session : public std::enable_shared_from_this<detect_session> {
public:
    detect_session(tcp::socket socket, const connection_deps& deps,
                   std::shared_ptr<const router> routes, std::shared_ptr<ssl::context> tls)
        : stream_(std::move(socket)), deps_(deps), routes_(std::move(routes)), tls_(std::move(tls))
    {}

    void run()
    {
        deps_.metrics.connections_total.inc();
        if (!tls_)
            return serve(make_http_server_channel(std::move(stream_), nullptr));
        stream_.expires_after(detect_timeout);
        async_detect_tls(stream_, buffer_,
                         beast::bind_front_handler(&detect_session::on_detect, shared_from_this()));
    }

private:
    void on_detect(beast::error_code ec, bool is_tls)
    {
        if (ec)
            return;
        if (!is_tls)
            return serve(make_http_server_channel(std::move(stream_), nullptr));
        channel_ = make_http_server_channel(std::move(stream_), tls_.get());
        channel_->async_tls_handshake(buffer_, [self = shared_from_this()](beast::error_code e) {
            if (e) {
                self->deps_.metrics.error("tls_handshake_failed").inc();
                return;
            }
            self->serve(std::move(self->channel_));
        });
    }

    void serve(std::unique_ptr<http_server_channel> channel)
    {
        std::make_shared<http_session>(std::move(channel), std::move(buffer_), deps_, routes_)
            ->run();
    }

    beast::tcp_stream stream_;
    std::unique_ptr<http_server_channel> channel_; // during the TLS handshake
    beast::flat_buffer buffer_;
    connection_deps deps_;
    std::shared_ptr<const router> routes_;
    std::shared_ptr<ssl::context> tls_;
};

} // namespace

void run_connection(tcp::socket socket, const connection_deps& deps,
                    std::shared_ptr<const router> routes, std::shared_ptr<ssl::context> tls)
{
    std::make_shared<detect_session>(std::move(socket), deps, std::move(routes), std::move(tls))
        ->run();
}

} // namespace donna::relay
