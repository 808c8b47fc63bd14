// google_service_account.cpp: the key file, the RS256 signature (OpenSSL's EVP_DigestSign)
// and the grant.
#include "providers/google/google_service_account.hpp"

#include "auth/sodium_base64.hpp"
#include "config/config.hpp"
#include "protocol/json_fields.hpp"
#include "providers/google/google_oauth.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <vector>

namespace donna::relay {
namespace {

using sjson = nlohmann::json;

struct pkey_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct bio_free {
    void operator()(BIO* p) const { BIO_free(p); }
};
struct md_ctx_free {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

pkey_ptr read_private_key(const std::string& pem)
{
    const std::unique_ptr<BIO, bio_free> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        return nullptr;
    return pkey_ptr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string base64url_of(std::string_view text)
{
    return base64url_encode(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

error refused(std::string message)
{
    return make_error(errc::invalid_argument, "the service account key file " + std::move(message));
}

} // namespace

result<google_service_account> read_google_service_account(std::string_view key_file_json)
{
    const auto file = sjson::parse(key_file_json, nullptr, false);
    if (!file.is_object())
        return refused("is not JSON");
    if (json_string_member(file, "type") != "service_account")
        return refused("is not a service account's (\"type\" is not \"service_account\")");
    google_service_account account{.client_email = json_string_member(file, "client_email"),
                                   .private_key_pem = json_string_member(file, "private_key"),
                                   .private_key_id = json_string_member(file, "private_key_id")};
    if (account.client_email.empty())
        return refused("has no client_email");
    if (account.private_key_pem.empty())
        return refused("has no private_key");
    const auto key = read_private_key(account.private_key_pem);
    if (!key)
        return refused("has a private_key OpenSSL cannot read");
    if (EVP_PKEY_is_a(key.get(), "RSA") != 1)
        return refused("has a private_key that is not RSA (Google signs RS256)");
    return account;
}

result<std::string> google_service_account_assertion(const google_service_account& account,
                                                     std::string_view scopes,
                                                     std::string_view audience, std::int64_t now)
{
    sjson header = {{"alg", "RS256"}, {"typ", "JWT"}};
    if (!account.private_key_id.empty())
        header["kid"] = account.private_key_id;
    const sjson claims = {{"iss", account.client_email},
                          {"scope", scopes},
                          {"aud", audience},
                          {"iat", now},
                          {"exp", now + 3600}};
    const auto signing_input = base64url_of(header.dump()) + "." + base64url_of(claims.dump());
    const auto key = read_private_key(account.private_key_pem);
    const std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
    if (!key || !ctx ||
        EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
        return make_error(errc::invalid_argument, "the service account's key cannot sign");
    std::size_t size = 0;
    const auto* input = reinterpret_cast<const unsigned char*>(signing_input.data());
    if (EVP_DigestSign(ctx.get(), nullptr, &size, input, signing_input.size()) != 1)
        return make_error(errc::invalid_argument, "the service account's key cannot sign");
    std::vector<unsigned char> signature(size);
    if (EVP_DigestSign(ctx.get(), signature.data(), &size, input, signing_input.size()) != 1)
        return make_error(errc::invalid_argument, "the service account's key cannot sign");
    return signing_input + "." + base64url_encode(signature.data(), size);
}

upstream_request google_jwt_grant_request(const config& cfg, std::string_view assertion)
{
    return {.method = "POST",
            .url = cfg.google_token_url,
            .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"Accept", "application/json"}},
            .body = form_encode({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                                 {"assertion", assertion}})};
}

} // namespace donna::relay
