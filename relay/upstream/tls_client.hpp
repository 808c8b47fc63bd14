// tls_client.hpp: how the relay trusts upstream servers: the system trust store (OpenSSL's
// default paths, so SSL_CERT_FILE / SSL_CERT_DIR work), peer verification always on, TLS 1.2
// or newer. SNI and host-name verification are set per connection (upstream/upstream_connect).
//
//   auto context = make_client_tls_context(pem);   // the HTTP client's one context
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <string_view>

namespace donna::relay {

// extra_ca_pem: certificates trusted besides the system store (empty: none). Throws
// boost::system::system_error when extra_ca_pem is not PEM (a configuration error at start).
boost::asio::ssl::context make_client_tls_context(std::string_view extra_ca_pem = {});

} // namespace donna::relay
