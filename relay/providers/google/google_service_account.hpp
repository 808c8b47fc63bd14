// google_service_account.hpp: a Google service account's credentials as the relay uses them,
// free of I/O (../shared/API-NOTES.md section 7; RFC 7523; google-auth-library-python
// google/oauth2/service_account.py): its key file read, the JWT assertion signed RS256 with
// OpenSSL, and the jwt-bearer grant that trades it for an access token (no refresh token: a
// new assertion is signed for each new token).
//
//   auto account = read_google_service_account(key_file_text);    // GOOGLE_SERVICE_ACCOUNT_FILE
//   auto jwt = google_service_account_assertion(*account, scopes, cfg.google_token_url, now);
//   client.request("google", google_jwt_grant_request(cfg, *jwt), ...);
#pragma once

#include "core/error.hpp"
#include "upstream/http_client.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

struct config;

struct google_service_account {
    std::string client_email;    // the assertion's iss
    std::string private_key_pem; // PKCS#8 RSA key ("-----BEGIN PRIVATE KEY-----")
    std::string private_key_id;  // the JWT header's kid ("" : none sent)
};

// The key file Google's console gives ({"type":"service_account","client_email",
// "private_key","private_key_id",...}). errc::invalid_argument saying what is wrong (never
// the key itself): not JSON, another type, a field missing, a key OpenSSL cannot read or
// that is not RSA.
result<google_service_account> read_google_service_account(std::string_view key_file_json);

// header {"alg":"RS256","typ":"JWT","kid"}, claims {"iss","scope","aud","iat","exp":iat+3600}
// (Google's longest), each base64url, signed RSASSA-PKCS1-v1_5 with SHA-256.
result<std::string> google_service_account_assertion(const google_service_account& account,
                                                     std::string_view scopes,
                                                     std::string_view audience, std::int64_t now);

// POST GOOGLE_TOKEN_URL, form: grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer,
// assertion. The answer is read by read_google_token_answer (google_oauth.hpp).
upstream_request google_jwt_grant_request(const config& cfg, std::string_view assertion);

} // namespace donna::relay
