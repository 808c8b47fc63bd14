// fake_google_oauth.cpp: Google's OAuth2 endpoints as a fake_http_server handler: routing, the
// consent page's checks and redirects, the token endpoint's client authentication and its two
// grants, revocation, and the grants, codes and tokens they share. Runs on the server's I/O
// thread; what tests read or script sits behind the handler's own mutex.
//
// Sections: [helpers] [api] [fake_google_oauth]
#include "fake_google_oauth.hpp"

#include "loopback_server.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

namespace donna::fakes {
namespace {

// Insertion order keeps Google's field order (access_token first).
using gjson = nlohmann::ordered_json;
using oauth_clock = std::chrono::steady_clock;

constexpr std::string_view google_auth_path = "/o/oauth2/v2/auth";
constexpr std::string_view google_token_path = "/token";
constexpr std::string_view google_revoke_path = "/revoke";

// RFC 6749 section 4.1.2 recommends a code live at most 10 minutes.
constexpr auto google_code_lifetime = std::chrono::minutes(10);

// ---------------------------------------------------------------- [helpers]

// A query's or a form body's parameters, decoded ('+' as a space, as forms are); `repeated`
// names the first one sent twice (RFC 6749 sections 3.1 and 3.2 allow each once).
struct oauth_parameters {
    std::map<std::string, std::string> values;
    std::string repeated;

