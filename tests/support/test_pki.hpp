// test_pki.hpp: a throwaway CA and a localhost server certificate, made at test time with
// OpenSSL 3 (nothing committed, no openssl CLI), for every test that needs TLS: the relay's
// own listener, the TLS fake upstream, and node's openai SDK (NODE_EXTRA_CA_CERTS=ca.pem).
//
//   const auto& pki = donna::test::shared_test_pki();
//   ctx.use_certificate_chain(boost::asio::buffer(pki.server_cert_pem));
//   auto dir = donna::test::write_test_pki(temp_dir);   // dir/ca.pem, server.pem, server.key
//
// Valid from an hour ago (clock skew) for seven days. A failure here is a broken test
// environment, not a test result, so it throws std::runtime_error with OpenSSL's reason.
#pragma once

#include <filesystem>
#include <string>

namespace donna::test {

struct test_pki {
    std::string ca_cert_pem;     // self-signed CA (CA:TRUE)
    std::string server_cert_pem; // signed by the CA; SAN DNS:localhost, IP:127.0.0.1; serverAuth
    std::string server_key_pem;  // its private key (EC P-256), PKCS#8 PEM
};

// Generated on first use, once per process.
const test_pki& shared_test_pki();

// An RSA-2048 key pair, as a Google service account's key file holds one (PKCS#8 "BEGIN
// PRIVATE KEY") and the public half that checks its signatures (SubjectPublicKeyInfo PEM).
struct rsa_key_pair {
    std::string private_key_pem;
    std::string public_key_pem;
};
// A new pair on every call (2048-bit generation takes tens of milliseconds).
rsa_key_pair new_rsa_key_pair();

// A new data key (DONNA_DATA_KEY): 32 random bytes in standard base64, as
// `openssl rand -base64 32` prints one.
std::string new_data_key();

// Writes shared_test_pki() as ca.pem, server.pem and server.key into dir (created if
// needed); returns dir.
std::filesystem::path write_test_pki(const std::filesystem::path& dir);

} // namespace donna::test
