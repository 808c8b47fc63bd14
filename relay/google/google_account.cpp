// google_account.cpp: the consent flow, the shared refresh, the revocation.
#include "google/google_account.hpp"

#include "auth/random_id.hpp"
#include "auth/session_token.hpp"
#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "providers/google/google_oauth.hpp"
#include "providers/google/google_service_account.hpp"
#include "settings/settings_source.hpp"
#include "store/google_store.hpp"
#include "upstream/http_client.hpp"

#include <sodium.h>

#include <array>
#include <optional>

namespace donna::relay {
namespace {

// The signed state's token id: "google-oauth-<the flow's row id>". The session-token signer
// signs it (and its expiry); api/session_auth refuses such tokens as sessions.
constexpr std::string_view state_token_prefix = oauth_state_token_id_prefix;

std::string sha256_hex(std::string_view text)
{
    std::array<unsigned char, crypto_hash_sha256_BYTES> hash{};
    crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(text.data()),
                       text.size());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
    return {hex.data(), hash.size() * 2};
}

bool same_text(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

constexpr std::string_view reconnect_advice =
    "connect the Google account again (POST /v1/google/connect, then consent in the "
    "browser). Google refuses a refresh token that was revoked in the account's settings, that "
    "expired, or that a project still in \"Testing\" issued more than 7 days ago.";

} // namespace

struct google_account::state : std::enable_shared_from_this<google_account::state> {
    state(http_client& c, database& d, const settings_source& s, relay_metrics& m, logger& l)
        : client(c), db(d), settings(s), metrics(m), log(l)
    {}

    http_client& client;
    database& db;
    const settings_source& settings;
    relay_metrics& metrics;
    logger& log;

    mutable std::mutex mutex; // guards what follows
    std::string access_token;
    std::int64_t access_expires_at = 0;
    bool refreshing = false;
    std::vector<std::function<void(result<std::string>)>> waiting;
    // Why the credentials from the settings (GOOGLE_SERVICE_ACCOUNT_FILE, GMAIL_REFRESH_TOKEN)
    // no longer work ("" while they do): they are not stored, so neither is this.
    std::string environment_broken;
    std::uint64_t generation = 0; // +1 at each connect and disconnect: older refreshes lapse

    void count_refresh(std::string_view outcome)
    {
        metrics.registry
            .get_counter("donna_google_token_refreshes_total",
                         "Google access-token refreshes, by outcome",
                         {{"outcome", std::string(outcome)}})
            .inc();
    }

    // The credential in use and where it came from, or why there is none: a stored consent's
    // refresh token, the service account, or GMAIL_REFRESH_TOKEN, in that order.
    struct refresh_source {
        std::string token;
        bool stored = false;
        std::shared_ptr<const google_service_account> service_account = {};
    };
    result<refresh_source> refresh_token()
    {
        const auto live = settings.current();
        google_store store(db);
        auto row = store.connection();
        if (!row)
            return row.error();
        if (*row) {
            const auto& c = **row;
            if (c.state == "broken")
                return make_error(errc::unauthorized,
                                  "the Google connection is broken: " + c.broken_reason);
            auto token = live->keys.open(c.refresh_token_sealed, google_refresh_token_place);
            if (!token)
                return make_error(errc::unauthorized,
                                  "the stored Google refresh token cannot be opened (" +
                                      token.error().message + ")");
            return refresh_source{std::move(*token), true};
        }
        if (live->google_service || !live->cfg.gmail_refresh_token.empty()) {
            std::lock_guard lock(mutex);
            if (!environment_broken.empty())
                return make_error(errc::unauthorized,
                                  std::string(live->google_service ? "the service account"
                                                                   : "GMAIL_REFRESH_TOKEN") +
                                      " no longer works: " + environment_broken);
            if (live->google_service)
                return refresh_source{{}, false, live->google_service};
            return refresh_source{live->cfg.gmail_refresh_token, false};
        }
        return make_error(errc::not_found, "no Google account is connected");
    }