    bool has(const std::string& name) const { return values.contains(name); }
    // The value, or "" when absent.
    std::string get(const std::string& name) const
    {
        const auto it = values.find(name);
        return it == values.end() ? std::string() : it->second;
    }
};

std::optional<oauth_parameters> read_oauth_parameters(std::string_view query)
{
    const auto parsed = boost::urls::parse_query(query);
    if (!parsed)
        return std::nullopt;
    const boost::urls::encoding_opts form{true, false, false}; // '+' is a space
    oauth_parameters out;
    for (const auto& p : *parsed) {
        auto key = p.key.decode(form);
        if (!out.values.emplace(key, p.value.decode(form)).second && out.repeated.empty())
            out.repeated = std::move(key);
    }
    return out;
}

// Appends `key=value` with every byte of the value but the unreserved ones percent-encoded,
// as Google's redirects are: Boost.URL 1.81's params().append leaves a '+' as it is, which
// every form decoder then reads as a space.
void append_google_parameter(boost::urls::url& url, std::string_view key, std::string_view value)
{
    const auto encoded = boost::urls::encode(value, boost::urls::unreserved_chars);
    url.encoded_params().append({key, encoded});
}

bool is_form(const recorded_request& request)
{
    const auto type = request.headers.find("content-type");
    return type != request.headers.end() &&
           lower(type->second).starts_with("application/x-www-form-urlencoded");
}

// An absolute http(s) URL with a host and no fragment (RFC 6749 section 3.1.2).
bool is_http_redirect(std::string_view uri)
{
    const auto parsed = boost::urls::parse_absolute_uri(uri);
    return parsed &&
           (parsed->scheme_id() == boost::urls::scheme::http ||
            parsed->scheme_id() == boost::urls::scheme::https) &&
           parsed->has_authority() && !parsed->encoded_host().empty();
}

bool all_of_alphabet(std::string_view text, std::string_view extra)
{
    return std::ranges::all_of(text, [extra](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               extra.find(c) != std::string_view::npos;
    });
}

// S256's challenge: base64url of 32 bytes without padding, 43 characters (RFC 7636 4.2).
bool is_s256_challenge(std::string_view challenge)
{
    return challenge.size() == 43 && all_of_alphabet(challenge, "-_");
}

// RFC 7636 section 4.1: 43 to 128 characters of [A-Za-z0-9-._~].
bool is_pkce_verifier(std::string_view verifier)
{
    return verifier.size() >= 43 && verifier.size() <= 128 && all_of_alphabet(verifier, "-._~");
}

// base64url(SHA-256(verifier)) without padding.
std::string s256_challenge_of(std::string_view verifier)
{
    std::array<unsigned char, crypto_hash_sha256_BYTES> hash{};
    crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(verifier.data()),
                       verifier.size());
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string text(sodium_base64_ENCODED_LEN(hash.size(), variant), '\0');
    sodium_bin2base64(text.data(), text.size(), hash.data(), hash.size(), variant);
    text.resize(text.size() - 1); // the terminating NUL
    return text;
}

// Secrets and challenges are compared in constant time, as a server must.
bool same_secret(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// HTTP Basic client credentials: base64 of form-encoded id ":" form-encoded secret (RFC 6749
// section 2.3.1); nullopt when the header is another scheme or malformed.
std::optional<std::pair<std::string, std::string>> basic_client_credentials(std::string_view header)
{
    if (header.size() < 6 || lower(header.substr(0, 6)) != "basic ")
        return std::nullopt;
    auto encoded = header.substr(6);
    while (!encoded.empty() && encoded.front() == ' ')
        encoded.remove_prefix(1);
    std::string raw(encoded.size(), '\0');
    std::size_t size = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), encoded.data(),
                          encoded.size(), nullptr, &size, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return std::nullopt;
    raw.resize(size);
    // Each half is form-encoded (RFC 6749 appendix B), so '+' is a space and %XX a byte.
    const auto colon = raw.find(':');
    if (colon == std::string::npos)
        return std::nullopt;
    const auto id = boost::urls::make_pct_string_view(std::string_view(raw).substr(0, colon));
    const auto secret = boost::urls::make_pct_string_view(std::string_view(raw).substr(colon + 1));
    if (!id || !secret)
        return std::nullopt;
    const boost::urls::encoding_opts form{true, false, false};
    return std::pair{id->decode(form), secret->decode(form)};
}

std::set<std::string> scope_words(const std::string& scope)
{
    std::istringstream in(scope);
    std::set<std::string> words;
    for (std::string word; in >> word;)
        words.insert(word);
    return words;
}

std::string html_escaped(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// The page Google shows the browser instead of redirecting: "Error 400: invalid_request"
// and what was wrong.
http_answer google_error_page(int status, std::string_view error, std::string_view detail)
{
    const auto heading = "Error " + std::to_string(status) + ": " + std::string(error);
    return {.status = status,
            .headers = {{"content-type", "text/html; charset=utf-8"}},
            .body = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                    heading + "</title></head><body><h1>Access blocked: authorisation error</h1>" +
                    "<p>" + html_escaped(detail) + "</p><p><b>" + heading +
                    "</b></p></body></html>"};
}

http_answer google_not_found(const recorded_request& request)
{
    return {.status = 404,
            .headers = {{"content-type", "text/html; charset=UTF-8"}},
            .body = "<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title>"
                    "<p><b>404.</b> That\xE2\x80\x99s an error.<p>The requested URL <code>" +
                    html_escaped(request.path()) +
                    "</code> was not found on this server. That\xE2\x80\x99s all we know.</html>"};
}

// JSON as oauth2.googleapis.com sends it: pretty-printed, utf-8, never cached (RFC 6749
// section 5.1 requires no-store on token answers; the rest are Google's own headers).
http_answer google_json_answer(int status, const gjson& body)
{
    return {.status = status,
            .headers = {{"content-type", "application/json; charset=utf-8"},
                        {"cache-control", "no-cache, no-store, max-age=0, must-revalidate"},
                        {"pragma", "no-cache"},
                        {"expires", "Mon, 01 Jan 1990 00:00:00 GMT"}},
            .body = body.dump(2)};
}

// RFC 6749 section 5.2's error body.
http_answer google_oauth_error(int status, std::string_view error, std::string_view description)
{
    return google_json_answer(status, {{"error", error}, {"error_description", description}});
}

http_answer google_missing(std::string_view name)
{
    return google_oauth_error(400, "invalid_request",
                              "Missing required parameter: " + std::string(name));
}

// One consent's tokens (or issue_refresh_token's): revoking any of them revokes them all.
struct google_grant {
    std::string scope;
    std::string refresh_token; // "" when the consent asked no offline access
    bool revoked = false;
};

struct google_code {
    recorded_consent consent;
    oauth_clock::time_point issued;
    bool used = false;
    std::size_t grant = 0; // once used: the grant it made
};

struct google_access_token {
    std::size_t grant = 0;
    oauth_clock::time_point expires;
};

} // namespace

// ---------------------------------------------------------------- [api]

// RFC 7523's grant type, as a service account's token request names it.
constexpr std::string_view google_jwt_bearer_grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

struct fake_google_oauth::api : http_handler {
    explicit api(fake_google_oauth_options o) : options(std::move(o)) {}

