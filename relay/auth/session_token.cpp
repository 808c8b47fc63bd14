// session_token.cpp: issuing and verifying "dt1." session tokens with libsodium.
#include "auth/session_token.hpp"

#include "auth/random_id.hpp"
#include "auth/sodium_base64.hpp"

#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <tuple>
#include <vector>

namespace donna::relay {
namespace {

static_assert(crypto_auth_KEYBYTES == 32 && crypto_generichash_BYTES == 32);

constexpr std::string_view version_prefix = "dt1.";

// Every member on the wire, all required: issue() writes them all, so an absent one means
// the token was not made by issue().
constexpr std::tuple claim_fields{
    member_field("site", &session_claims::site),
    member_field("persona", &session_claims::persona),
    member_field("user_id", &session_claims::user_id),
    member_field("token_id", &session_claims::token_id),
    member_field("issued_at", &session_claims::issued_at),
    member_field("expires_at", &session_claims::expires_at),
};

void ensure_sodium()
{
    // Without a working libsodium no token can be issued or checked safely; there is no
    // sensible way to continue, and sodium_init only fails when the system has no entropy.
    static const bool ready = sodium_init() >= 0;
    if (!ready) {
        std::fputs("donna-relay: sodium_init failed (no source of randomness)\n", stderr);
        std::abort();
    }
}

error unauthorized(std::string message)
{
    return make_error(errc::unauthorized, "session token " + std::move(message));
}

} // namespace

result<token_signer> token_signer::from_secret(std::string_view secret)
{
    if (secret.size() < 32)
        return make_error(errc::invalid_argument,
                          "DONNA_TOKEN_SECRET must be at least 32 characters, got " +
                              std::to_string(secret.size()));
    ensure_sodium();
    token_signer signer;
    crypto_generichash(signer.key_.data(), signer.key_.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                       nullptr, 0);
    return signer;
}

token_signer token_signer::with_random_key()
{
    ensure_sodium();
    token_signer signer;
    crypto_auth_keygen(signer.key_.data());
    return signer;
}

token_signer::~token_signer()
{
    sodium_memzero(key_.data(), key_.size());
}

std::string token_signer::issue(session_claims claims) const
{
    ensure_sodium();
    if (claims.token_id.empty())
        claims.token_id = random_hex(16);
    const std::string json =
        dump_json(write_struct(nlohmann::json::object(), claims, claim_fields));

    std::string token(version_prefix);
    token += base64url_encode(reinterpret_cast<const unsigned char*>(json.data()), json.size());
    std::array<unsigned char, crypto_auth_BYTES> tag{};
    crypto_auth(tag.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                key_.data());
    token += '.';
    token += base64url_encode(tag.data(), tag.size());
    return token;
}

result<session_claims> token_signer::verify(std::string_view token, std::int64_t now_unix) const
{
    if (token.size() > session_token_max_size)
        return unauthorized("is longer than " + std::to_string(session_token_max_size) +
                            " bytes (" + std::to_string(token.size()) + ")");
    const std::size_t first_dot = token.find('.');
    const std::size_t last_dot = token.rfind('.');
    if (first_dot == std::string_view::npos || first_dot == last_dot ||
        token.find('.', first_dot + 1) != last_dot)
        return unauthorized("is not three '.'-separated parts (version.payload.signature)");
    const std::string_view version = token.substr(0, first_dot + 1);
    if (version != version_prefix)
        return unauthorized("version " + quoted_excerpt(token.substr(0, first_dot), 16) +
                            " is not supported (expected 'dt1')");

    const std::string_view signed_part = token.substr(0, last_dot);
    const std::string_view payload_text = signed_part.substr(version_prefix.size());
    // Decoding is not interpreting: both halves are checked for shape before the signature,
    // and nothing in the payload is read until the signature holds.
    auto payload = base64url_decode(payload_text);
    if (!payload)
        return unauthorized("payload is not valid base64url");
    auto tag = base64url_decode(token.substr(last_dot + 1));
    if (!tag)
        return unauthorized("signature is not valid base64url");
    if (tag->size() != crypto_auth_BYTES)
        return unauthorized("signature is " + std::to_string(tag->size()) + " bytes, expected " +
                            std::to_string(crypto_auth_BYTES));
    ensure_sodium();
    if (crypto_auth_verify(tag->data(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                           signed_part.size(), key_.data()) != 0)
        return unauthorized("signature does not match (forged, or signed with another secret)");

    const auto object = nlohmann::json::parse(payload->begin(), payload->end(), nullptr, false);
    if (object.is_discarded())
        return unauthorized("payload is not JSON");
    if (!object.is_object())
        return unauthorized(std::string("payload is ") + json_kind_name(object) +
                            ", expected an object");
    auto claims = read_struct<session_claims>(object, claim_fields);
    if (!claims)
        return unauthorized("payload: " + claims.error().message);
    if (now_unix >= claims->expires_at)
        return make_error(errc::token_expired, "session token expired at " +
                                                   std::to_string(claims->expires_at) + " (now " +
                                                   std::to_string(now_unix) + ")");
    return claims;
}

} // namespace donna::relay
