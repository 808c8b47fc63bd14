// tls_client.cpp: client TLS contexts.
#include "upstream/tls_client.hpp"

#include <boost/asio/buffer.hpp>

namespace donna::relay {

boost::asio::ssl::context make_client_tls_context(std::string_view extra_ca_pem)
{
    namespace ssl = boost::asio::ssl;
    ssl::context c(ssl::context::tls_client);
    c.set_default_verify_paths();
    c.set_verify_mode(ssl::verify_peer);
    c.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (!extra_ca_pem.empty())
        c.add_certificate_authority(boost::asio::buffer(extra_ca_pem.data(), extra_ca_pem.size()));
    return c;
}

} // namespace donna::relay