    std::optional<http_answer> admit(const recorded_request& request) override
    {
        const auto path = request.path();
        if (path == google_auth_path && request.method == "GET")
            return std::nullopt;
        if (path == google_revoke_path && request.method == "POST")
            return std::nullopt;
        if (path != google_token_path || request.method != "POST")
            return google_not_found(request);
        // Counted here, before any fault, so that a retried request counts each time it came.
        const auto form = read_oauth_parameters(request.body);
        {
            const std::lock_guard lock(mutex);
            ++token_requests[form ? form->get("grant_type") : std::string()];
            ++changes;
        }
        changed.notify_all();
        return std::nullopt;
    }

    http_answer rate_limited(int retry_after_seconds) override
    {
        auto a = google_oauth_error(429, "rate_limit_exceeded", "Rate Limit Exceeded");
        a.headers.emplace_back("retry-after", std::to_string(retry_after_seconds));
        return a;
    }

    http_answer server_error() override
    {
        return google_oauth_error(500, "internal_failure", "Backend Error");
    }

    http_answer answer(const recorded_request& request) override
    {
        const auto path = request.path();
        http_answer a;
        {
            const std::lock_guard lock(mutex);
            if (path == google_auth_path)
                a = consent(request);
            else if (path == google_token_path)
                a = token(request);
            else
                a = revoke(request);
            ++changes;
        }
        changed.notify_all();
        return a;
    }

    oauth_clock::time_point now() const { return oauth_clock::now() + skew; }

    // ---- the consent page

    http_answer consent(const recorded_request& request)
    {
        const auto target = boost::urls::parse_origin_form(request.target);
        const auto query = target ? read_oauth_parameters(target->encoded_query()) : std::nullopt;
        if (!query)
            return google_error_page(400, "invalid_request", "The request could not be parsed.");
        const auto& q = *query;
        if (!q.repeated.empty())
            return google_error_page(400, "invalid_request",
                                     "Parameter sent more than once: " + q.repeated);
        recorded_consent c{.client_id = q.get("client_id"),
                           .redirect_uri = q.get("redirect_uri"),
                           .scope = q.get("scope"),
                           .state = q.get("state"),
                           .code_challenge = q.get("code_challenge"),
                           .code_challenge_method = q.get("code_challenge_method"),
                           .access_type = q.get("access_type"),
                           .prompt = q.get("prompt"),
                           .denied = false};
        if (auto refused = refuse_consent(q, c))
            return *refused;

        boost::urls::url location(*boost::urls::parse_absolute_uri(c.redirect_uri));
        c.denied = deny_next;
        deny_next = false;
        consents.push_back(c);
        if (c.denied) {
            append_google_parameter(location, "error", "access_denied");
        } else {
            const auto code = "4/0A" + server->make_id("", 69);
            codes[code] = {.consent = c, .issued = now(), .used = false, .grant = 0};
            append_google_parameter(location, "code", code);
            append_google_parameter(location, "scope", c.scope);
        }
        if (q.has("state"))
            append_google_parameter(location, "state", c.state);
        return {.status = 302,
                .headers = {{"location", std::string(location.buffer())},
                            {"content-type", "text/html; charset=UTF-8"}},
                .body = "<HTML><HEAD><TITLE>Moved Temporarily</TITLE></HEAD><BODY>"
                        "<H1>Moved Temporarily</H1></BODY></HTML>"};
    }

    // The consent page's checks, in Google's order: the client, where to send the browser,
    // then what is asked.
    std::optional<http_answer> refuse_consent(const oauth_parameters& q,
                                              const recorded_consent& c) const
    {
        if (c.client_id.empty())
            return google_error_page(400, "invalid_request",
                                     "Missing required parameter: client_id");
        if (c.client_id != options.client_id)
            return google_error_page(400, "invalid_client", "The OAuth client was not found.");
        if (c.redirect_uri.empty())
            return google_error_page(400, "invalid_request",
                                     "Missing required parameter: redirect_uri");
        if (!is_http_redirect(c.redirect_uri))
            return google_error_page(400, "invalid_request",
                                     "Invalid parameter value for redirect_uri: " + c.redirect_uri);
        const auto response_type = q.get("response_type");
        if (response_type.empty())
            return google_error_page(400, "invalid_request",
                                     "Required parameter is missing: response_type");
        if (response_type != "code")
            return google_error_page(400, "unsupported_response_type",
                                     "Invalid response_type: " + response_type);
        if (scope_words(c.scope).empty())
            return google_error_page(400, "invalid_request", "Missing required parameter: scope");
        if (auto refused = refuse_pkce(c))
            return refused;
        if (!c.access_type.empty() && c.access_type != "online" && c.access_type != "offline")
            return google_error_page(400, "invalid_request",
                                     "Invalid access_type: " + c.access_type);
        const auto prompts = scope_words(c.prompt);
        for (const auto& p : prompts)
            if (p != "none" && p != "consent" && p != "select_account")
                return google_error_page(400, "invalid_request", "Invalid prompt: " + p);
        if (prompts.contains("none") && prompts.size() > 1)
            return google_error_page(400, "invalid_request",
                                     "prompt=none cannot be combined with other prompts.");
        return std::nullopt;
    }

