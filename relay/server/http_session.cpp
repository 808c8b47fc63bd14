// http_session.cpp: TLS detection, request routing, and the hand-over to WebSocket sessions.
// One session for plain and TLS connections alike: the stream sits behind net/http_server_channel.
#include "server/http_session.hpp"

#include "api/chat_endpoint.hpp"
#include "api/embed_endpoint.hpp"
#include "api/memory_endpoint.hpp"
#include "api/messages_endpoint.hpp"
#include "api/readiness.hpp"
#include "api/realtime_auth.hpp"
#include "api/session_endpoint.hpp"
#include "api/speech_endpoint.hpp"
#include "api/voice_chat_endpoint.hpp"
#include "models/model_watch.hpp"
#include "net/http_server_channel.hpp"
#include "realtime/realtime_session.hpp"
#include "server/services.hpp"
#include "server/static_files.hpp"
#include "voice/speech_service.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace donna::relay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using request = http::request<http::string_body>;

constexpr std::size_t request_body_limit = std::size_t{64} * 1024;
constexpr auto keep_alive_timeout = std::chrono::seconds(30);
// Uploads (a recorded voice-chat turn, voice samples) may take longer than a small request.
constexpr auto upload_timeout = std::chrono::seconds(120);

// The body limit of a request: DONNA_VOICE_UPLOAD_MAX_BYTES for the two upload routes, 64 KiB
// for everything else (decided from the head, before the body is read).
std::size_t body_limit_for(std::string_view target, const config& cfg)
{
    const auto path = target.substr(0, target.find('?'));
    if (path == "/v1/voice-chat" || path == "/v1/voices")
        return static_cast<std::size_t>(cfg.voice_upload_max_bytes);
    return request_body_limit;
}

std::int64_t unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

template <class Response>
void common_headers(Response& res, const request& req)
{
    res.set(http::field::server, "donna-relay");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(req.keep_alive());
}

http::message_generator text_response(const request& req, http::status status, std::string body,
                                      std::string_view type = "text/plain; charset=utf-8")
{
    http::response<http::string_body> res{status, req.version()};
    common_headers(res, req);
    res.set(http::field::content_type, type);
    res.body() = std::move(body);
    res.prepare_payload();
    if (req.method() == http::verb::head)
        res.body().clear();
    return res;
}

http::message_generator from_answer(const request& req, const http_answer& answer)
{
    http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
    common_headers(res, req);
    if (!answer.body.empty() || answer.status != 204)
        res.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers)
        res.set(name, value);
    res.body() = answer.body;
    res.prepare_payload();
    return res;
}

// A file from the static cache as a response; `csp` (when not empty) on every status, 304
// included, since a revalidated response takes its headers from the 304.
http::message_generator file_response(const request& req, const static_response& file,
                                      std::string_view csp = {})
{
    http::response<http::string_body> res{static_cast<http::status>(file.status), req.version()};
    common_headers(res, req);
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
        if (req.method() != http::verb::head)
            res.body() = *file.body;
    }
    return res;
}

// The client's page fetched by its own name (or as "/") has no site, so no page may frame it:
// a frame must go through /embed, which names the site whose pages may (percent-escapes count:
// "/%69ndex.html").
bool is_embed_file(std::string_view target)
{
    return resolve_static_path("/", target) == resolve_static_path("/", embed_file_target);
}

http::message_generator static_file(const request& req, services& s)
{
    const auto file = s.files().get(req.target(), req[http::field::accept_encoding],
                                    req[http::field::if_none_match]);
    if (file.status == 404)
        return text_response(req, http::status::not_found, "not found\n");
    return file_response(req, file, is_embed_file(req.target()) ? "frame-ancestors 'none'" : "");
}

