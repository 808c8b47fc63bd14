#include "auth/session_token.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <set>
#include <string>

namespace donna::relay {
namespace {

constexpr std::string_view secret = "0123456789abcdef0123456789abcdef-test";
constexpr std::int64_t now = 1'700'000'000;

session_claims sample_claims()
{
    return {.site = "acme",
            .persona = "sales",
            .user_id = "user-42",
            .token_id = "",
            .issued_at = now,
            .expires_at = now + 300};
}

token_signer signer_from(std::string_view s)
{
    auto signer = token_signer::from_secret(s);
    EXPECT_TRUE(signer) << signer.error().message;
    return *signer;
}

std::string base64url(const unsigned char* bytes, std::size_t size)
{
    std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     '\0');
    sodium_bin2base64(text.data(), text.size(), bytes, size,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    text.pop_back();
    return text;
}

// A token with an arbitrary payload, correctly signed by the documented format (key =
// generichash of the secret): reaches the checks that come after the signature.
std::string signed_token(std::string_view payload)
{
    EXPECT_GE(sodium_init(), 0);
    std::array<unsigned char, crypto_auth_KEYBYTES> key{};
    crypto_generichash(key.data(), key.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                       nullptr, 0);
    std::string token =
        "dt1." + base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
    std::array<unsigned char, crypto_auth_BYTES> tag{};
    crypto_auth(tag.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                key.data());
    return token + "." + base64url(tag.data(), tag.size());
}

void expect_unauthorized(const result<session_claims>& r, const std::string& message)
{
    ASSERT_FALSE(r) << "expected: " << message;
    EXPECT_EQ(r.error().code, errc::unauthorized) << r.error().message;
    EXPECT_NE(r.error().message.find(message), std::string::npos) << r.error().message;
}

TEST(SessionToken, RoundTripGivesBackTheIssuedClaimsWithAFreshTokenId)
{
    const auto signer = signer_from(secret);
    const std::string token = signer.issue(sample_claims());
    auto claims = signer.verify(token, now + 10);
    ASSERT_TRUE(claims) << claims.error().message;
    auto expected = sample_claims();
    expected.token_id = claims->token_id;
    EXPECT_EQ(*claims, expected);
    EXPECT_FALSE(claims->token_id.empty());
}

TEST(SessionToken, KeepsATokenIdTheCallerChose)
{
    const auto signer = signer_from(secret);
    auto chosen = sample_claims();
    chosen.token_id = "00112233445566778899aabbccddeeff";
    auto claims = signer.verify(signer.issue(chosen), now);
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(*claims, chosen);
}

TEST(SessionToken, RandomKeySignerVerifiesItsOwnTokensOnly)
{
    const auto a = token_signer::with_random_key();
    const auto b = token_signer::with_random_key();
    const std::string token = a.issue(sample_claims());
    EXPECT_TRUE(a.verify(token, now));
    expect_unauthorized(b.verify(token, now), "signature does not match");
}

TEST(SessionToken, AnyFlippedByteInPayloadOrTagIsUnauthorized)
{
    const auto signer = signer_from(secret);
    const std::string token = signer.issue(sample_claims());
    const std::size_t last_dot = token.rfind('.');
    // Every position after "dt1.", except the dots: swapping one base64url character for
    // another changes the decoded bytes (or the trailing bits, which libsodium rejects).
    for (std::size_t i = 4; i < token.size(); ++i) {
        if (i == last_dot)
            continue;
        std::string forged = token;
        forged[i] = forged[i] == 'A' ? 'B' : 'A';
        auto r = signer.verify(forged, now);
        ASSERT_FALSE(r) << "position " << i << " of " << token;
        EXPECT_EQ(r.error().code, errc::unauthorized) << r.error().message;
    }
}

TEST(SessionToken, TokenFromAnotherSecretIsUnauthorized)
{
    const auto ours = signer_from(secret);
    const auto theirs = signer_from("another secret that is long enough, 32+");
    expect_unauthorized(ours.verify(theirs.issue(sample_claims()), now),
                        "signature does not match");
}

TEST(SessionToken, ExpiredAtAndAfterExpiresAt)
{
    const auto signer = signer_from(secret);
    const std::string token = signer.issue(sample_claims());
    EXPECT_TRUE(signer.verify(token, now + 299));
    for (const std::int64_t t : {now + 300, now + 3600}) {
        auto r = signer.verify(token, t);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, errc::token_expired) << r.error().message;
    }
}

TEST(SessionToken, ShortSecretIsRejectedNamingTheVariable)
{
    auto signer = token_signer::from_secret("only 31 characters long secret!");
    ASSERT_FALSE(signer);
    EXPECT_EQ(signer.error().code, errc::invalid_argument);
    EXPECT_NE(signer.error().message.find("DONNA_TOKEN_SECRET"), std::string::npos)
        << signer.error().message;
    EXPECT_TRUE(token_signer::from_secret("exactly 32 characters long, ok!!"));
}

TEST(SessionToken, MalformedShapesAreUnauthorizedWithDistinctMessages)
{
    const auto signer = signer_from(secret);
    const std::string good = signer.issue(sample_claims());
    const std::string good_tag = good.substr(good.rfind('.'));
    const std::pair<std::string, std::string> cases[] = {
        {"", "is not three '.'-separated parts"},
        {"no-dots-at-all", "is not three '.'-separated parts"},
        {"dt1.only-two", "is not three '.'-separated parts"},
        {"dt1.a.b.c", "is not three '.'-separated parts"},
        {"dt2" + good.substr(3), "version 'dt2' is not supported"},
        {"dt1.pay*load" + good_tag, "payload is not valid base64url"},
        {"dt1.eyJ9=" + good_tag, "payload is not valid base64url"},
        {good.substr(0, good.rfind('.')) + ".not+base64", "signature is not valid base64url"},
        {good.substr(0, good.rfind('.')) + ".AAAA", "signature is 3 bytes, expected 32"},
        {std::string(session_token_max_size + 1, 'A'), "is longer than 4096 bytes"},
        {signed_token("{not json"), "payload is not JSON"},
        {signed_token("[1,2]"), "payload is an array, expected an object"},
        {signed_token("\"acme\""), "payload is a string, expected an object"},
        {signed_token(R"({"persona":"sales","user_id":"","token_id":"x","issued_at":1,)"
                      R"("expires_at":9999999999})"),
         "payload: missing field 'site'"},
        {signed_token(R"({"site":"acme","persona":"sales","user_id":"","token_id":"x",)"
                      R"("issued_at":1})"),
         "payload: missing field 'expires_at'"},
        {signed_token(R"({"site":"acme","persona":"sales","user_id":"","token_id":"x",)"
                      R"("issued_at":1,"expires_at":"later"})"),
         "payload: field 'expires_at' must be a number"},
    };
    for (const auto& [token, message] : cases)
        expect_unauthorized(signer.verify(token, now), message);

    // The forging helper is faithful: a well-formed payload it signs is accepted.
    EXPECT_TRUE(signer.verify(signed_token(R"({"site":"acme","persona":"sales","user_id":"",)"
                                           R"("token_id":"x","issued_at":1,)"
                                           R"("expires_at":9999999999})"),
                              now));
}

TEST(SessionToken, ConsistsOnlyOfBase64UrlCharactersAndDots)
{
    const auto signer = signer_from(secret);
    auto claims = sample_claims();
    // Characters whose JSON or base64 could leak '+', '/', '=' or spaces into the token.
    claims.site = "a/b+c=d e\"f\\g\xc3\xa9";
    claims.user_id = "?>~ <ok> ~~~";
    const std::string token = signer.issue(claims);
    for (const char c : token) {
        const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        EXPECT_TRUE(allowed) << "character '" << c << "' in " << token;
    }
    auto back = signer.verify(token, now);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->site, claims.site);
}

TEST(SessionToken, TokenIdIs32LowercaseHexAndUnique)
{
    const auto signer = signer_from(secret);
    std::set<std::string> ids;
    for (int i = 0; i < 1000; ++i) {
        auto claims = signer.verify(signer.issue(sample_claims()), now);
        ASSERT_TRUE(claims) << claims.error().message;
        ASSERT_EQ(claims->token_id.size(), 32U) << claims->token_id;
        EXPECT_EQ(claims->token_id.find_first_not_of("0123456789abcdef"), std::string::npos)
            << claims->token_id;
        ids.insert(claims->token_id);
    }
    EXPECT_EQ(ids.size(), 1000U);
}

} // namespace
} // namespace donna::relay