    static std::optional<http_answer> refuse_pkce(const recorded_consent& c)
    {
        const auto& method = c.code_challenge_method;
        if (!method.empty() && c.code_challenge.empty())
            return google_error_page(400, "invalid_request",
                                     "code_challenge_method was sent without code_challenge.");
        if (c.code_challenge.empty())
            return google_error_page(400, "invalid_request",
                                     "Missing required parameter: code_challenge (this fake "
                                     "requires PKCE with code_challenge_method=S256).");
        if (method.empty() || method == "plain")
            return google_error_page(400, "invalid_request",
                                     "code_challenge_method=plain is refused: this fake takes "
                                     "S256 only (a challenge without a method means plain).");
        if (method != "S256")
            return google_error_page(400, "invalid_request",
                                     "Invalid code_challenge_method: " + method);
        if (!is_s256_challenge(c.code_challenge))
            return google_error_page(400, "invalid_request",
                                     "Invalid code_challenge: S256 takes 43 base64url "
                                     "characters.");
        return std::nullopt;
    }

    // ---- the token endpoint

    http_answer token(const recorded_request& request)
    {
        if (!is_form(request))
            return google_oauth_error(400, "invalid_request",
                                      "Content-Type must be application/x-www-form-urlencoded.");
        const auto form = read_oauth_parameters(request.body);
        if (!form)
            return google_oauth_error(400, "invalid_request", "The body could not be parsed.");
        if (!form->repeated.empty())
            return google_oauth_error(400, "invalid_request",
                                      "Parameter sent more than once: " + form->repeated);
        const auto grant_type = form->get("grant_type");
        if (grant_type.empty())
            return google_missing("grant_type");
        if (grant_type == google_jwt_bearer_grant)
            return jwt_grant(*form); // a service account: the signed assertion is the client
        if (grant_type != "authorization_code" && grant_type != "refresh_token")
            return google_oauth_error(400, "unsupported_grant_type",
                                      "Invalid grant_type: " + grant_type);
        if (auto refused = authenticate_client(request, *form))
            return *refused;
        return grant_type == "authorization_code" ? exchange_code(*form) : refresh(*form);
    }

    std::optional<http_answer> authenticate_client(const recorded_request& request,
                                                   const oauth_parameters& form) const
    {
        auto id = form.get("client_id");
        auto secret = form.get("client_secret");
        if (const auto header = request.headers.find("authorization");
            header != request.headers.end()) {
            auto basic = basic_client_credentials(header->second);
            if (!basic)
                return google_oauth_error(401, "invalid_client", "Unauthorized");
            if (form.has("client_secret"))
                return google_oauth_error(400, "invalid_request",
                                          "The client authenticated with more than one method.");
            if (!id.empty() && id != basic->first)
                return google_oauth_error(401, "invalid_client", "Unauthorized");
            id = std::move(basic->first);
            secret = std::move(basic->second);
        }
        if (id.empty())
            return google_oauth_error(400, "invalid_request",
                                      "Could not determine client ID from request.");
        if (id != options.client_id)
            return google_oauth_error(401, "invalid_client", "The OAuth client was not found.");
        if (secret.empty())
            return google_oauth_error(400, "invalid_request", "client_secret is missing.");
        if (!same_secret(secret, options.client_secret))
            return google_oauth_error(401, "invalid_client", "Unauthorized");
        return std::nullopt;
    }