// GET /embed?site=...: index.html with the site's frame-ancestors policy (api/embed_endpoint).
http::message_generator embed_file(const request& req, services& s)
{
    const auto embed = embed_request(req.target(), s.settings()->cfg.sites);
    if (const auto* refusal = std::get_if<http_answer>(&embed)) {
        s.metrics().error(refusal->code).inc();
        return text_response(req, static_cast<http::status>(refusal->status), refusal->body,
                             refusal->content_type);
    }
    const auto file = s.files().get(embed_file_target, req[http::field::accept_encoding],
                                    req[http::field::if_none_match]);
    if (file.status == 404)
        return text_response(req, http::status::not_found,
                             "index.html is missing from the relay's web root (DONNA_WEB_ROOT)\n");
    return file_response(req, file, std::get<embed_page>(embed).content_security_policy);
}

// A connection's hold on itself while an upstream call's callbacks may still reach it (see
// http_session::own_for_upstream).
struct upstream_owner {
    std::mutex mutex;
    std::shared_ptr<void> session; // the http_session; empty once let go
};

// The holds of every connection waiting on an upstream call, by the services they use.
struct upstream_waits {
    std::mutex mutex;
    std::vector<std::pair<const services*, std::weak_ptr<upstream_owner>>> owners;
};

upstream_waits& all_upstream_waits()
{
    static upstream_waits waits;
    return waits;
}

void register_upstream_wait(const services& svc, const std::shared_ptr<upstream_owner>& owner)
{
    auto& waits = all_upstream_waits();
    const std::lock_guard lock(waits.mutex);
    std::erase_if(waits.owners, [](const auto& entry) { return entry.second.expired(); });
    waits.owners.emplace_back(&svc, owner);
}

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(std::unique_ptr<http_server_channel> channel, beast::flat_buffer buffer,
                 std::shared_ptr<services> services)
        : stream_(std::move(channel)), buffer_(std::move(buffer)), services_(std::move(services))
    {
        services_->metrics().connections_active.add(1);
    }

    ~http_session() { services_->metrics().connections_active.add(-1); }
    http_session(const http_session&) = delete;
    http_session& operator=(const http_session&) = delete;

    void run() { do_read(); }

