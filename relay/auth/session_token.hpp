// session_token.hpp: the short-lived tokens POST /v1/session hands a browser and
// WS /v1/realtime accepts, signed and verified by the relay alone (a symmetric libsodium key).
//
//   auto signer = donna::relay::token_signer::from_secret(secret);   // DONNA_TOKEN_SECRET
//   std::string token = signer->issue({.site = "acme", .persona = "sales",
//                                      .issued_at = now, .expires_at = now + 300});
//   auto claims = signer->verify(token, now);   // errc::unauthorized / errc::token_expired
//
// Format: "dt1." base64url(JSON claims) "." base64url(HMAC-SHA-512-256 over "dt1.<payload>"),
// both without padding, so a token is only [A-Za-z0-9._-] and fits an Authorization header
// and a WebSocket subprotocol ("openai-insecure-api-key.<token>") alike.
#pragma once

#include "core/error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

// Longer tokens are rejected before any decoding, so a hostile header costs nothing.
constexpr std::size_t session_token_max_size = 4096;

// The token ids of the relay's own tokens for a phone call (a media stream's, a whisper's)
// begin with this: the same signer makes them, but they are never a visitor's session
// (api/session_auth refuses them there).
inline constexpr std::string_view call_token_id_prefix = "phone-";
// An OAuth flow's signed state (google/google_account): the same signer, never a session.
inline constexpr std::string_view oauth_state_token_id_prefix = "google-oauth-";

// Whether a token id is one of the relay's own tokens (a call's, an OAuth flow's) rather than
// a visitor's session.
inline bool is_relay_own_token_id(std::string_view token_id)
{
    return token_id.starts_with(call_token_id_prefix) ||
           token_id.starts_with(oauth_state_token_id_prefix);
}

struct session_claims {
    std::string site;            // sites-file id, e.g. "acme"
    std::string persona;         // "general" | "sales" | "marketing" | "receptionist" | "secretary"
    std::string user_id;         // empty for anonymous visitors
    std::string token_id;        // random 128-bit hex; filled by issue() when empty
    std::int64_t issued_at = 0;  // unix seconds
    std::int64_t expires_at = 0; // unix seconds
    bool operator==(const session_claims&) const = default;
};

class token_signer {
public:
    // Key = crypto_generichash (32 bytes) of the secret; the secret must be at least 32
    // characters, else errc::invalid_argument naming DONNA_TOKEN_SECRET.
    static result<token_signer> from_secret(std::string_view secret);
    // For a relay with no secret configured: its tokens die with the process.
    static token_signer with_random_key();

    token_signer(const token_signer&) = default;
    token_signer& operator=(const token_signer&) = default;
    token_signer(token_signer&&) noexcept = default;
    token_signer& operator=(token_signer&&) noexcept = default;
    // Wipes the key, so it does not linger in freed memory.
    ~token_signer();

    std::string issue(session_claims claims) const;

    // The claims of a token this signer issued, if now_unix < expires_at.
    // errc::unauthorized: too long, malformed, wrong version or a bad signature (the message
    // says which); errc::token_expired: genuine, but now_unix >= expires_at.
    result<session_claims> verify(std::string_view token, std::int64_t now_unix) const;

private:
    static constexpr std::size_t key_size = 32; // crypto_auth_KEYBYTES, checked in the .cpp
    token_signer() = default;

    std::array<unsigned char, key_size> key_{};
};

} // namespace donna::relay