    http_answer exchange_code(const oauth_parameters& form)
    {
        const auto code = form.get("code");
        if (code.empty())
            return google_missing("code");
        const auto redirect_uri = form.get("redirect_uri");
        if (redirect_uri.empty())
            return google_missing("redirect_uri");
        const auto found = codes.find(code);
        if (found == codes.end())
            return google_oauth_error(400, "invalid_grant", "Malformed auth code.");
        auto& c = found->second;
        if (c.used) {
            // A replayed code may be stolen: what it gave is revoked (RFC 6749 section 4.1.2).
            grants[c.grant].revoked = true;
            return google_oauth_error(400, "invalid_grant", "Bad Request");
        }
        if (now() >= c.issued + google_code_lifetime)
            return google_oauth_error(400, "invalid_grant", "Bad Request");
        if (redirect_uri != c.consent.redirect_uri)
            return google_oauth_error(400, "invalid_grant",
                                      "redirect_uri does not match the authorization request.");
        const auto verifier = form.get("code_verifier");
        if (verifier.empty())
            return google_oauth_error(400, "invalid_grant", "Missing code verifier.");
        if (!is_pkce_verifier(verifier) ||
            !same_secret(s256_challenge_of(verifier), c.consent.code_challenge))
            return google_oauth_error(400, "invalid_grant", "Invalid code verifier.");
        c.used = true;
        c.grant = new_grant(c.consent.scope, c.consent.access_type == "offline");
        return tokens_answer(c.grant, grants[c.grant].scope, true);
    }

    http_answer refresh(const oauth_parameters& form)
    {
        const auto token = form.get("refresh_token");
        if (token.empty())
            return google_missing("refresh_token");
        const auto found = refresh_tokens.find(token);
        if (found == refresh_tokens.end() || grants[found->second].revoked)
            return google_oauth_error(400, "invalid_grant", "Token has been expired or revoked.");
        const auto grant = found->second;
        auto scope = grants[grant].scope;
        // A refresh may narrow the scope, never widen it (RFC 6749 section 6).
        if (const auto asked = form.get("scope"); !asked.empty()) {
            const auto granted = scope_words(scope);
            const auto wanted = scope_words(asked);
            if (!std::ranges::includes(granted, wanted))
                return google_oauth_error(400, "invalid_scope",
                                          "The requested scope exceeds what was granted.");
            scope = asked;
        }
        return tokens_answer(grant, scope, false);
    }

    http_answer tokens_answer(std::size_t grant, const std::string& scope, bool with_refresh)
    {
        const auto access = "ya29.a0" + server->make_id("", 120);
        access_tokens[access] = {
            .grant = grant, .expires = now() + std::chrono::seconds(options.access_token_seconds)};
        gjson body = {{"access_token", access}, {"expires_in", options.access_token_seconds}};
        if (with_refresh && !grants[grant].refresh_token.empty())
            body["refresh_token"] = grants[grant].refresh_token;
        body["scope"] = scope;
        body["token_type"] = "Bearer";
        return google_json_answer(200, body);
    }

    // RFC 7523's jwt-bearer grant, as Google checks a service account's assertion: RS256 by
    // the key of a trusted account (trust_service_account), aud this token endpoint, at most
    // an hour from iat to exp, not expired, a scope. No refresh token in the answer.
    http_answer jwt_grant(const oauth_parameters& form)
    {
        const auto assertion = form.get("assertion");
        if (assertion.empty())
            return google_missing("assertion");
        const auto first = assertion.find('.');
        const auto second = assertion.find('.', first + 1);
        if (first == std::string::npos || second == std::string::npos)
            return google_oauth_error(400, "invalid_grant", "Invalid JWT: not three parts.");
        const auto header = gjson::parse(jwt_part(assertion.substr(0, first)), nullptr, false);
        const auto claims =
            gjson::parse(jwt_part(assertion.substr(first + 1, second - first - 1)), nullptr, false);
        if (!header.is_object() || !claims.is_object() || header.value("alg", "") != "RS256")
            return google_oauth_error(400, "invalid_grant", "Invalid JWT: header or claims.");
        const auto issuer = claims.value("iss", "");
        const auto key = trusted_accounts.find(issuer);
        if (key == trusted_accounts.end())
            return google_oauth_error(400, "invalid_grant", "Invalid JWT Signature.");
        if (!rs256_verifies(key->second, assertion.substr(0, second),
                            jwt_part(assertion.substr(second + 1))))
            return google_oauth_error(400, "invalid_grant", "Invalid JWT Signature.");
        if (claims.value("aud", "") != server->origin() + std::string(google_token_path))
            return google_oauth_error(400, "invalid_grant",
                                      "Invalid JWT: Token must be a short-lived token (60 "
                                      "minutes) and in a reasonable timeframe. Check your iat "
                                      "and exp values in the JWT claim.");
        const auto iat = claims.value("iat", std::int64_t{0});
        const auto exp = claims.value("exp", std::int64_t{0});
        const auto unix_now = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch() + skew)
                                  .count();
        if (exp <= iat || exp - iat > 3600 || exp <= unix_now || iat > unix_now + 60)
            return google_oauth_error(400, "invalid_grant",
                                      "Invalid JWT: Token must be a short-lived token (60 "
                                      "minutes) and in a reasonable timeframe. Check your iat "
                                      "and exp values in the JWT claim.");
        const auto scope = claims.value("scope", "");
        if (scope.empty())
            return google_oauth_error(400, "invalid_scope", "Empty or missing scope not allowed.");
        jwt_grants_accepted.push_back(issuer);
        return tokens_answer(new_grant(scope, false), scope, false);
    }

