#include "test_pki.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace donna::test {
namespace {

namespace ssl = boost::asio::ssl;

struct x509_free_fn {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
using cert_ptr = std::unique_ptr<X509, x509_free_fn>;

cert_ptr parse_cert(const std::string& pem)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    return cert_ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// X509_verify_cert of the server certificate against a store holding only ca_pem, for the
// serverAuth purpose and, if given, the IP address the client dialled.
int verify_server_cert(const std::string& ca_pem, const char* ip)
{
    const cert_ptr ca = parse_cert(ca_pem);
    const cert_ptr server = parse_cert(shared_test_pki().server_cert_pem);
    if (!ca || !server)
        return X509_V_ERR_UNSPECIFIED;
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(),
                                                                  &X509_STORE_free);
    X509_STORE_add_cert(store.get(), ca.get());
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                        &X509_STORE_CTX_free);
    X509_STORE_CTX_init(ctx.get(), store.get(), server.get(), nullptr);
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    if (ip != nullptr)
        X509_VERIFY_PARAM_set1_ip_asc(X509_STORE_CTX_get0_param(ctx.get()), ip);
    if (X509_verify_cert(ctx.get()) == 1)
        return X509_V_OK;
    return X509_STORE_CTX_get_error(ctx.get());
}

ssl::context server_context()
{
    const auto& pki = shared_test_pki();
    ssl::context ctx(ssl::context::tls_server);
    boost::system::error_code ec;
    ctx.use_certificate_chain(boost::asio::buffer(pki.server_cert_pem), ec);
    EXPECT_FALSE(ec) << "certificate: " << ec.message();
    ctx.use_private_key(boost::asio::buffer(pki.server_key_pem), ssl::context::pem, ec);
    EXPECT_FALSE(ec) << "private key: " << ec.message();
    return ctx;
}

// A full TLS handshake between a client dialling `ip` that trusts ca_pem and our server
// context, over an in-memory BIO pair (no sockets, no threads).
bool handshake_succeeds(const std::string& ca_pem, const char* ip)
{
    ssl::context server_ctx = server_context();
    ssl::context client_ctx(ssl::context::tls_client);
    boost::system::error_code ec;
    client_ctx.add_certificate_authority(boost::asio::buffer(ca_pem), ec);
    EXPECT_FALSE(ec) << ec.message();
    client_ctx.set_verify_mode(ssl::verify_peer);

    std::unique_ptr<SSL, decltype(&SSL_free)> client(SSL_new(client_ctx.native_handle()),
                                                     &SSL_free);
    std::unique_ptr<SSL, decltype(&SSL_free)> server(SSL_new(server_ctx.native_handle()),
                                                     &SSL_free);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(client.get()), ip);
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
    SSL_set_bio(client.get(), client_bio, client_bio); // each SSL now owns its end
    SSL_set_bio(server.get(), server_bio, server_bio);
    SSL_set_connect_state(client.get());
    SSL_set_accept_state(server.get());

    bool client_done = false;
    bool server_done = false;
    for (int round = 0; round < 20 && !(client_done && server_done); ++round) {
        for (auto [s, done] :
             {std::pair{client.get(), &client_done}, std::pair{server.get(), &server_done}}) {
            if (*done)
                continue;
            const int rc = SSL_do_handshake(s);
            if (rc == 1) {
                *done = true;
            } else {
                const int err = SSL_get_error(s, rc);
                if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
                    return false;
            }
        }
    }
    return client_done && server_done && SSL_get_verify_result(client.get()) == X509_V_OK;
}

TEST(TestPki, ServerCertificateVerifiesAgainstTheCaForServerAuthOn127001)
{
    EXPECT_EQ(verify_server_cert(shared_test_pki().ca_cert_pem, "127.0.0.1"), X509_V_OK);
}

TEST(TestPki, ServerCertificateDoesNotVerifyForAnotherIpOrWithoutTheCa)
{
    EXPECT_EQ(verify_server_cert(shared_test_pki().ca_cert_pem, "127.0.0.2"),
              X509_V_ERR_IP_ADDRESS_MISMATCH);
    // The server certificate is no CA: trusting it alone must not make the chain valid.
    EXPECT_NE(verify_server_cert(shared_test_pki().server_cert_pem, nullptr), X509_V_OK);
}

TEST(TestPki, ServerCertificateNamesLocalhostAnd127001)
{
    const cert_ptr server = parse_cert(shared_test_pki().server_cert_pem);
    ASSERT_TRUE(server);
    EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
    EXPECT_NE(X509_check_host(server.get(), "example.com", 0, 0, nullptr), 1);
    const cert_ptr ca = parse_cert(shared_test_pki().ca_cert_pem);
    ASSERT_TRUE(ca);
    EXPECT_EQ(X509_check_ca(ca.get()), 1);
}

TEST(TestPki, AsioContextLoadsTheServerCertificateAndKey)
{
    ssl::context ctx = server_context();
    EXPECT_EQ(SSL_CTX_check_private_key(ctx.native_handle()), 1);
}

TEST(TestPki, TlsHandshakeSucceedsOnlyForAClientTrustingTheCa)
{
    EXPECT_TRUE(handshake_succeeds(shared_test_pki().ca_cert_pem, "127.0.0.1"));
    EXPECT_FALSE(handshake_succeeds(shared_test_pki().server_cert_pem, "127.0.0.1"));
}

TEST(TestPki, WritesTheThreeFilesIntoANewDirectory)
{
    const auto dir = std::filesystem::path(::testing::TempDir()) / "donna_test_pki" / "nested";
    std::filesystem::remove_all(dir);
    ASSERT_EQ(write_test_pki(dir), dir);
    const auto read = [&](const char* name) {
        std::ifstream in(dir / name, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    };
    EXPECT_EQ(read("ca.pem"), shared_test_pki().ca_cert_pem);
    EXPECT_EQ(read("server.pem"), shared_test_pki().server_cert_pem);
    EXPECT_EQ(read("server.key"), shared_test_pki().server_key_pem);
    std::filesystem::remove_all(dir.parent_path());
}

} // namespace
} // namespace donna::test
