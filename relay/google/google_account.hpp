// google_account.hpp: the business's Google account: connecting it (OAuth2's web-server flow
// with PKCE, started by the admin and finished by Google's redirect to the relay), the access
// tokens every Google call needs (refreshed ahead of expiry, one refresh at a time however
// many callers wait), and disconnecting it (revoked at Google, then forgotten).
//
//   google_account google(client, db, settings, metrics, log);
//   auto consent = google.begin_consent(now);     // the URL for the admin's browser + a binding
//   google.finish_consent({code, state, binding}, now, done);   // Google's redirect came back
//   google.access_token([](result<std::string> token) { ... });   // "ya29...."
//   google.disconnect(done);
//
// Where the refresh token comes from: the connection stored by a consent (store/google_store,
// sealed under DONNA_DATA_KEY), else the seed's GMAIL_REFRESH_TOKEN (with GMAIL_CLIENT_ID and
// _SECRET), taken as an account connected already. A refresh Google refuses with
// invalid_grant (revoked, expired, a "Testing" project's seven days) breaks the connection:
// it says so on /readyz and GET /v1/admin/google until an admin connects again.
//
// Thread-safe: its state is behind a mutex; callbacks run on the HTTP client's strand, never
// under the lock.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace donna::relay {

class database;
class http_client;
class logger;
class settings_source;
struct relay_metrics;

// How long a consent may take, from the admin's click to Google's redirect back.
inline constexpr std::int64_t consent_seconds = 600;
// An access token is refreshed when it has less than this left.
inline constexpr std::int64_t refresh_ahead_seconds = 300;

struct google_connection_status {
    // not_connected | connected | broken; `source` says where the refresh token comes from:
    // "consent" (stored) or "environment" (GMAIL_REFRESH_TOKEN).
    std::string state = "not_connected";
    std::string source = {};
    std::string scopes = {};
    std::int64_t connected_at = 0;
    std::string broken_reason = {};
    std::string what_to_do = {}; // for anyone reading /readyz
};

struct consent_start {
    std::string url;     // Google's consent page, for the admin's browser
    std::string binding; // the cookie value that binds the flow to that browser
    std::int64_t expires_at = 0;
};

// How a consent ended: connected (the scopes granted), or why not.
enum class consent_failure {
    none,
    state_invalid,      // forged, replayed, someone else's (another browser), or no code
    state_expired,      // the consent took longer than consent_seconds
    declined,           // the account's owner said no (?error=access_denied)
    code_refused,       // Google refused the code (invalid_grant, invalid_client)
    google_unavailable, // Google did not answer, or not in its format
    storage,            // the connection could not be stored
};
struct consent_outcome {
    consent_failure failure = consent_failure::none;
    std::string scopes = {};  // when connected
    std::string message = {}; // when not: why, for the person in the browser
};

struct consent_return {
    std::string code;    // ?code= (empty when Google sent ?error=)
    std::string state;   // ?state=
    std::string error;   // ?error= (access_denied: the admin said no)
    std::string binding; // the binding cookie the browser sent back
};

class google_account {
public:
    google_account(http_client& client, database& db, const settings_source& settings,
                   relay_metrics& metrics, logger& log);
    ~google_account();
    google_account(const google_account&) = delete;
    google_account& operator=(const google_account&) = delete;

    google_connection_status connection_status() const;

    // A new consent: its state signed and stored (single use, consent_seconds), the PKCE
    // verifier sealed. errc::upstream_unavailable naming what is missing when the Google
    // client (id, secret, GOOGLE_REDIRECT_URI) or DONNA_DATA_KEY is not set.
    result<consent_start> begin_consent(std::int64_t now);

    // Google's redirect back: the state checked (signature, this browser's binding, unused,
    // in time), the code exchanged, the refresh token sealed and stored.
    void finish_consent(const consent_return& back, std::int64_t now,
                        std::function<void(const consent_outcome&)> done);

    // A valid access token: the one held while it has refresh_ahead_seconds left, else a
    // refresh (callers arriving meanwhile wait for the same one). errc::not_found: no account
    // is connected; errc::unauthorized: the connection is broken (invalid_grant).
    void access_token(std::function<void(result<std::string>)> done);

    // Revokes the refresh token at Google and forgets the connection. Google not answering
    // is an error and the connection is kept (so that the revocation can be tried again);
    // a token Google no longer knows is forgotten all the same.
    void disconnect(std::function<void(status)> done);

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace donna::relay