    // A base64url JWT part decoded ("" when it is not base64url).
    static std::string jwt_part(std::string_view text)
    {
        std::string out(text.size(), '\0');
        std::size_t size = 0;
        if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                              text.size(), nullptr, &size, nullptr,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
            return {};
        out.resize(size);
        return out;
    }

    static bool rs256_verifies(const std::string& public_key_pem, std::string_view signed_text,
                               const std::string& signature)
    {
        BIO* bio = BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size()));
        EVP_PKEY* key =
            bio != nullptr ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
        BIO_free(bio);
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        const bool verified =
            key != nullptr && ctx != nullptr &&
            EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(signed_text.data()),
                             signed_text.size()) == 1;
        EVP_MD_CTX_free(ctx);
        EVP_PKEY_free(key);
        return verified;
    }

    std::size_t new_grant(const std::string& scope, bool offline)
    {
        google_grant g{.scope = scope, .refresh_token = "", .revoked = false};
        if (offline)
            g.refresh_token = "1//0" + server->make_id("", 99);
        grants.push_back(g);
        const auto index = grants.size() - 1;
        if (offline)
            refresh_tokens[g.refresh_token] = index;
        return index;
    }

    // ---- revocation

    http_answer revoke(const recorded_request& request)
    {
        std::string token;
        if (const auto target = boost::urls::parse_origin_form(request.target))
            if (const auto query = read_oauth_parameters(target->encoded_query()))
                token = query->get("token");
        if (token.empty() && is_form(request))
            if (const auto form = read_oauth_parameters(request.body))
                token = form->get("token");
        if (token.empty())
            return google_missing("token");
        const auto grant = live_grant_of(token);
        if (!grant)
            return google_oauth_error(400, "invalid_token", "Token expired or revoked");
        grants[*grant].revoked = true;
        revoked.push_back(token);
        return google_json_answer(200, gjson::object());
    }

    // The grant of a refresh token, or of an unexpired access token, that is not revoked.
    std::optional<std::size_t> live_grant_of(const std::string& token) const
    {
        std::optional<std::size_t> grant;
        if (const auto r = refresh_tokens.find(token); r != refresh_tokens.end())
            grant = r->second;
        else if (const auto a = access_tokens.find(token);
                 a != access_tokens.end() && now() < a->second.expires)
            grant = a->second.grant;
        if (!grant || grants[*grant].revoked)
            return std::nullopt;
        return grant;
    }

    fake_google_oauth_options options;
    mutable std::mutex mutex;
    mutable std::condition_variable changed; // after each request counted or answered
    std::uint64_t changes = 0;
    oauth_clock::duration skew{}; // advance_clock()'s total
    bool deny_next = false;
    std::vector<google_grant> grants;
    std::map<std::string, std::string> trusted_accounts; // client_email -> public key PEM
    std::vector<std::string> jwt_grants_accepted;        // the accounts, in order
    std::map<std::string, google_code> codes;
    std::map<std::string, google_access_token> access_tokens;
    std::map<std::string, std::size_t> refresh_tokens;
    std::map<std::string, int> token_requests; // by grant_type
    std::vector<recorded_consent> consents;
    std::vector<std::string> revoked; // through /revoke
};

