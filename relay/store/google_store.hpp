// google_store.hpp: the business's Google connection and the OAuth flows under way, in
// SQLite. Secrets (the refresh token, a flow's PKCE verifier) are kept sealed under the data
// key: this store takes and gives sealed text only, and re-seals it on a key rotation.
//
//   google_store store(db);
//   store.add_state({.id = id, .binding_hash = h, .verifier_sealed = v, .expires_at = t});
//   auto flow = store.take_state(id, now);        // once, before it expires
//   store.save_connection({.scopes = s, .refresh_token_sealed = r}, now);
//   store.mark_broken("Google refused the refresh token (invalid_grant)", now);
#pragma once

#include "auth/sealed_secret.hpp"
#include "core/error.hpp"
#include "store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace donna::relay {

struct oauth_state_row {
    std::string id;
    std::string binding_hash;
    std::string verifier_sealed;
    std::int64_t expires_at = 0;
};

struct google_connection_row {
    std::string scopes;
    std::string refresh_token_sealed;
    std::string state = "connected"; // connected | broken
    std::string broken_reason = {};
    std::int64_t connected_at = 0;
    std::int64_t updated_at = 0;
};

// Where each sealed value is kept: the associated data it is sealed with.
inline constexpr std::string_view google_refresh_token_place = "google_connections.refresh_token";
inline std::string oauth_verifier_place(const std::string& state_id)
{
    return "oauth_states.verifier:" + state_id;
}

class google_store {
public:
    explicit google_store(database& db) : db_(db) {}

    status add_state(const oauth_state_row& row);
    // The flow's row, marked used in the same statement, so a state is taken once however
    // many callbacks race. errc::not_found: no such state; errc::unauthorized: already used;
    // errc::token_expired: too late. Expired and used rows older than a day are removed.
    result<oauth_state_row> take_state(const std::string& id, std::int64_t now);

    // The connection, replacing any before it (connected, as of now).
    status save_connection(const google_connection_row& row, std::int64_t now);
    result<std::optional<google_connection_row>> connection();
    status mark_broken(const std::string& reason, std::int64_t now);
    status remove_connection();

    // Re-seals under the current key every value sealed under the previous one (a key
    // rotation); how many were re-sealed. A value that does not open is left as it is and
    // counted in `unreadable`.
    result<int> reseal(const data_keys& keys, int* unreadable = nullptr);

private:
    database& db_;
};

} // namespace donna::relay