    void settle_waiting(const result<std::string>& outcome)
    {
        std::vector<std::function<void(result<std::string>)>> callers;
        {
            std::lock_guard lock(mutex);
            callers.swap(waiting);
            refreshing = false;
        }
        for (auto& caller : callers)
            caller(outcome);
    }

    void refresh()
    {
        auto source = refresh_token();
        if (!source)
            return settle_waiting(source.error());
        std::uint64_t started_in = 0;
        {
            std::lock_guard lock(mutex);
            started_in = generation;
        }
        const auto live = settings.current();
        auto request = google_refresh_request(live->cfg, source->token);
        if (source->service_account) {
            // A service account has no refresh token: a new signed assertion each time.
            auto assertion =
                google_service_account_assertion(*source->service_account, google_scopes(live->cfg),
                                                 live->cfg.google_token_url, unix_now());
            if (!assertion)
                return settle_waiting(assertion.error());
            request = google_jwt_grant_request(live->cfg, *assertion);
        }
        client.request("google", std::move(request),
                       [self = shared_from_this(), stored = source->stored,
                        started_in](const result<upstream_response>& response) {
                           self->on_refreshed(response, stored, started_in);
                       });
    }

    void on_refreshed(const result<upstream_response>& response, bool stored,
                      std::uint64_t started_in)
    {
        if (!response) {
            count_refresh("unreachable");
            return settle_waiting(response.error());
        }
        const auto answer = read_google_token_answer(*response);
        const auto now = unix_now();
        if (answer.tokens) {
            count_refresh("ok");
            {
                std::lock_guard lock(mutex);
                if (generation == started_in) {
                    access_token = answer.tokens->access_token;
                    access_expires_at = now + answer.tokens->expires_in;
                }
            }
            // Google may hand out a new refresh token: the old one may stop working.
            if (stored && !answer.tokens->refresh_token.empty())
                keep_refresh_token(answer.tokens->refresh_token, answer.tokens->scope, now);
            return settle_waiting(answer.tokens->access_token);
        }
        if (answer.invalid_grant()) {
            count_refresh("invalid_grant");
            const auto why =
                "Google refused the refresh token (invalid_grant" +
                (answer.description.empty() ? std::string() : ": " + answer.description) + ")";
            log.warn("google", why + "; " + std::string(reconnect_advice));
            if (stored) {
                google_store store(db);
                if (auto marked = store.mark_broken(why, now); !marked)
                    log.error("google", marked.error().message);
            } else {
                std::lock_guard lock(mutex);
                environment_broken = why;
            }
            {
                std::lock_guard lock(mutex);
                access_token.clear();
                access_expires_at = 0;
            }
            return settle_waiting(make_error(errc::unauthorized, why));
        }
        count_refresh("failed");
        settle_waiting(
            make_error(errc::upstream_unavailable,
                       "Google's token endpoint answered " + answer.error +
                           (answer.description.empty() ? "" : ": " + answer.description)));
    }