// ---------------------------------------------------------------- [fake_google_oauth]

fake_google_oauth::fake_google_oauth(const fake_google_oauth_options& options)
    : fake_http_server(std::make_unique<api>(options),
                       {.name = "donna-fake-google-oauth",
                        .tls = options.tls,
                        .fault = http_fault::none,
                        .fault_count = 1,
                        .retry_after_seconds = 1,
                        .chunk_interval = std::chrono::milliseconds(0)}),
      api_(static_cast<api&>(handler()))
{}

std::string fake_google_oauth::auth_url() const
{
    return origin() + std::string(google_auth_path);
}

std::string fake_google_oauth::token_url() const
{
    return origin() + std::string(google_token_path);
}

std::string fake_google_oauth::revoke_url() const
{
    return origin() + std::string(google_revoke_path);
}

const std::string& fake_google_oauth::client_id() const
{
    return api_.options.client_id;
}

const std::string& fake_google_oauth::client_secret() const
{
    return api_.options.client_secret;
}

void fake_google_oauth::deny_next_consent()
{
    const std::lock_guard lock(api_.mutex);
    api_.deny_next = true;
}

void fake_google_oauth::revoke_all()
{
    const std::lock_guard lock(api_.mutex);
    for (auto& g : api_.grants)
        g.revoked = true;
}

void fake_google_oauth::trust_service_account(const std::string& client_email,
                                              const std::string& public_key_pem)
{
    const std::lock_guard lock(api_.mutex);
    api_.trusted_accounts[client_email] = public_key_pem;
}

std::vector<std::string> fake_google_oauth::service_account_grants() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.jwt_grants_accepted;
}

std::string fake_google_oauth::issue_refresh_token(const std::string& scope)
{
    const std::lock_guard lock(api_.mutex);
    return api_.grants[api_.new_grant(scope, true)].refresh_token;
}

std::vector<std::string> fake_google_oauth::issued_refresh_tokens() const
{
    const std::lock_guard lock(api_.mutex);
    std::vector<std::string> tokens;
    for (const auto& g : api_.grants)
        if (!g.refresh_token.empty())
            tokens.push_back(g.refresh_token);
    return tokens;
}

bool fake_google_oauth::access_token_valid(const std::string& access_token) const
{
    const std::lock_guard lock(api_.mutex);
    const auto found = api_.access_tokens.find(access_token);
    return found != api_.access_tokens.end() && !api_.grants[found->second.grant].revoked &&
           api_.now() < found->second.expires;
}

void fake_google_oauth::advance_clock(std::chrono::seconds by)
{
    const std::lock_guard lock(api_.mutex);
    api_.skew += by;
}

int fake_google_oauth::token_requests(const std::string& grant_type) const
{
    const std::lock_guard lock(api_.mutex);
    const auto found = api_.token_requests.find(grant_type);
    return found == api_.token_requests.end() ? 0 : found->second;
}

std::vector<recorded_consent> fake_google_oauth::consents() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.consents;
}

std::vector<std::string> fake_google_oauth::revoked() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.revoked;
}

bool fake_google_oauth::wait_token_requests(const std::string& grant_type, int count,
                                            std::chrono::milliseconds timeout) const
{
    return wait_for_change<int>(
        api_.mutex, api_.changed,
        [&] {
            const auto found = api_.token_requests.find(grant_type);
            return found == api_.token_requests.end() ? 0 : found->second;
        },
        [&] { return api_.changes; }, [count](const int& seen) { return seen >= count; }, timeout);
}

bool fake_google_oauth::wait_consents(std::size_t count, std::chrono::milliseconds timeout) const
{
    return wait_for_change<std::size_t>(
        api_.mutex, api_.changed, [&] { return api_.consents.size(); },
        [&] { return api_.changes; }, [count](const std::size_t& seen) { return seen >= count; },
        timeout);
}

bool fake_google_oauth::wait_revoked(std::size_t count, std::chrono::milliseconds timeout) const
{
    return wait_for_change<std::size_t>(
        api_.mutex, api_.changed, [&] { return api_.revoked.size(); }, [&] { return api_.changes; },
        [count](const std::size_t& seen) { return seen >= count; }, timeout);
}

} // namespace donna::fakes
