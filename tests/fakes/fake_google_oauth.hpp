// fake_google_oauth.hpp: a faithful fake of Google's OAuth2 for web server apps on loopback
// (HTTP/1.1, keep-alive, optionally HTTPS): the consent page a browser reaches, the token
// endpoint (code exchange with PKCE, refresh) and the revocation endpoint, so that tests can
// point GOOGLE_AUTH_URL, GOOGLE_TOKEN_URL and GOOGLE_REVOKE_URL at it. Its access tokens are
// what the Gmail and Drive fakes will accept (access_token_valid).
//
//   donna::fakes::fake_google_oauth google({.tls = true});
//   ASSERT_TRUE(google.start());
//   cfg.google_auth_url = google.auth_url();     // "https://127.0.0.1:<port>/o/oauth2/v2/auth"
//   cfg.google_token_url = google.token_url();   // ".../token"
//   cfg.google_revoke_url = google.revoke_url(); // ".../revoke"
//   cfg.google_client_id = google.client_id();
//   ... a browser GETs the consent URL: a 302 to redirect_uri?code=...&scope=...&state=...
//   ... the relay exchanges the code, then:
//   EXPECT_EQ(google.token_requests("authorization_code"), 1);
//   google.revoke_all();                         // the user removed the app's access
//
// What it speaks (../shared/API-NOTES.md section 5; google-auth-library-nodejs
// src/auth/oauth2client.ts; RFC 6749, RFC 7636, RFC 7009):
//   GET /o/oauth2/v2/auth (the consent page, answered as if the user clicked Allow): the
//   query must carry each parameter at most once (RFC 6749 section 3.1), client_id (the
//   fake's, else a 400 HTML page naming invalid_client), redirect_uri (an absolute http(s)
//   URL without a fragment, RFC 6749 section 3.1.2), response_type=code
//   (unsupported_response_type otherwise), a non-empty scope, and PKCE: code_challenge_method
//   S256 with a code_challenge of 43 base64url characters. Google also takes `plain`, and a
//   challenge without a method means plain; this fake refuses both, and a method without a
//   challenge, because DONNA must always use S256. access_type is online or offline; prompt is
//   none, or any of consent and select_account. Every refusal is a 400 text/html page
//   "Error 400: <error>" and a sentence, as Google shows the browser rather than redirecting.
//   A request that passes is recorded (consents()) and answered 302 with Location
//   <redirect_uri>?code=<4/0A...>&scope=<scope>&state=<state> (state only when sent), or,
//   after deny_next_consent(), <redirect_uri>?error=access_denied&state=<state>. A code is
//   single-use, valid 10 minutes, and bound to its consent's redirect_uri, scope, challenge and
//   access_type (the fake has one client, whose credentials every exchange needs).
//   POST /token, application/x-www-form-urlencoded (another type is 400 invalid_request), each
//   parameter at most once; the client authenticates with form client_id and client_secret or
//   with HTTP Basic (RFC 6749 section 2.3.1, not both). Answers carry Google's
//   `application/json; charset=utf-8` and no-store headers. In order: no grant_type is 400
//   invalid_request; a grant_type other than authorization_code and refresh_token is 400
//   unsupported_grant_type; no client_id is 400 invalid_request "Could not determine client
//   ID from request."; another client_id is 401 invalid_client "The OAuth client was not
//   found."; no secret is 400 invalid_request "client_secret is missing."; a wrong secret is
//   401 invalid_client "Unauthorized".
//     authorization_code: code and redirect_uri are required (400 invalid_request "Missing
//     required parameter: <name>"); an unknown code is 400 invalid_grant "Malformed auth
//     code."; a used or expired code is 400 invalid_grant "Bad Request", and a used code also
//     revokes every token issued from it (RFC 6749 section 4.1.2); another redirect_uri, or a
//     code_verifier that is missing, malformed (RFC 7636 section 4.1) or whose
//     base64url(SHA-256) is not the challenge, is 400 invalid_grant (and leaves the code
//     usable). Success: 200 {access_token "ya29.a0...", expires_in (access_token_seconds),
//     refresh_token "1//0..." (only when the consent asked access_type=offline), scope,
//     token_type "Bearer"}.
//     refresh_token: refresh_token required; unknown or revoked is 400 invalid_grant "Token
//     has been expired or revoked."; a `scope` beyond the grant's is 400 invalid_scope.
//     Success: 200 {access_token, expires_in, scope, token_type}, no refresh_token (Google
//     usually omits it; the client keeps the old one).
//   POST /revoke with `token` in the query or the form: a live access or refresh token is
//   revoked with the whole grant it belongs to (Google's web-server guide: revoking an access
//   token also revokes its refresh token; RFC 7009 section 2.1), answered 200 {}; an unknown,
//   expired or already revoked token is 400 {"error":"invalid_token","error_description":
//   "Token expired or revoked"}.
//   Any other path or method: 404 text/html (GET /revoke is a 404 at Google too).
//   Faults (fake_http_server::set_fault) apply to the POSTs: 429 rate_limit_exceeded with
//   Retry-After, 500 internal_failure "Backend Error" (both bodies unconfirmed).
// The fake's clock is the steady clock plus advance_clock()'s total, so that a test can let
// codes and access tokens expire without sleeping.
//
// Unconfirmed from a primary source (API-NOTES marks them so, or they were seen only in
// issue threads): the error_description texts, the auth endpoint's error pages, the revoke
// answer's body. Google may answer a mismatched redirect_uri at /token with
// redirect_uri_mismatch (not checked); this fake says invalid_grant, RFC 6749's code.
//
// Not simulated: registered redirect URIs (any http(s) URI is taken), id_token and openid,
// include_granted_scopes (scope is what this consent asked), login_hint and hd, users and
// accounts, refresh_token_expires_in and the 7-day tokens of apps in Testing, tokeninfo,
// service accounts (the JWT bearer grant is unsupported_grant_type here).
//
// Thread safety: as fake_http_server's; every member may be called while it serves.
#pragma once