    void keep_refresh_token(const std::string& token, const std::string& scopes, std::int64_t now)
    {
        const auto live = settings.current();
        google_store store(db);
        if (auto saved = store.save_connection(
                {.scopes = scopes,
                 .refresh_token_sealed = live->keys.seal(token, google_refresh_token_place)},
                now);
            !saved)
            log.error("google", "the new refresh token was not kept: " + saved.error().message);
    }
};

google_account::google_account(http_client& client, database& db, const settings_source& settings,
                               relay_metrics& metrics, logger& log)
    : state_(std::make_shared<state>(client, db, settings, metrics, log))
{}

google_account::~google_account() = default;

google_connection_status google_account::connection_status() const
{
    google_connection_status out;
    google_store store(state_->db);
    auto row = store.connection();
    if (row && *row) {
        const auto& c = **row;
        out.state = c.state;
        out.source = "consent";
        out.scopes = c.scopes;
        out.connected_at = c.connected_at;
        out.broken_reason = c.broken_reason;
    } else if (const auto live = state_->settings.current();
               live->google_service || !live->cfg.gmail_refresh_token.empty()) {
        out.source = live->google_service ? "service_account" : "environment";
        if (live->google_service)
            out.scopes = google_scopes(live->cfg);
        std::lock_guard lock(state_->mutex);
        out.state = state_->environment_broken.empty() ? "connected" : "broken";
        out.broken_reason = state_->environment_broken;
    }
    if (out.state == "broken")
        out.what_to_do = std::string(reconnect_advice);
    else if (out.state == "not_connected")
        out.what_to_do = "connect a Google account: POST /v1/google/connect";
    return out;
}

result<consent_start> google_account::begin_consent(std::int64_t now)
{
    const auto live = state_->settings.current();
    const auto& cfg = live->cfg;
    const auto client = google_client(cfg);
    if (client.id.empty() || client.secret.empty() || cfg.google_redirect_uri.empty())
        return make_error(errc::upstream_unavailable,
                          "Google is not configured: set GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET "
                          "and GOOGLE_REDIRECT_URI (the relay's /v1/google/callback, as "
                          "registered in the Google Cloud project)");
    if (!live->keys.has_key())
        return make_error(errc::upstream_unavailable,
                          "DONNA_DATA_KEY is not set: the relay keeps Google's refresh token "
                          "only encrypted, under that key (openssl rand -base64 32)");
    const auto id = random_hex(16);
    const auto binding = random_hex(32);
    const auto verifier = new_pkce_verifier();
    const auto expires_at = now + consent_seconds;
    const auto signed_state = live->signer.issue({.site = {},
                                                  .persona = {},
                                                  .user_id = {},
                                                  .token_id = std::string(state_token_prefix) + id,
                                                  .issued_at = now,
                                                  .expires_at = expires_at});
    google_store store(state_->db);
    if (auto added =
            store.add_state({.id = id,
                             .binding_hash = sha256_hex(binding),
                             .verifier_sealed = live->keys.seal(verifier, oauth_verifier_place(id)),
                             .expires_at = expires_at});
        !added)
        return added.error();
    return consent_start{
        .url = google_consent_url(
            cfg, {.state = signed_state, .code_challenge = pkce_s256_challenge(verifier)}),
        .binding = binding,
        .expires_at = expires_at};
}

void google_account::finish_consent(const consent_return& back, std::int64_t now,
                                    std::function<void(const consent_outcome&)> done)
{
    const auto fail = [&done](consent_failure failure, std::string message) {
        done(consent_outcome{.failure = failure, .scopes = {}, .message = std::move(message)});
    };
    const auto live = state_->settings.current();
    auto claims = live->signer.verify(back.state, now);
    if (!claims)
        return fail(claims.error().code == errc::token_expired ? consent_failure::state_expired
                                                               : consent_failure::state_invalid,
                    "the consent's state is not one this relay signed, or it expired: start "
                    "again");
    if (!claims->token_id.starts_with(state_token_prefix))
        return fail(consent_failure::state_invalid, "the state is not an OAuth flow's");
    const auto id = claims->token_id.substr(state_token_prefix.size());
    google_store store(state_->db);
    auto flow = store.take_state(id, now);
    if (!flow) {
        if (flow.error().code == errc::io_error)
            return fail(consent_failure::storage, flow.error().message);
        return fail(flow.error().code == errc::token_expired ? consent_failure::state_expired
                                                             : consent_failure::state_invalid,
                    flow.error().message + ": start again");
    }
    if (back.binding.empty() || !same_text(sha256_hex(back.binding), flow->binding_hash))
        return fail(consent_failure::state_invalid,
                    "this consent was started in another browser (or its cookie was lost): "
                    "start again from this one");
    if (!back.error.empty())
        return fail(consent_failure::declined,
                    "Google says the account's owner did not consent (" + back.error + ")");
    if (back.code.empty())
        return fail(consent_failure::state_invalid, "Google's redirect carries no code");
    auto verifier = live->keys.open(flow->verifier_sealed, oauth_verifier_place(id));
    if (!verifier)
        return fail(consent_failure::state_invalid, "the consent's verifier cannot be opened (" +
                                                        verifier.error().message +
                                                        "): start again");
    state_->client.request(
        "google", google_code_exchange_request(live->cfg, back.code, *verifier),
        [self = state_, live, done = std::move(done)](result<upstream_response> response) {
            const auto fail_with = [&done](consent_failure failure, std::string message) {
                done(consent_outcome{
                    .failure = failure, .scopes = {}, .message = std::move(message)});
            };
            if (!response)
                return fail_with(consent_failure::google_unavailable, response.error().message);
            const auto answer = read_google_token_answer(*response);
            if (!answer.tokens) {
                const auto detail =
                    answer.error +
                    (answer.description.empty() ? std::string() : ": " + answer.description);
                if (answer.invalid_grant() || answer.error == "invalid_client")
                    return fail_with(consent_failure::code_refused,
                                     "Google refused the code (" + detail + ")");
                return fail_with(consent_failure::google_unavailable,
                                 "Google's token endpoint answered " + detail);
            }
            if (answer.tokens->refresh_token.empty())
                return fail_with(consent_failure::code_refused,
                                 "Google gave no refresh token: remove DONNA's access in the "
                                 "Google account's settings and connect again");
            const auto now_then = unix_now();
            google_store connections(self->db);
            if (auto saved = connections.save_connection(
                    {.scopes = answer.tokens->scope,
                     .refresh_token_sealed =
                         live->keys.seal(answer.tokens->refresh_token, google_refresh_token_place)},
                    now_then);
                !saved)
                return fail_with(consent_failure::storage, saved.error().message);
            {
                std::lock_guard lock(self->mutex);
                ++self->generation;
                self->access_token = answer.tokens->access_token;
                self->access_expires_at = now_then + answer.tokens->expires_in;
                self->environment_broken.clear();
            }
            self->log.info("google",
                           "a Google account is connected (" + answer.tokens->scope + ")");
            done(consent_outcome{
                .failure = consent_failure::none, .scopes = answer.tokens->scope, .message = {}});
        });
}

void google_account::access_token(std::function<void(result<std::string>)> done)
{
    const auto now = unix_now();
    {
        std::unique_lock lock(state_->mutex);
        if (!state_->access_token.empty() &&
            state_->access_expires_at - now > refresh_ahead_seconds) {
            auto token = state_->access_token;
            lock.unlock();
            return done(std::move(token));
        }
        state_->waiting.push_back(std::move(done));
        if (state_->refreshing)
            return; // the refresh under way answers this caller too
        state_->refreshing = true;
    }
    state_->refresh();
}

void google_account::disconnect(std::function<void(status)> done)
{
    auto source = state_->refresh_token();
    if (source && source->service_account)
        return done(make_error(errc::forbidden,
                               "a service account is not disconnected here: remove "
                               "GOOGLE_SERVICE_ACCOUNT_FILE, or disable its key in Google Cloud"));
    if (!source) {
        if (source.error().code == errc::not_found)
            return done(ok());
        // A broken connection: nothing to revoke that Google would take; forget it.
        google_store store(state_->db);
        return done(store.remove_connection());
    }
    const auto live = state_->settings.current();
    state_->client.request(
        "google", google_revoke_request(live->cfg, source->token),
        [self = state_, stored = source->stored,
         done = std::move(done)](result<upstream_response> response) {
            if (!response)
                return done(response.error());
            // 400 invalid_token: Google no longer knows it (revoked already): forgotten too.
            if (!response->ok() && response->status != 400)
                return done(make_error(errc::upstream_unavailable,
                                       "Google's revocation endpoint answered HTTP " +
                                           std::to_string(response->status)));
            {
                std::lock_guard lock(self->mutex);
                ++self->generation;
                self->access_token.clear();
                self->access_expires_at = 0;
                if (!stored)
                    self->environment_broken =
                        "revoked by DONNA's admin; remove GMAIL_REFRESH_TOKEN from the "
                        "environment";
            }
            self->log.info("google", "the Google account is disconnected (its token revoked)");
            if (!stored)
                return done(ok());
            google_store store(self->db);
            done(store.remove_connection());
        });
}

} // namespace donna::relay
