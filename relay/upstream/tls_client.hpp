// tls_client.hpp: how the relay trusts upstream servers: the system trust store (OpenSSL's
// default paths, so SSL_CERT_FILE / SSL_CERT_DIR work), peer verification always on, TLS 1.2
// or newer. Callers add SNI and host-name verification per connection:
//
//   auto context = make_client_tls_context();       // or with a private CA's PEM
//   SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
//   stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <string_view>

namespace donna::relay {

// extra_ca_pem: certificates trusted besides the system store (empty: none). Throws
// boost::system::system_error when extra_ca_pem is not PEM (a configuration error at start).
boost::asio::ssl::context make_client_tls_context(std::string_view extra_ca_pem = {});

// One process-wide context with the system store only (the Realtime WebSocket upstream).
boost::asio::ssl::context& system_tls_context();

} // namespace donna::relay
