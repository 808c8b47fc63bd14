// test_pki.cpp: making the test CA and server certificate with OpenSSL 3's API.
#include "test_pki.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace donna::test {
namespace {

template <auto free_fn>
struct openssl_deleter {
    template <class T>
    void operator()(T* p) const noexcept
    {
        free_fn(p);
    }
};
using key_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY_free>>;
using cert_ptr = std::unique_ptr<X509, openssl_deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO_free_all>>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BN_free>>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, openssl_deleter<X509_EXTENSION_free>>;

[[noreturn]] void fail(const std::string& what)
{
    std::string message = "test PKI: " + what + " failed";
    if (const unsigned long code = ERR_get_error(); code != 0) {
        char reason[256];
        ERR_error_string_n(code, reason, sizeof reason);
        message += ": ";
        message += reason;
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

void check(int ok, const char* what)
{
    if (ok != 1)
        fail(what);
}

key_ptr make_p256_key()
{
    key_ptr key(EVP_EC_gen("P-256"));
    if (!key)
        fail("generating a P-256 key");
    return key;
}

// A random positive 64-bit serial: two CAs of two test processes must never share
// issuer + serial, or a client caching one would reject the other's certificate.
void set_random_serial(X509* cert)
{
    bignum_ptr serial(BN_new());
    if (!serial)
        fail("BN_new");
    check(BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
    if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr)
        fail("setting the serial number");
}

void set_name(X509_NAME* name, const char* common_name)
{
    const auto add = [name](const char* field, const char* value) {
        check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                         reinterpret_cast<const unsigned char*>(value), -1, -1, 0),
              "X509_NAME_add_entry_by_txt");
    };
    add("O", "DONNA tests");
    add("CN", common_name);
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    extension_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext)
        fail(std::string("making extension ") + OBJ_nid2sn(nid) + "=" + value);
    check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

// A v3 certificate for key, valid now-1h .. now+7d, without extensions yet.
cert_ptr new_certificate(EVP_PKEY* key, const char* common_name)
{
    cert_ptr cert(X509_new());
    if (!cert)
        fail("X509_new");
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
    set_random_serial(cert.get());
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60L * 60) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 60 * 60) == nullptr)
        fail("setting the validity period");
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
    set_name(X509_get_subject_name(cert.get()), common_name);
    return cert;
}

void sign(X509* cert, EVP_PKEY* issuer_key)
{
    if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0)
        fail("X509_sign");
}

std::string to_pem(X509* cert)
{
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        fail("BIO_new");
    check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(size)};
}

std::string to_pem(EVP_PKEY* key)
{
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        fail("BIO_new");
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(size)};
}

std::string public_pem(EVP_PKEY* key)
{
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        fail("BIO_new");
    check(PEM_write_bio_PUBKEY(bio.get(), key), "PEM_write_bio_PUBKEY");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(size)};
}

test_pki generate()
{
    const key_ptr ca_key = make_p256_key();
    const cert_ptr ca = new_certificate(ca_key.get(), "DONNA test CA");
    check(X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())), "X509_set_issuer_name");
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    // Strict verifiers (OpenSSL's X509_STRICT, Python 3.13) want an AKI in every certificate.
    add_extension(ca.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    sign(ca.get(), ca_key.get());

    const key_ptr server_key = make_p256_key();
    const cert_ptr server = new_certificate(server_key.get(), "localhost");
    check(X509_set_issuer_name(server.get(), X509_get_subject_name(ca.get())),
          "X509_set_issuer_name");
    add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_extension(server.get(), ca.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    add_extension(server.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(server.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    sign(server.get(), ca_key.get());

    return {to_pem(ca.get()), to_pem(server.get()), to_pem(server_key.get())};
}

void write_file(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        throw std::runtime_error("test PKI: cannot write " + path.string());
}

} // namespace

const test_pki& shared_test_pki()
{
    static const test_pki pki = generate();
    return pki;
}

std::filesystem::path write_test_pki(const std::filesystem::path& dir)
{
    const test_pki& pki = shared_test_pki();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("test PKI: cannot create " + dir.string() + ": " + ec.message());
    write_file(dir / "ca.pem", pki.ca_cert_pem);
    write_file(dir / "server.pem", pki.server_cert_pem);
    write_file(dir / "server.key", pki.server_key_pem);
    return dir;
}

rsa_key_pair new_rsa_key_pair()
{
    const key_ptr key(EVP_RSA_gen(2048));
    if (!key)
        fail("generating an RSA-2048 key");
    return {to_pem(key.get()), public_pem(key.get())};
}

std::string new_data_key()
{
    std::array<unsigned char, 32> bytes{};
    check(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())), "RAND_bytes");
    std::array<unsigned char, 45> text{}; // 4 * ceil(32 / 3) + the terminating NUL
    const int size = EVP_EncodeBlock(text.data(), bytes.data(), static_cast<int>(bytes.size()));
    return {reinterpret_cast<const char*>(text.data()), static_cast<std::size_t>(size)};
}

} // namespace donna::test
