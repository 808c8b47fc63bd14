// fake_http_server.cpp: the listener and its connections. A connection (plain TCP, or TLS
// over it) reads HTTP/1.1 requests one after another (keep-alive), records each, lets the
// handler admit it, applies the fault, and writes the handler's answer. Everything runs on the
// server's one I/O thread; what tests read sits behind one mutex.
//
// Sections: [form data and queries] [connection] [fake_http_server]
#include "fake_http_server.hpp"

#include "loopback_server.hpp"
#include "net/http_server_channel.hpp"
#include "test_pki.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <random>

namespace donna::fakes {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

std::string lower(std::string_view s)
{
    std::string out(s);
    std::ranges::transform(out, out.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// ---------------------------------------------------------------- [form data and queries]

namespace {

// Whisper's 25 MB upload limit, with room for the multipart framing.
constexpr std::size_t max_request_body = std::size_t{32} * 1024 * 1024;

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// `name` of a header value's `; name=value` parameters (quoted or not); nullopt if absent.
std::optional<std::string> header_parameter(std::string_view value, std::string_view name)
{
    std::size_t at = value.find(';');
    while (at != std::string_view::npos) {
        auto rest = trim(value.substr(at + 1));
        const auto eq = rest.find('=');
        if (eq == std::string_view::npos)
            return std::nullopt;
        const auto key = lower(trim(rest.substr(0, eq)));
        rest = rest.substr(eq + 1);
        std::string parsed;
        std::size_t end = 0;
        if (rest.starts_with('"')) {
            // A quoted string, backslash escapes included (RFC 9110 section 5.6.4).
            end = 1;
            while (end < rest.size() && rest[end] != '"') {
                if (rest[end] == '\\' && end + 1 < rest.size())
                    ++end;
                parsed += rest[end++];
            }
            end = rest.find(';', end);
        } else {
            end = rest.find(';');
            parsed = std::string(trim(rest.substr(0, end)));
        }
        if (key == name)
            return parsed;
        if (end == std::string_view::npos)
            return std::nullopt;
        at = static_cast<std::size_t>(rest.data() + end - value.data());
    }
    return std::nullopt;
}

std::optional<form_part> parse_part(std::string_view raw)
{
    const auto head_end = raw.find("\r\n\r\n");
    if (head_end == std::string_view::npos)
        return std::nullopt;
    form_part part;
    part.data = std::string(raw.substr(head_end + 4));
    auto head = raw.substr(0, head_end);
    bool named = false;
    while (!head.empty()) {
        const auto eol = head.find("\r\n");
        const auto line = head.substr(0, eol);
        head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            return std::nullopt;
        const auto field = lower(trim(line.substr(0, colon)));
        const auto value = trim(line.substr(colon + 1));
        if (field == "content-disposition") {
            if (!lower(value).starts_with("form-data"))
                return std::nullopt;
            auto name = header_parameter(value, "name");
            if (!name)
                return std::nullopt;
            part.name = std::move(*name);
            part.filename = header_parameter(value, "filename").value_or("");
            named = true;
        } else if (field == "content-type") {
            part.content_type = std::string(value);
        }
    }
    if (!named)
        return std::nullopt;
    return part;
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percent_decoded(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
                   hex_digit(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

} // namespace

const form_part* recorded_request::part(std::string_view name) const
{
    const auto found = std::ranges::find(parts, name, &form_part::name);
    return found == parts.end() ? nullptr : &*found;
}

std::optional<std::vector<form_part>> parse_form_data(std::string_view content_type,
                                                      std::string_view body)
{
    if (!lower(trim(content_type.substr(0, content_type.find(';'))))
             .starts_with("multipart/form-data"))
        return std::nullopt;
    const auto boundary = header_parameter(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 70)
        return std::nullopt;
    const std::string delimiter = "--" + *boundary;
    // The first delimiter may follow a preamble; every later one follows a CRLF.
    auto at = body.find(delimiter);
    if (at == std::string_view::npos)
        return std::nullopt;
    std::vector<form_part> parts;
    const std::string next_delimiter = "\r\n" + delimiter;
    for (;;) {
        at += delimiter.size();
        if (body.substr(at).starts_with("--"))
            return parts; // the close delimiter; an epilogue may follow
        const auto line_end = body.find("\r\n", at);
        if (line_end == std::string_view::npos || !trim(body.substr(at, line_end - at)).empty())
            return std::nullopt;
        const auto part_start = line_end + 2;
        const auto part_end = body.find(next_delimiter, part_start);
        if (part_end == std::string_view::npos)
            return std::nullopt;
        auto part = parse_part(body.substr(part_start, part_end - part_start));
        if (!part)
            return std::nullopt;
        parts.push_back(std::move(*part));
        at = part_end + 2;
    }
}

std::optional<std::string> query_parameter(std::string_view target, std::string_view name)
{
    const auto question = target.find('?');
    if (question == std::string_view::npos)
        return std::nullopt;
    auto query = target.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (percent_decoded(pair.substr(0, eq)) == name)
            return eq == std::string_view::npos ? std::string{}
                                                : percent_decoded(pair.substr(eq + 1));
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- [connection]

namespace {

class connection;

// What the connections and the public API share. The mutex guards the block under it; the
// rest is touched on the I/O thread only.
struct http_fake_state {
    http_fake_state(std::unique_ptr<http_handler> h, http_server_options o)
        : handler(std::move(h)),
          options(std::move(o)),
          fault(options.fault),
          fault_count(options.fault_count)
    {}

    std::unique_ptr<http_handler> handler; // I/O thread only
    http_server_options options;           // read-only once constructed

    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    http_fault fault;
    int fault_count;
    int accepted = 0;
    int handshakes = 0;
    std::vector<recorded_request> requests;
    std::vector<std::chrono::steady_clock::time_point> chunk_times;
    std::mt19937_64 random{std::random_device{}()};
    std::uint64_t serial = 0;

    std::vector<std::weak_ptr<connection>> connections; // I/O thread only

    // The fault for one admitted request, counting down the counted ones.
    http_fault take_fault(int& count)
    {
        const std::lock_guard lock(mutex);
        auto f = fault;
        count = fault_count;
        const bool counted =
            f == http_fault::status_429_with_retry_after || f == http_fault::status_500;
        if (counted && fault_count > 0)
            --fault_count;
        else if (counted)
            f = http_fault::none; // used up: answer normally from now on
        return f;
    }
};

// One accepted connection, plain or TLS, over the relay's own HTTP server channel
// (relay/net), where Beast's HTTP operations are compiled once.
class connection : public std::enable_shared_from_this<connection> {
public:
    connection(http_fake_state& state, int number, tcp::socket socket, ssl::context* tls)
        : channel_(
              donna::relay::make_http_server_channel(beast::tcp_stream(std::move(socket)), tls)),
          state_(state),
          number_(number),
          pace_(channel_->get_executor())
    {}

    void run()
    {
        if (!channel_->is_tls())
            return read_request();
        channel_->async_tls_handshake(buffer_, [self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return self->end();
            {
                const std::lock_guard lock(self->state_.mutex);
                ++self->state_.handshakes;
            }
            self->read_request();
        });
    }

    // Cuts the TCP connection; every pending operation completes with an error.
    void shutdown()
    {
        beast::error_code ignored;
        socket().close(ignored);
    }

private:
    tcp::socket& socket() { return channel_->tcp().socket(); }

    void read_request()
    {
        parser_.emplace();
        parser_->body_limit(max_request_body);
        channel_->async_read(buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                 self->on_request(ec);
                             });
    }

    void on_request(beast::error_code ec)
    {
        if (ec)
            return end(); // the peer went away (or sent what HTTP/1.1 cannot parse)
        auto request = parser_->release();
        parser_.reset();
        version_ = request.version();
        keep_alive_ = request.keep_alive();
        const auto r = record(request);
        auto& handler = *state_.handler;

        if (auto early = handler.admit(r))
            return send(std::move(*early));
        int count = 0;
        const auto fault = r.method == "POST" ? state_.take_fault(count) : http_fault::none;
        if (fault == http_fault::status_429_with_retry_after)
            return send(handler.rate_limited(std::max(state_.options.retry_after_seconds, 0)));
        if (fault == http_fault::status_500)
            return send(handler.server_error());

        auto answer = handler.answer(r);
        const bool refused = answer.status >= 300;
        if (!refused && fault == http_fault::stall_stream)
            return answer.chunked ? start_stream(std::move(answer), 1, std::nullopt) : stall();
        if (!refused && fault == http_fault::reset_mid_stream)
            return answer.chunked ? start_stream(std::move(answer), std::nullopt,
                                                 static_cast<std::size_t>(std::max(count, 0)))
                                  : end();
        if (answer.chunked)
            return start_stream(std::move(answer), std::nullopt, std::nullopt);
        send(std::move(answer));
    }

    recorded_request record(const http::request<http::string_body>& request)
    {
        recorded_request r;
        r.method = std::string(request.method_string());
        r.target = std::string(request.target());
        for (const auto& field : request) {
            auto& value = r.headers[lower(field.name_string())];
            if (!value.empty())
                value += ", ";
            value += std::string(field.value());
        }
        r.body = request.body();
        r.connection = number_;
        r.parts = parse_form_data(request[http::field::content_type], r.body)
                      .value_or(std::vector<form_part>{});
        {
            const std::lock_guard lock(state_.mutex);
            state_.requests.push_back(r);
        }
        state_.changed.notify_all();
        return r;
    }

    template <class Body>
    void head(http::response<Body>& res, const http_answer& answer) const
    {
        res.result(static_cast<unsigned>(answer.status));
        res.version(version_);
        res.set(http::field::server, state_.options.name);
        for (const auto& [name, value] : answer.headers)
            res.set(name, value);
        res.keep_alive(keep_alive_);
    }

    void send(http_answer answer)
    {
        http::response<http::string_body> res;
        head(res, answer);
        res.body() = std::move(answer.body);
        res.prepare_payload();
        channel_->async_write(http::message_generator(std::move(res)),
                              [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (ec)
                                      return self->end();
                                  self->next();
                              });
    }

    // After a whole answer: the next request on this connection, or its end.
    void next()
    {
        if (keep_alive_)
            return read_request();
        if (channel_->is_tls()) {
            // close_notify first, so that the peer can tell the end from a truncation.
            channel_->async_shutdown(
                [self = shared_from_this()](beast::error_code) { self->end(); });
        } else {
            beast::error_code ignored;
            socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    void start_stream(http_answer answer, std::optional<std::size_t> stall_after,
                      std::optional<std::size_t> reset_after)
    {
        chunks_ = std::move(answer.chunks);
        stall_after_ = stall_after;
        reset_after_ = reset_after;
        stream_head_ = std::make_shared<http::response<http::empty_body>>();
        head(*stream_head_, answer);
        stream_head_->chunked(true);
        serializer_.emplace(*stream_head_);
        channel_->async_write_header(
            *serializer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if (!ec)
                    self->write_chunk(0);
            });
    }

    // One piece per HTTP chunk, so that a test can see exactly where a fault cut the stream.
    void write_chunk(std::size_t index)
    {
        if (reset_after_ && index == *reset_after_)
            return end();
        if (stall_after_ && index == *stall_after_)
            return stall();
        if (index == chunks_.size()) {
            channel_->async_write_last_chunk(
                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    if (!ec)
                        self->next();
                });
            return;
        }
        const auto interval = state_.options.chunk_interval;
        if (index == 0 || interval.count() <= 0)
            return send_chunk(index);
        pace_.expires_after(interval);
        pace_.async_wait([self = shared_from_this(), index](beast::error_code ec) {
            if (!ec)
                self->send_chunk(index);
        });
    }

    void send_chunk(std::size_t index)
    {
        {
            const std::lock_guard lock(state_.mutex);
            state_.chunk_times.push_back(std::chrono::steady_clock::now());
        }
        channel_->async_write_chunk(
            net::buffer(chunks_[index]),
            [self = shared_from_this(), index](beast::error_code ec, std::size_t) {
                if (!ec)
                    self->write_chunk(index + 1);
            });
    }

    // Keeps the connection open and silent until the peer (or the destructor) closes it.
    // Reads the TCP socket under any TLS: the peer's bytes are only drained, never answered.
    void stall()
    {
        socket().async_read_some(net::buffer(stall_buffer_),
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     if (!ec)
                                         self->stall();
                                 });
    }

    // Closes in order (FIN, not RST), so that the peer still reads all that was sent; under
    // TLS without close_notify, which the peer sees as a truncated stream, as it would.
    void end()
    {
        beast::error_code ignored;
        socket().shutdown(tcp::socket::shutdown_both, ignored);
        socket().close(ignored);
    }

    std::unique_ptr<donna::relay::http_server_channel> channel_;
    http_fake_state& state_;
    int number_;
    unsigned version_ = 11;
    bool keep_alive_ = true;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::vector<std::string> chunks_;
    std::optional<std::size_t> stall_after_;
    std::optional<std::size_t> reset_after_;
    std::shared_ptr<http::response<http::empty_body>> stream_head_;
    std::optional<donna::relay::http_server_channel::head_serializer> serializer_;
    std::array<char, 1024> stall_buffer_{};
    net::steady_timer pace_; // between streamed chunks (options.chunk_interval)
};

} // namespace

// ---------------------------------------------------------------- [fake_http_server]

struct fake_http_server::impl {
    impl(std::unique_ptr<http_handler> handler, http_server_options options)
        : state(std::move(handler), std::move(options))
    {}

    void on_accept(tcp::socket socket)
    {
        int number = 0;
        {
            const std::lock_guard lock(state.mutex);
            number = ++state.accepted;
        }
        state.changed.notify_all();
        boost::system::error_code ignored; // a streamed chunk goes out at once (no Nagle)
        socket.set_option(tcp::no_delay(true), ignored);
        auto c =
            std::make_shared<connection>(state, number, std::move(socket), tls ? &*tls : nullptr);
        std::erase_if(state.connections, [](const auto& w) { return w.expired(); });
        state.connections.push_back(c);
        c->run();
    }

    // Declared first so that it outlives everything the I/O objects' handlers could touch.
    http_fake_state state;
    std::optional<ssl::context> tls;
    loopback_server io;
};

fake_http_server::fake_http_server(std::unique_ptr<http_handler> handler,
                                   http_server_options options)
    : impl_(std::make_unique<impl>(std::move(handler), std::move(options)))
{
    impl_->state.handler->server = this;
}

fake_http_server::~fake_http_server()
{
    impl_->io.stop([s = impl_.get()] {
        for (const auto& weak : s->state.connections)
            if (auto p = weak.lock())
                p->shutdown();
        s->state.connections.clear();
    });
}

http_handler& fake_http_server::handler() const
{
    return *impl_->state.handler;
}

status fake_http_server::start()
{
    const auto& name = impl_->state.options.name;
    if (impl_->state.options.tls && !impl_->tls) {
        try {
            const auto& pki = donna::test::shared_test_pki();
            auto& ctx = impl_->tls.emplace(ssl::context::tls_server);
            ctx.use_certificate_chain(net::buffer(pki.server_cert_pem));
            ctx.use_private_key(net::buffer(pki.server_key_pem), ssl::context::pem);
        } catch (const std::exception& e) {
            return make_error(errc::io_error, name + " cannot set up TLS: " + e.what());
        }
    }
    return impl_->io.start(
        name, [s = impl_.get()](tcp::socket socket) { s->on_accept(std::move(socket)); });
}

std::uint16_t fake_http_server::port() const
{
    return impl_->io.port();
}

std::string fake_http_server::origin() const
{
    return std::string(impl_->state.options.tls ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(impl_->io.port());
}

void fake_http_server::set_fault(http_fault f, int count)
{
    const std::lock_guard lock(impl_->state.mutex);
    impl_->state.fault = f;
    impl_->state.fault_count = count;
}

std::vector<recorded_request> fake_http_server::requests() const
{
    const std::lock_guard lock(impl_->state.mutex);
    return impl_->state.requests;
}

int fake_http_server::accepted_connections() const
{
    const std::lock_guard lock(impl_->state.mutex);
    return impl_->state.accepted;
}

std::vector<std::chrono::steady_clock::time_point> fake_http_server::chunk_times() const
{
    const std::lock_guard lock(impl_->state.mutex);
    return impl_->state.chunk_times;
}

int fake_http_server::tls_handshakes() const
{
    const std::lock_guard lock(impl_->state.mutex);
    return impl_->state.handshakes;
}

bool fake_http_server::wait_until(
    const std::function<bool(const std::vector<recorded_request>&)>& pred,
    std::chrono::milliseconds timeout) const
{
    auto& state = impl_->state;
    return wait_for_change(
        state.mutex, state.changed, [&] { return state.requests; },
        [&] { return state.requests.size(); }, pred, timeout);
}

std::string fake_http_server::make_id(std::string_view prefix, std::size_t length)
{
    static constexpr std::string_view digits =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    auto& state = impl_->state;
    const std::lock_guard lock(state.mutex);
    std::string id(prefix);
    std::uint64_t n = ++state.serial;
    const std::size_t serial_digits = std::min<std::size_t>(length, 8);
    for (std::size_t i = 0; i < serial_digits; ++i) {
        id += digits[n % digits.size()];
        n /= digits.size();
    }
    std::uniform_int_distribution<std::size_t> pick(0, digits.size() - 1);
    for (std::size_t i = serial_digits; i < length; ++i)
        id += digits[pick(state.random)];
    return id;
}

} // namespace donna::fakes
