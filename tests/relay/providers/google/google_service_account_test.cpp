// A Google service account's credentials (relay/providers/google/google_service_account),
// without I/O: the key file read and refused in words that never show the key, and the JWT
// assertion: RS256 over the header and claims Google checks, verified here with the public
// half of the key by OpenSSL.
#include "providers/google/google_service_account.hpp"

#include "auth/sodium_base64.hpp"
#include "config/config.hpp"
#include "test_pki.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace donna::relay {
namespace {

std::string key_file(const std::string& private_key_pem)
{
    return nlohmann::json{{"type", "service_account"},
                          {"project_id", "acme-donna"},
                          {"private_key_id", "k1"},
                          {"private_key", private_key_pem},
                          {"client_email", "donna@acme-donna.iam.gserviceaccount.com"}}
        .dump();
}

std::string unbase64url(std::string_view text)
{
    const auto bytes = base64url_decode(text);
    return bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
}

bool verifies(const std::string& public_pem, std::string_view signed_text,
              const std::string& signature)
{
    BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = key != nullptr &&
                    EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                                     signature.size(),
                                     reinterpret_cast<const unsigned char*>(signed_text.data()),
                                     signed_text.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}

TEST(GoogleServiceAccount, TheAssertionIsRs256OverGooglesClaimsAndVerifiesWithThePublicKey)
{
    const auto pair = donna::test::new_rsa_key_pair();
    auto account = read_google_service_account(key_file(pair.private_key_pem));
    ASSERT_TRUE(account) << account.error().message;
    const auto jwt =
        google_service_account_assertion(*account, "https://www.googleapis.com/auth/drive.file",
                                         "https://oauth2.googleapis.com/token", 1'796'000'000);
    ASSERT_TRUE(jwt) << jwt.error().message;
    const auto first = jwt->find('.');
    const auto second = jwt->rfind('.');
    const auto header = nlohmann::json::parse(unbase64url(jwt->substr(0, first)));
    const auto claims =
        nlohmann::json::parse(unbase64url(jwt->substr(first + 1, second - first - 1)));
    EXPECT_EQ(header["alg"], "RS256");
    EXPECT_EQ(header["kid"], "k1");
    EXPECT_EQ(claims["iss"], "donna@acme-donna.iam.gserviceaccount.com");
    EXPECT_EQ(claims["aud"], "https://oauth2.googleapis.com/token");
    EXPECT_EQ(claims["scope"], "https://www.googleapis.com/auth/drive.file");
    EXPECT_EQ(claims["iat"], 1'796'000'000);
    EXPECT_EQ(claims["exp"], 1'796'003'600); // Google's longest: an hour
    EXPECT_TRUE(verifies(pair.public_key_pem, jwt->substr(0, second),
                         unbase64url(jwt->substr(second + 1))));
    // Another key's public half does not verify it.
    EXPECT_FALSE(verifies(donna::test::new_rsa_key_pair().public_key_pem, jwt->substr(0, second),
                          unbase64url(jwt->substr(second + 1))));
}

TEST(GoogleServiceAccount, ABadKeyFileIsRefusedSayingWhatIsWrongAndNeverTheKey)
{
    const auto pair = donna::test::new_rsa_key_pair();
    auto no_email = nlohmann::json::parse(key_file(pair.private_key_pem));
    no_email.erase("client_email");
    auto user_credentials = nlohmann::json::parse(key_file(pair.private_key_pem));
    user_credentials["type"] = "authorized_user";
    const auto ec_key = donna::test::shared_test_pki().server_key_pem; // P-256, not RSA
    const std::pair<std::string, std::string> cases[] = {
        {"not json", "is not JSON"},
        {user_credentials.dump(), "is not a service account's"},
        {no_email.dump(), "has no client_email"},
        {key_file(pair.private_key_pem.substr(0, 60)), // a key cut short
         "cannot read"},
        {key_file(ec_key), "not RSA"},
    };
    for (const auto& [text, says] : cases) {
        const auto account = read_google_service_account(text);
        ASSERT_FALSE(account) << says;
        EXPECT_EQ(account.error().code, errc::invalid_argument);
        EXPECT_NE(account.error().message.find(says), std::string::npos) << account.error().message;
        EXPECT_EQ(account.error().message.find("BEGIN"), std::string::npos);
    }
}

TEST(GoogleServiceAccount, TheGrantTradesTheAssertionAtTheTokenEndpoint)
{
    config cfg;
    const auto r = google_jwt_grant_request(cfg, "aaa.bbb.ccc");
    EXPECT_EQ(r.url, "https://oauth2.googleapis.com/token");
    EXPECT_EQ(
        r.body,
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=aaa.bbb.ccc");
}

} // namespace
} // namespace donna::relay
