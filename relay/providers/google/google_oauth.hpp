// google_oauth.hpp: Google's OAuth2 for a web server app as the relay speaks it, free of I/O
// (../shared/API-NOTES.md section 5; google-auth-library-nodejs src/auth/oauth2client.ts):
// the consent URL with PKCE (S256), the code exchange, the refresh, the revocation, and the
// token endpoint's answers.
//
//   const auto verifier = new_pkce_verifier();
//   auto url = google_consent_url(cfg, {.state = state, .code_challenge =
//                                       pkce_s256_challenge(verifier)});
//   client.request("google", google_code_exchange_request(cfg, code, verifier), ...);
//   auto answer = read_google_token_answer(response);   // tokens, or Google's error code
//
// The app's client id and secret are GOOGLE_CLIENT_ID/_SECRET, or the seed's
// GMAIL_CLIENT_ID/_SECRET when those are unset (google_client()).
#pragma once

#include "upstream/http_client.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

struct config;

struct google_client_credentials {
    std::string id;
    std::string secret;
};
google_client_credentials google_client(const config& cfg);

// GOOGLE_SCOPES as Google takes them: space-separated, a short name ("gmail.modify") given
// Google's prefix (https://www.googleapis.com/auth/gmail.modify), full URLs kept.
std::string google_scopes(const config& cfg);

// A PKCE code verifier: 64 characters of [A-Za-z0-9-._~] from libsodium's CSPRNG (RFC 7636
// allows 43 to 128).
std::string new_pkce_verifier();
// base64url(SHA-256(verifier)) without padding: the S256 code_challenge.
std::string pkce_s256_challenge(std::string_view verifier);

struct google_consent_params {
    std::string state;          // the signed, single-use state (api/google_connect_route)
    std::string code_challenge; // pkce_s256_challenge(verifier)
};
// GOOGLE_AUTH_URL?response_type=code&client_id&redirect_uri (GOOGLE_REDIRECT_URI)&scope
// &state&code_challenge&code_challenge_method=S256&access_type=offline&prompt=consent
// &include_granted_scopes=true. `prompt=consent` makes Google hand out a refresh token even
// when the account consented before.
std::string google_consent_url(const config& cfg, const google_consent_params& params);

// POST GOOGLE_TOKEN_URL, form: grant_type=authorization_code, code, redirect_uri, client_id,
// client_secret, code_verifier.
upstream_request google_code_exchange_request(const config& cfg, std::string_view code,
                                              std::string_view verifier);
// POST GOOGLE_TOKEN_URL, form: grant_type=refresh_token, refresh_token, client_id,
// client_secret.
upstream_request google_refresh_request(const config& cfg, std::string_view refresh_token);
// POST GOOGLE_REVOKE_URL, form: token (a refresh token revokes its access tokens too).
upstream_request google_revoke_request(const config& cfg, std::string_view token);

struct google_tokens {
    std::string access_token;
    std::int64_t expires_in = 0;    // seconds
    std::string refresh_token = {}; // only on a first consent with access_type=offline
    std::string scope = {};         // space-separated, as granted
    std::string token_type = {};    // "Bearer"
};

// What the token endpoint answered: the tokens, or RFC 6749's error code (invalid_grant:
// the code or refresh token is bad, expired or revoked, and only a new consent helps;
// invalid_client: the client id or secret is wrong), or "malformed" / "http_<status>" when
// Google did not answer in its format.
struct google_token_answer {
    std::optional<google_tokens> tokens;
    std::string error = {};
    std::string description = {};
    unsigned status = 0;

    bool invalid_grant() const { return error == "invalid_grant"; }
};
google_token_answer read_google_token_answer(const upstream_response& response);

// The form encoding of application/x-www-form-urlencoded: every byte but the unreserved
// ones percent-encoded (so '+' and ' ' cannot be misread).
std::string
form_encode(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

} // namespace donna::relay