private:
    void do_read()
    {
        parser_.emplace();
        // The route's own limit is known only from the head, and the parser checks a
        // Content-Length as soon as the head ends: let the largest through until then.
        parser_->body_limit(
            std::max(request_body_limit,
                     static_cast<std::size_t>(services_->settings()->cfg.voice_upload_max_bytes)));
        stream_->tcp().expires_after(keep_alive_timeout);
        stream_->async_read_header(
            buffer_, *parser_,
            beast::bind_front_handler(&http_session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t bytes)
    {
        if (ec)
            return on_read(ec, bytes);
        body_limit_ = body_limit_for(parser_->get().target(), services_->settings()->cfg);
        if (const auto length = parser_->content_length(); length && *length > body_limit_)
            return on_read(http::error::body_limit, bytes);
        parser_->body_limit(body_limit_);
        if (body_limit_ > request_body_limit)
            stream_->tcp().expires_after(upload_timeout);
        stream_->async_read(buffer_, *parser_,
                            beast::bind_front_handler(&http_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t)
    {
        if (ec == http::error::end_of_stream)
            return do_close();
        if (ec == http::error::body_limit) {
            services_->metrics().error("payload_too_large").inc();
            request req;
            req.keep_alive(false);
            return send(text_response(req, http::status::payload_too_large,
                                      "request body over the limit of " +
                                          std::to_string(body_limit_) + " bytes\n"));
        }
        if (ec)
            return; // timeout, reset or malformed request: the connection just closes
        services_->metrics().http_requests_total.inc();
        route(parser_->release());
    }

    std::string self_origin(const request& req) const
    {
        return std::string(stream_->is_tls() ? "https://" : "http://") +
               std::string(req[http::field::host]);
    }

    std::string client_ip() const
    {
        beast::error_code ec;
        const auto remote = stream_->tcp().socket().remote_endpoint(ec);
        return ec ? std::string("unknown") : remote.address().to_string();
    }

    void route(request req)
    {
        const std::string_view target = req.target();
        const auto path = target.substr(0, target.find('?'));
        if (beast::websocket::is_upgrade(req)) {
            if (path != "/v1/realtime")
                return send(text_response(req, http::status::not_found,
                                          "no WebSocket endpoint here: use /v1/realtime\n"));
            return upgrade(std::move(req));
        }
        if (path == "/v1/session") {
            const auto own_origin = self_origin(req);
            const session_request_context context{req[http::field::origin], own_origin, unix_now(),
                                                  req[http::field::authorization]};
            const auto settings = services_->settings();
            if (req.method() == http::verb::post) {
                auto answer = issue_session_token(req.body(), context, *settings);
                if (answer.status == 200)
                    services_->metrics().tokens_issued.inc();
                else
                    services_->metrics().error(answer.code).inc();
                return send(from_answer(req, answer));
            }
            if (req.method() == http::verb::options)
                return send(from_answer(req, session_preflight(context, *settings)));
            return send(text_response(req, http::status::method_not_allowed,
                                      "method not allowed: POST a JSON body to /v1/session\n"));
        }
        if (path == "/v1/memory" || path.starts_with("/v1/memory/")) {
            const auto own_origin = self_origin(req);
            return send(from_answer(
                req, memory_request({req.method_string(), path, req[http::field::authorization],
                                     req[http::field::origin], own_origin, req.body(), unix_now()},
                                    *services_)));
        }
        if (path == "/v1/messages")
            return send(from_answer(req, messages_request({req.method_string(), target,
                                                           req[http::field::authorization]},
                                                          *services_)));
        if (path == "/v1/speech") {
            if (req.method() != http::verb::post)
                return send(text_response(req, http::status::method_not_allowed,
                                          "method not allowed: POST a JSON body to /v1/speech\n"));
            return speech(std::move(req));
        }
        if (path == "/v1/voices") {
            if (req.method() == http::verb::get)
                return voices(std::move(req));
            if (req.method() == http::verb::post)
                return add_voice(std::move(req));
            return send(text_response(req, http::status::method_not_allowed,
                                      "method not allowed: GET or POST /v1/voices\n"));
        }
        if (path == "/v1/voice-chat") {
            if (req.method() != http::verb::post)
                return send(text_response(req, http::status::method_not_allowed,
                                          "method not allowed: POST a recording to "
                                          "/v1/voice-chat\n"));
            return voice_chat(std::move(req));
        }
        if (path == "/v1/chat") {
            if (req.method() != http::verb::post)
                return send(text_response(req, http::status::method_not_allowed,
                                          "method not allowed: POST a JSON body to /v1/chat\n"));
            return chat(std::move(req));
        }
        if (req.method() != http::verb::get && req.method() != http::verb::head)
            return send(text_response(req, http::status::method_not_allowed,
                                      "method not allowed: use GET or HEAD\n"));
        if (path == "/healthz")
            return send(text_response(req, http::status::ok, "ok\n"));
        if (path == "/metrics")
            return send(text_response(req, http::status::ok, services_->registry().render(),
                                      "text/plain; version=0.0.4; charset=utf-8"));
        if (path == "/embed")
            return send(embed_file(req, *services_));
        if (path == "/readyz") {
            auto shared_req = std::make_shared<request>(std::move(req));
            return check_readiness(
                stream_->get_executor(), services_->settings(), services_->models().latest(),
                [self = shared_from_this(), shared_req](const http_answer& answer) {
                    self->send(from_answer(*shared_req, answer));
                });
        }
        send(static_file(req, *services_));
    }

    // An upstream call's callbacks run on the upstream client's thread, which releases them
    // when it is done with the call, possibly after this connection's io_context is gone (the
    // relay shutting down): the session's last reference must not be dropped there. So the
    // callbacks reach the session through this owner and move each reference into a handler
    // posted to the strand; the call's last callback, and cancelling, empty it.
    std::shared_ptr<upstream_owner> own_for_upstream()
    {
        upstream_owner_ = std::make_shared<upstream_owner>();
        upstream_owner_->session = shared_from_this();
        register_upstream_wait(*services_, upstream_owner_);
        return upstream_owner_;
    }

    // Runs f(session) on the strand while `owner` holds the session; `last` empties it.
    template <class F>
    static void on_strand(const std::shared_ptr<upstream_owner>& owner, bool last, F&& f)
    {
        // Posted under the owner's lock: release_upstream_waits() then waits for the post to
        // finish, so the server's io_context cannot go while it is being posted to.
        const std::lock_guard lock(owner->mutex);
        auto session = std::static_pointer_cast<http_session>(last ? std::move(owner->session)
                                                                   : owner->session);
        if (!session)
            return;
        auto executor = session->stream_->get_executor();
        net::post(executor,
                  [session = std::move(session), f = std::forward<F>(f)]() mutable { f(session); });
    }

    void cancel_upstream_call()
    {
        if (upstream_call_)
            upstream_call_->cancel();
        upstream_call_.reset();
        if (upstream_owner_) {
            std::shared_ptr<void> self; // dropped here, on the strand
            const std::lock_guard lock(upstream_owner_->mutex);
            self = std::move(upstream_owner_->session);
        }
    }

    // POST /v1/chat (api/chat_endpoint): one chat turn, answered whole or as server-sent
    // events. The turn's callbacks come from the upstream client's thread and are posted to
    // this connection's strand; the next request is read only after the answer is written.
    void chat(request req)
    {
        const auto own_origin = self_origin(req); // the context only views it
        const chat_http_context context{req[http::field::authorization], req[http::field::accept],
                                        req[http::field::origin], own_origin, unix_now()};
        auto prepared = prepare_chat_call(req.body(), context, *services_);
        if (const auto* refusal = std::get_if<http_answer>(&prepared))
            return send(from_answer(req, *refusal));
        auto call = std::make_shared<chat_http_call>(std::move(std::get<chat_http_call>(prepared)));
        stream_request_ = std::make_shared<request>(std::move(req));
        stream_head_ = event_stream_head();
        const auto owner = own_for_upstream();
        chat_turn_events events;
        if (call->stream)
            events.on_delta = [owner, call](std::string_view delta) {
                on_strand(owner, false,
                          [text = chat_stream_delta(*call, delta)](const auto& self) mutable {
                              self->sse_write(std::move(text), false);
                          });
            };
        events.on_done = [owner, call](const chat_turn_outcome& outcome) {
            on_strand(owner, true, [call, outcome](const auto& self) {
                self->upstream_call_.reset();
                const bool refused = !outcome.error_code.empty() && !outcome.fallback;
                if (!call->stream || (refused && !self->sse_started_))
                    return self->send_streamed_answer(chat_answer(*call, outcome));
                self->sse_write(chat_stream_ending(*call, outcome), true);
            });
        };
        upstream_call_ =
            services_->chat().start_turn(call->settings, call->turn, std::move(events));
    }

    static http_answer event_stream_head()
    {
        http_answer head;
        head.content_type = "text/event-stream; charset=utf-8";
        head.headers = {{"Cache-Control", "no-cache"}};
        return head;
    }

    // The whole answer of a request that was to stream but ends before it began.
    void send_streamed_answer(const http_answer& answer)
    {
        auto req = std::move(stream_request_);
        send(from_answer(*req, answer));
    }

    // POST /v1/speech (api/speech_endpoint): ElevenLabs' audio relayed chunk by chunk.
    void speech(request req)
    {
        const auto own_origin = self_origin(req);
        const voice_http_context context{req[http::field::authorization], req[http::field::origin],
                                         own_origin, req[http::field::content_type], unix_now()};
        auto prepared = prepare_speech_call(req.body(), context, *services_);
        if (const auto* refusal = std::get_if<http_answer>(&prepared))
            return send(from_answer(req, *refusal));
        auto call =
            std::make_shared<speech_http_call>(std::move(std::get<speech_http_call>(prepared)));
        stream_request_ = std::make_shared<request>(std::move(req));
        stream_head_ = speech_stream_head(*call);
        const auto owner = own_for_upstream();
        speech_events events;
        events.on_audio = [owner](std::string_view bytes) {
            on_strand(owner, false, [audio = std::string(bytes)](const auto& self) mutable {
                self->sse_write(std::move(audio), false);
            });
        };
        events.on_done = [owner](const speech_outcome& outcome) {
            on_strand(owner, true, [outcome](const auto& self) {
                self->upstream_call_.reset();
                if (outcome.error_code.empty())
                    return self->sse_write({}, true);
                if (!self->sse_started_)
                    return self->send_streamed_answer(speech_refusal(outcome));
                self->sse_abort(); // cut short: the caller must not take it for complete
            });
        };
        upstream_call_ = services_->speech().speak(call->settings, call->request, call->visitor_key,
                                                   std::move(events));
    }

    // GET /v1/voices: the cached voice list.
    void voices(request req)
    {
        const auto own_origin = self_origin(req);
        const voice_http_context context{req[http::field::authorization], req[http::field::origin],
                                         own_origin, req[http::field::content_type], unix_now()};
        auto authorized = authorize_voice_list(context, *services_);
        if (const auto* refusal = std::get_if<http_answer>(&authorized))
            return send(from_answer(req, *refusal));
        auto settings = std::get<std::shared_ptr<const live_settings>>(authorized);
        auto shared_req = std::make_shared<request>(std::move(req));
        const auto self = shared_from_this();
        services_->speech().voices(
            settings, [self, shared_req, settings](const voice_answer& answer) {
                net::post(self->stream_->get_executor(), [self, shared_req, settings, answer] {
                    self->send(from_answer(*shared_req, voice_list_answer(answer, *settings)));
                });
            });
    }

    // POST /v1/voices (admin): a cloned voice from the uploaded samples.
    void add_voice(request req)
    {
        const auto own_origin = self_origin(req);
        const voice_http_context context{req[http::field::authorization], req[http::field::origin],
                                         own_origin, req[http::field::content_type], unix_now()};
        auto authorized = authorize_add_voice(context, req.body().size(), *services_);
        if (const auto* refusal = std::get_if<http_answer>(&authorized))
            return send(from_answer(req, *refusal));
        auto settings = std::get<std::shared_ptr<const live_settings>>(authorized);
        std::string content_type(req[http::field::content_type]);
        std::string body = std::move(req.body());
        auto shared_req = std::make_shared<request>(std::move(req));
        const auto self = shared_from_this();
        services_->speech().add_voice(
            settings, std::move(content_type), std::move(body),
            [self, shared_req](const voice_answer& answer) {
                net::post(self->stream_->get_executor(), [self, shared_req, answer] {
                    self->send(from_answer(*shared_req,
                                           add_voice_answer(answer, *self->services_, unix_now())));
                });
            });
    }

    // POST /v1/voice-chat (api/voice_chat_endpoint): transcript, reply and speech as
    // server-sent events.
    void voice_chat(request req)
    {
        const auto own_origin = self_origin(req);
        const voice_chat_http_context context{req.target(),
                                              req[http::field::authorization],
                                              req[http::field::content_type],
                                              req[http::field::origin],
                                              own_origin,
                                              unix_now()};
        auto prepared = prepare_voice_chat_call(req.body(), context, *services_);
        if (const auto* refusal = std::get_if<http_answer>(&prepared))
            return send(from_answer(req, *refusal));
        auto call = std::make_shared<voice_chat_http_call>(
            std::move(std::get<voice_chat_http_call>(prepared)));
        req.body().clear(); // the recording is converted: do not hold it for the whole turn
        stream_request_ = std::make_shared<request>(std::move(req));
        stream_head_ = event_stream_head();
        const auto owner = own_for_upstream();
        const auto write = [owner](std::string text) {
            on_strand(owner, false, [text = std::move(text)](const auto& self) mutable {
                self->sse_write(std::move(text), false);
            });
        };
        voice_chat_events events;
        events.on_transcript = [write, call](std::string_view text) {
            write(voice_chat_transcript_event(*call, text));
        };
        events.on_delta = [write, call](std::string_view delta) {
            write(voice_chat_delta_event(*call, delta));
        };
        events.on_reply = [write, call](const chat_turn_outcome& reply) {
            if (reply.error_code.empty() || reply.fallback)
                write(voice_chat_reply_event(*call, reply));
        };
        events.on_audio = [write, call](std::string_view pcm) {
            write(voice_chat_audio_event(*call, pcm));
        };
        events.on_done = [owner, call](const voice_chat_outcome& outcome) {
            on_strand(owner, true, [call, outcome](const auto& self) {
                self->upstream_call_.reset();
                if (!outcome.error_code.empty() && !self->sse_started_ && self->sse_queue_.empty())
                    return self->send_streamed_answer(voice_chat_refusal(outcome));
                self->sse_write(voice_chat_ending(*call, outcome), true);
            });
        };
        upstream_call_ = services_->voice_chat().start(call->settings, std::move(call->request),
                                                       std::move(events));
    }

    // Server-sent events on a chunked response: the head once, then one chunk per write, then
    // the last chunk, in order.
    void sse_write(std::string text, bool last)
    {
        if (sse_failed_)
            return;
        sse_queue_.push_back(std::move(text));
        sse_last_ = sse_last_ || last;
        if (sse_writing_)
            return;
        if (!sse_started_) {
            sse_started_ = true;
            sse_writing_ = true;
            sse_head_.emplace(http::status::ok, stream_request_->version());
            common_headers(*sse_head_, *stream_request_);
            sse_head_->set(http::field::content_type, stream_head_.content_type);
            for (const auto& [name, value] : stream_head_.headers)
                sse_head_->set(name, value);
            sse_head_->chunked(true);
            sse_serializer_.emplace(*sse_head_);
            return stream_->async_write_header(
                *sse_serializer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->sse_written(ec, false);
                });
        }
        sse_next();
    }

    // Ends a started stream without its last chunk, once what is queued is written: the
    // caller sees a truncated body, never a short one that looks whole.
    void sse_abort()
    {
        sse_aborted_ = true;
        if (!sse_writing_)
            sse_next();
    }

    void sse_next()
    {
        if (!sse_queue_.empty() && sse_queue_.front().empty() && !sse_last_) {
            sse_queue_.pop_front(); // nothing to write (an empty chunk would end the body)
            return sse_next();
        }
        if (!sse_queue_.empty() && !sse_queue_.front().empty()) {
            sse_writing_ = true;
            return stream_->async_write_chunk(
                net::buffer(sse_queue_.front()),
                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->sse_queue_.pop_front();
                    self->sse_written(ec, false);
                });
        }
        if (!sse_queue_.empty())
            sse_queue_.pop_front(); // an empty final write: only the last chunk follows
        if (sse_aborted_) {
            sse_failed_ = true;
            stream_->tcp().close();
            return;
        }
        if (sse_last_) {
            sse_writing_ = true;
            return stream_->async_write_last_chunk(
                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->sse_written(ec, true);
                });
        }
    }

    void sse_written(beast::error_code ec, bool ended)
    {
        sse_writing_ = false;
        if (ec) {
            // The caller went away: stop the upstream call too.
            sse_failed_ = true;
            cancel_upstream_call();
            return;
        }
        if (!ended)
            return sse_next();
        const bool keep_alive = stream_request_->keep_alive();
        sse_started_ = sse_last_ = false;
        sse_serializer_.reset();
        sse_head_.reset();
        stream_request_.reset();
        if (!keep_alive)
            return do_close();
        do_read();
    }

    void upgrade(request req)
    {
        const auto origin = self_origin(req);
        const upgrade_request upgrade{req.target(),
                                      req[http::field::authorization],
                                      req[http::field::sec_websocket_protocol],
                                      req["OpenAI-Beta"],
                                      req[http::field::origin],
                                      origin,
                                      client_ip()};
        auto decision = authorize_realtime(upgrade, *services_, unix_now());
        if (auto* refusal = std::get_if<http_answer>(&decision)) {
            req.keep_alive(false);
            return send(from_answer(req, *refusal));
        }
        stream_->tcp().expires_never();
        run_realtime_session(stream_->into_websocket(), req,
                             std::move(std::get<realtime_grant>(decision)), services_);
    }

    void send(http::message_generator message)
    {
        const bool keep_alive = message.keep_alive();
        stream_->async_write(std::move(message), [self = shared_from_this(),
                                                  keep_alive](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            if (!keep_alive)
                return self->do_close();
            self->do_read();
        });
    }

    void do_close()
    {
        stream_->async_shutdown([self = shared_from_this()](beast::error_code) {});
    }

    std::unique_ptr<http_server_channel> stream_;
    beast::flat_buffer buffer_;
    std::shared_ptr<services> services_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::size_t body_limit_ = request_body_limit; // of the request being read
    // A streamed answer in progress (POST /v1/chat, /v1/speech, /v1/voice-chat): its request,
    // the upstream call to stop if the caller goes away, and its head's type and headers.
    std::shared_ptr<request> stream_request_;
    std::shared_ptr<upstream_call> upstream_call_;
    std::shared_ptr<upstream_owner> upstream_owner_;
    http_answer stream_head_;
    std::optional<http::response<http::empty_body>> sse_head_;
    std::optional<http::response_serializer<http::empty_body>> sse_serializer_;
    std::deque<std::string> sse_queue_;
    bool sse_started_ = false, sse_writing_ = false, sse_last_ = false, sse_failed_ = false,
         sse_aborted_ = false;
};

