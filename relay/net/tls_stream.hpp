// tls_stream.hpp: TLS over a Beast TCP stream, as an asynchronous stream whose operations take
// any completion handler but are compiled once.
//
// Why: an SSL stream's read and write are composed operations templated on their handler,
// and every HTTP or WebSocket operation above them brings its own handler types: over Beast's
// ssl_stream, one file holding the relay's WebSocket accept alone took 38 s to compile. Here
// the handler is type-erased (moved into a small heap object behind one virtual call), so
// the SSL machinery is instantiated once, in tls_stream.cpp, and what sits above it
// instantiates only a cheap forwarding call. Completions run on the stream's executor (the
// connection's strand), as every handler of the relay's did before: none carries an
// executor of its own. (Asio's any_completion_handler would keep one, but Boost 1.81's cannot
// be posted: its executor lacks blocking.never.)
//
//   tls_stream tls(std::move(tcp), context);          // or (executor, context) to connect later
//   tls.set_host("api.openai.com");                    // client: SNI and certificate name
//   tls.async_handshake(tls_stream::side::client, handler);
//   http::async_write(tls, request, handler);          // any Beast operation
//
// A websocket::stream<tls_stream> finds its teardown (close_notify, then TCP) through
// async_teardown/teardown below.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/container/static_vector.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace boost::asio::ssl {
class context;
}

namespace donna::relay {

// A move-only completion handler of any type behind one signature (Beast's operations are
// move-only, so std::function cannot hold them). Called at most once.
template <class Signature>
class erased_handler;

template <class... Args>
class erased_handler<void(Args...)> {
public:
    template <class Handler,
              class = std::enable_if_t<!std::is_same_v<std::decay_t<Handler>, erased_handler>>>
    explicit erased_handler(Handler&& handler)
        : held_(std::make_unique<holder<std::decay_t<Handler>>>(std::forward<Handler>(handler)))
    {}
    erased_handler(erased_handler&&) noexcept = default;
    erased_handler& operator=(erased_handler&&) noexcept = default;

    void operator()(Args... args)
    {
        auto held = std::move(held_); // released before the handler runs, as Asio requires
        held->call(std::move(args)...);
    }

private:
    struct base {
        virtual ~base() = default;
        virtual void call(Args... args) = 0;
    };
    template <class Handler>
    struct holder final : base {
        explicit holder(Handler&& h) : handler(std::move(h)) {}
        void call(Args... args) override { std::move(handler)(std::move(args)...); }
        Handler handler;
    };
    std::unique_ptr<base> held_;
};

class tls_stream {
public:
    using executor_type = boost::asio::any_io_executor;
    using next_layer_type = boost::beast::tcp_stream;
    using error_code = boost::beast::error_code;
    using io_handler = erased_handler<void(error_code, std::size_t)>;
    using handler = erased_handler<void(error_code)>;
    // Write_some sends at most this many buffers of a sequence (the rest in the next call).
    using write_buffers = boost::container::static_vector<boost::asio::const_buffer, 16>;
    enum class side { client, server };

    tls_stream(next_layer_type&& tcp, boost::asio::ssl::context& context);
    tls_stream(const executor_type& executor, boost::asio::ssl::context& context);
    tls_stream(tls_stream&&) noexcept;
    tls_stream& operator=(tls_stream&&) noexcept;
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;
    ~tls_stream();

    executor_type get_executor() noexcept;
    next_layer_type& next_layer() noexcept;
    const next_layer_type& next_layer() const noexcept;

    // Client side: the server's name for SNI and for checking its certificate; false if
    // OpenSSL refuses it.
    bool set_host(const std::string& host);

    template <class MutableBufferSequence, class Token>
    auto async_read_some(const MutableBufferSequence& buffers, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
            [this](auto h, boost::asio::mutable_buffer b) {
                read_some(b, io_handler(std::move(h)));
            },
            token, first_buffer(buffers));
    }

    template <class ConstBufferSequence, class Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
            [this](auto h, const write_buffers& b) { write_some(b, io_handler(std::move(h))); },
            token, first_buffers(buffers));
    }

    template <class Token>
    auto async_handshake(side who, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [this](auto h, side s) { handshake(s, handler(std::move(h))); }, token, who);
    }

    // Server side, with the first bytes already read (TLS detection): `used` says how many
    // of them the handshake consumed.
    template <class Token>
    auto async_handshake(side who, boost::asio::const_buffer already_read, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
            [this](auto h, side s, boost::asio::const_buffer b) {
                handshake(s, b, io_handler(std::move(h)));
            },
            token, who, already_read);
    }

    // close_notify.
    template <class Token>
    auto async_shutdown(Token&& token)
    {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [this](auto h) { shutdown(handler(std::move(h))); }, token);
    }

    // A WebSocket's closing handshake is done: close_notify, then the TCP teardown.
    template <class Token>
    auto async_teardown(boost::beast::role_type role, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(error_code)>(
            [this](auto h, boost::beast::role_type r) { teardown(r, handler(std::move(h))); },
            token, role);
    }
    void teardown(boost::beast::role_type role, error_code& ec);

private:
    template <class MutableBufferSequence>
    static boost::asio::mutable_buffer first_buffer(const MutableBufferSequence& buffers)
    {
        for (auto it = boost::asio::buffer_sequence_begin(buffers);
             it != boost::asio::buffer_sequence_end(buffers); ++it) {
            const boost::asio::mutable_buffer b(*it);
            if (b.size() > 0)
                return b;
        }
        return {};
    }
    template <class ConstBufferSequence>
    static write_buffers first_buffers(const ConstBufferSequence& buffers)
    {
        write_buffers out;
        for (auto it = boost::asio::buffer_sequence_begin(buffers);
             it != boost::asio::buffer_sequence_end(buffers) && out.size() < out.capacity(); ++it) {
            const boost::asio::const_buffer b(*it);
            if (b.size() > 0)
                out.push_back(b);
        }
        return out;
    }

    void read_some(boost::asio::mutable_buffer buffer, io_handler done);
    void write_some(const write_buffers& buffers, io_handler done);
    void handshake(side who, handler done);
    void handshake(side who, boost::asio::const_buffer already_read, io_handler done);
    void shutdown(handler done);
    void teardown(boost::beast::role_type role, handler done);

    struct impl;
    std::unique_ptr<impl> impl_;
};

// Found by argument-dependent lookup from Beast's WebSocket stream.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, tls_stream& stream, TeardownHandler&& handler)
{
    stream.async_teardown(role, std::forward<TeardownHandler>(handler));
}
inline void teardown(boost::beast::role_type role, tls_stream& stream, boost::beast::error_code& ec)
{
    stream.teardown(role, ec);
}

} // namespace donna::relay
