// google_oauth.cpp: the consent URL, the token endpoint's requests and its answers.
#include "providers/google/google_oauth.hpp"

#include "auth/sodium_base64.hpp"
#include "config/config.hpp"
#include "protocol/json_fields.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <array>
#include <sstream>

namespace donna::relay {
namespace {

using gjson = nlohmann::json;

constexpr std::string_view scope_prefix = "https://www.googleapis.com/auth/";

upstream_request form_post(const std::string& url, std::string body)
{
    return {.method = "POST",
            .url = url,
            .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"Accept", "application/json"}},
            .body = std::move(body)};
}

} // namespace

google_client_credentials google_client(const config& cfg)
{
    if (!cfg.google_client_id.empty())
        return {cfg.google_client_id, cfg.google_client_secret};
    return {cfg.gmail_client_id, cfg.gmail_client_secret};
}

std::string google_scopes(const config& cfg)
{
    std::istringstream words(cfg.google_scopes);
    std::string scope, out;
    while (words >> scope) {
        if (!out.empty())
            out += ' ';
        out += scope.starts_with("https://") ? scope : std::string(scope_prefix) + scope;
    }
    return out;
}

std::string new_pkce_verifier()
{
    // 64 symbols from a 64-letter alphabet: each random byte's low six bits pick one, so
    // every symbol is equally likely (384 bits of entropy).
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::array<unsigned char, 64> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    std::string verifier;
    verifier.reserve(bytes.size());
    for (const auto b : bytes)
        verifier.push_back(alphabet[b & 0x3FU]);
    sodium_memzero(bytes.data(), bytes.size());
    return verifier;
}

std::string pkce_s256_challenge(std::string_view verifier)
{
    std::array<unsigned char, crypto_hash_sha256_BYTES> hash{};
    crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(verifier.data()),
                       verifier.size());
    return base64url_encode(hash.data(), hash.size());
}

std::string google_consent_url(const config& cfg, const google_consent_params& params)
{
    // The query written out percent-encoded (form_encode): a '+' in a value must not be read
    // back as a space.
    boost::urls::url url(cfg.google_auth_url);
    const auto client = google_client(cfg);
    const auto scopes = google_scopes(cfg);
    url.set_encoded_query(form_encode({{"response_type", "code"},
                                       {"client_id", client.id},
                                       {"redirect_uri", cfg.google_redirect_uri},
                                       {"scope", scopes},
                                       {"state", params.state},
                                       {"code_challenge", params.code_challenge},
                                       {"code_challenge_method", "S256"},
                                       {"access_type", "offline"},
                                       {"prompt", "consent"},
                                       {"include_granted_scopes", "true"}}));
    return std::string(url.buffer());
}

std::string form_encode(std::initializer_list<std::pair<std::string_view, std::string_view>> fields)
{
    std::string body;
    for (const auto& [name, value] : fields) {
        if (!body.empty())
            body += '&';
        body += boost::urls::encode(name, boost::urls::unreserved_chars);
        body += '=';
        body += boost::urls::encode(value, boost::urls::unreserved_chars);
    }
    return body;
}

upstream_request google_code_exchange_request(const config& cfg, std::string_view code,
                                              std::string_view verifier)
{
    const auto client = google_client(cfg);
    return form_post(cfg.google_token_url, form_encode({{"grant_type", "authorization_code"},
                                                        {"code", code},
                                                        {"redirect_uri", cfg.google_redirect_uri},
                                                        {"client_id", client.id},
                                                        {"client_secret", client.secret},
                                                        {"code_verifier", verifier}}));
}

upstream_request google_refresh_request(const config& cfg, std::string_view refresh_token)
{
    const auto client = google_client(cfg);
    return form_post(cfg.google_token_url, form_encode({{"grant_type", "refresh_token"},
                                                        {"refresh_token", refresh_token},
                                                        {"client_id", client.id},
                                                        {"client_secret", client.secret}}));
}

upstream_request google_revoke_request(const config& cfg, std::string_view token)
{
    return form_post(cfg.google_revoke_url, form_encode({{"token", token}}));
}

google_token_answer read_google_token_answer(const upstream_response& response)
{
    google_token_answer answer;
    answer.status = response.status;
    const auto body = gjson::parse(response.body, nullptr, false);
    if (!body.is_object()) {
        answer.error = response.ok() ? "malformed" : "http_" + std::to_string(response.status);
        return answer;
    }
    if (!response.ok()) {
        answer.error = json_string_member(body, "error");
        answer.description = json_string_member(body, "error_description");
        if (answer.error.empty())
            answer.error = "http_" + std::to_string(response.status);
        return answer;
    }
    google_tokens tokens{.access_token = json_string_member(body, "access_token"),
                         .expires_in = 0,
                         .refresh_token = json_string_member(body, "refresh_token"),
                         .scope = json_string_member(body, "scope"),
                         .token_type = json_string_member(body, "token_type")};
    if (const auto it = body.find("expires_in"); it != body.end() && it->is_number_integer())
        tokens.expires_in = it->get<std::int64_t>();
    if (tokens.access_token.empty() || tokens.expires_in <= 0) {
        answer.error = "malformed";
        answer.description = "the answer has no access_token or expires_in";
        return answer;
    }
    answer.tokens = std::move(tokens);
    return answer;
}

} // namespace donna::relay