// Peeks at the first bytes: a TLS ClientHello gets a handshake, anything else plain HTTP.
class detect_session : public std::enable_shared_from_this<detect_session> {
public:
    detect_session(tcp::socket socket, std::shared_ptr<services> services,
                   std::shared_ptr<ssl::context> tls)
        : stream_(std::move(socket)), services_(std::move(services)), tls_(std::move(tls))
    {}

    void run()
    {
        services_->metrics().connections_total.inc();
        if (!tls_)
            return serve(make_http_server_channel(std::move(stream_), nullptr));
        stream_.expires_after(keep_alive_timeout);
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
                self->services_->metrics().error("tls_handshake_failed").inc();
                return;
            }
            self->serve(std::move(self->channel_));
        });
    }

    void serve(std::unique_ptr<http_server_channel> channel)
    {
        std::make_shared<http_session>(std::move(channel), std::move(buffer_), services_)->run();
    }

    beast::tcp_stream stream_;
    std::unique_ptr<http_server_channel> channel_; // during the TLS handshake
    beast::flat_buffer buffer_;
    std::shared_ptr<services> services_;
    std::shared_ptr<ssl::context> tls_;
};

} // namespace

void run_connection(tcp::socket socket, std::shared_ptr<services> services,
                    std::shared_ptr<ssl::context> tls)
{
    std::make_shared<detect_session>(std::move(socket), std::move(services), std::move(tls))->run();
}

void release_upstream_waits(const services& svc)
{
    std::vector<std::shared_ptr<void>> sessions; // let go outside the registry's lock
    auto& waits = all_upstream_waits();
    {
        const std::lock_guard lock(waits.mutex);
        for (auto& [owner_services, weak] : waits.owners) {
            if (owner_services != &svc)
                continue;
            if (auto owner = weak.lock()) {
                const std::lock_guard owner_lock(owner->mutex);
                sessions.push_back(std::move(owner->session));
            }
        }
        std::erase_if(waits.owners, [&](const auto& entry) { return entry.first == &svc; });
    }
}

} // namespace donna::relay
