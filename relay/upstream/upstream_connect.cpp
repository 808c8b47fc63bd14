// upstream_connect.cpp: resolve, connect, SNI and verification, handshake, once for both
// channel kinds (they share these five members; the template is instantiated twice, here).
#include "upstream/upstream_connect.hpp"

#include "net/http_client_channel.hpp"
#include "net/websocket_channel.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>

namespace donna::relay {
namespace {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

connect_failure failed(errc code, std::string message, bool retryable)
{
    return {make_error(code, std::move(message)), retryable};
}

template <class Channel>
void connect_then_handshake(Channel& channel, tcp::resolver& resolver, const upstream_endpoint& at,
                            std::chrono::milliseconds timeout,
                            std::function<void(connect_outcome)> done)
{
    channel.tcp().expires_after(timeout);
    resolver.async_resolve(
        at.host, at.port,
        [&channel, at, timeout, done = std::move(done)](
            beast::error_code ec, const tcp::resolver::results_type& results) mutable {
            if (ec)
                return done(failed(errc::upstream_unavailable,
                                   "cannot resolve " + at.host + ": " + ec.message(), true));
            channel.async_connect(results, [&channel, at, timeout,
                                            done = std::move(done)](beast::error_code e) mutable {
                if (e == beast::error::timeout)
                    return done(failed(errc::upstream_timeout,
                                       "cannot connect to " + at.host_header + ": " + e.message(),
                                       true));
                if (e)
                    return done(failed(errc::upstream_unavailable,
                                       "cannot connect to " + at.host_header + ": " + e.message(),
                                       true));
                // Requests are one write each, but TLS handshakes and audio appends are many
                // small ones: no waiting for the peer's delayed ACK (Nagle).
                beast::error_code ignored;
                channel.tcp().socket().set_option(tcp::no_delay(true), ignored);
                if (!channel.is_tls())
                    return done(std::nullopt);
                if (!channel.set_tls_host(at.host))
                    return done(failed(errc::upstream_tls_failed,
                                       "cannot set TLS SNI for " + at.host, false));
                channel.tcp().expires_after(timeout);
                channel.async_tls_handshake([at,
                                             done = std::move(done)](beast::error_code h) mutable {
                    if (h == beast::error::timeout)
                        return done(failed(
                            errc::upstream_timeout,
                            "TLS with " + at.host_header + " took too long: " + h.message(), true));
                    // OpenSSL's verdicts (an untrusted certificate, another
                    // name) do not heal by themselves; a reset does.
                    if (h && h.category() == boost::asio::error::get_ssl_category())
                        return done(failed(errc::upstream_tls_failed,
                                           "TLS with " + at.host_header + " failed: " + h.message(),
                                           false));
                    if (h)
                        return done(failed(
                            errc::upstream_unavailable,
                            "TLS with " + at.host_header + " broke off: " + h.message(), true));
                    done(std::nullopt);
                });
            });
        });
}

} // namespace

void async_connect_upstream(http_client_channel& channel, tcp::resolver& resolver,
                            const upstream_endpoint& at, std::chrono::milliseconds timeout,
                            std::function<void(connect_outcome)> done)
{
    connect_then_handshake(channel, resolver, at, timeout, std::move(done));
}

void async_connect_upstream(websocket_channel& channel, tcp::resolver& resolver,
                            const upstream_endpoint& at, std::chrono::milliseconds timeout,
                            std::function<void(connect_outcome)> done)
{
    connect_then_handshake(channel, resolver, at, timeout, std::move(done));
}

} // namespace donna::relay