#include "fake_http_server.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace donna::fakes {

struct fake_google_oauth_options {
    std::string client_id = "donna-test.apps.googleusercontent.com";
    std::string client_secret = "google-test-client-secret";
    int access_token_seconds = 3599; // expires_in of every access token, as Google's
    bool tls = false; // HTTPS with the test PKI's certificate (SAN localhost, 127.0.0.1)
};

// One consent the fake's authorization endpoint granted or denied (query as received,
// decoded; an absent parameter is empty).
struct recorded_consent {
    std::string client_id, redirect_uri, scope, state, code_challenge, code_challenge_method,
        access_type, prompt;
    bool denied = false;
};

class fake_google_oauth : public fake_http_server {
public:
    explicit fake_google_oauth(const fake_google_oauth_options& options = {});

    // start() (fake_http_server's): 127.0.0.1, an ephemeral port.
    std::string auth_url() const;   // "<origin>/o/oauth2/v2/auth"
    std::string token_url() const;  // "<origin>/token"
    std::string revoke_url() const; // "<origin>/revoke"
    const std::string& client_id() const;
    const std::string& client_secret() const;

    // The next consent that passes the checks redirects with error=access_denied.
    void deny_next_consent();
    // The user removed the app's access: every token issued so far is revoked (refresh
    // tokens answer invalid_grant). Not listed in revoked(), which is the /revoke requests'.
    void revoke_all();
    // A refresh token for `scope` (space-separated), as if the user had consented earlier
    // with access_type=offline.
    std::string issue_refresh_token(const std::string& scope);
    // A service account whose JWT assertions (RS256, RFC 7523's jwt-bearer grant) the token
    // endpoint takes: its client_email and the public half of its key (SubjectPublicKeyInfo
    // PEM). An assertion of any other account, or badly signed, is invalid_grant.
    void trust_service_account(const std::string& client_email, const std::string& public_key_pem);
    // The accounts whose assertions were accepted, in order.
    std::vector<std::string> service_account_grants() const;
    // Every refresh token issued so far (by consents and issue_refresh_token), in order.
    std::vector<std::string> issued_refresh_tokens() const;
    // Whether an access token was issued, has not expired by the fake's clock and was not
    // revoked: what a Google API fake checks a Bearer token with.
    bool access_token_valid(const std::string& access_token) const;
    // Time at the fake moves on by `by`: codes (10 minutes) and access tokens
    // (access_token_seconds) expire as if it had passed.
    void advance_clock(std::chrono::seconds by);

    // POST /token requests that arrived with this grant_type ("" : none), faulted ones
    // included.
    int token_requests(const std::string& grant_type) const;
    // The consents that passed the checks, in order.
    std::vector<recorded_consent> consents() const;
    // Tokens revoked through POST /revoke, in order.
    std::vector<std::string> revoked() const;

    // Wait until `count` POST /token of `grant_type` have arrived / `count` consents were
    // recorded / `count` tokens were revoked through /revoke, re-checking whenever the fake
    // answers one (fake_http_server::wait_until's pattern); false if `timeout` passes first.
    bool wait_token_requests(const std::string& grant_type, int count,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    bool wait_consents(std::size_t count,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    bool wait_revoked(std::size_t count,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

private:
    struct api; // the handler, in the .cpp
    api& api_;
};

} // namespace donna::fakes
