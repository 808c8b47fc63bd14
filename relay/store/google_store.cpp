// google_store.cpp: the google_connections and oauth_states tables.
#include "store/google_store.hpp"

namespace donna::relay {
namespace {

constexpr std::int64_t kept_after_use_seconds = 86400;

status done(const result<std::int64_t>& r)
{
    if (!r)
        return r.error();
    return ok();
}

} // namespace

status google_store::add_state(const oauth_state_row& row)
{
    return done(db_.run("INSERT INTO oauth_states(id, binding_hash, verifier_sealed, expires_at) "
                        "VALUES (?, ?, ?, ?)",
                        {row.id, row.binding_hash, row.verifier_sealed, row.expires_at}));
}

result<oauth_state_row> google_store::take_state(const std::string& id, std::int64_t now)
{
    oauth_state_row taken;
    std::optional<error> refused;
    auto settled = db_.transaction([&](sql_connection& sql) -> status {
        // Old flows go first: nobody can finish them, and a verifier is kept no longer than
        // it is needed.
        if (auto pruned = sql.run("DELETE FROM oauth_states WHERE (used_at > 0 AND used_at < ?) "
                                  "OR expires_at < ?",
                                  {now - kept_after_use_seconds, now - kept_after_use_seconds});
            !pruned)
            return pruned.error();
        auto rows = sql.query("SELECT id, binding_hash, verifier_sealed, expires_at, used_at "
                              "FROM oauth_states WHERE id = ?",
                              {id});
        if (!rows)
            return rows.error();
        if (rows->empty()) {
            refused = make_error(errc::not_found, "no OAuth flow has this state");
            return ok();
        }
        const auto& r = rows->front();
        if (integer_of(r[4]) != 0) {
            refused = make_error(errc::unauthorized, "this OAuth state was already used");
            return ok();
        }
        // Used now, expired or not: a state is never tried twice.
        if (auto used = sql.run("UPDATE oauth_states SET used_at = ? WHERE id = ?", {now, id});
            !used)
            return used.error();
        if (integer_of(r[3]) <= now) {
            refused = make_error(errc::token_expired, "this OAuth state has expired");
            return ok();
        }
        taken = {text_of(r[0]), text_of(r[1]), text_of(r[2]), integer_of(r[3])};
        return ok();
    });
    if (!settled)
        return settled.error();
    if (refused)
        return *refused;
    return taken;
}

status google_store::save_connection(const google_connection_row& row, std::int64_t now)
{
    return done(db_.run(
        "INSERT INTO google_connections(id, scopes, refresh_token_sealed, state, broken_reason, "
        "connected_at, updated_at) VALUES (1, ?, ?, 'connected', '', ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET scopes = excluded.scopes, "
        "refresh_token_sealed = excluded.refresh_token_sealed, state = 'connected', "
        "broken_reason = '', connected_at = excluded.connected_at, updated_at = "
        "excluded.updated_at",
        {row.scopes, row.refresh_token_sealed, now, now}));
}

result<std::optional<google_connection_row>> google_store::connection()
{
    auto rows = db_.query("SELECT scopes, refresh_token_sealed, state, broken_reason, "
                          "connected_at, updated_at FROM google_connections WHERE id = 1");
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<google_connection_row>{};
    const auto& r = rows->front();
    return std::optional<google_connection_row>(
        google_connection_row{text_of(r[0]), text_of(r[1]), text_of(r[2]), text_of(r[3]),
                              integer_of(r[4]), integer_of(r[5])});
}

status google_store::mark_broken(const std::string& reason, std::int64_t now)
{
    return done(db_.run("UPDATE google_connections SET state = 'broken', broken_reason = ?, "
                        "updated_at = ? WHERE id = 1",
                        {reason, now}));
}

status google_store::remove_connection()
{
    return done(db_.run("DELETE FROM google_connections WHERE id = 1"));
}

result<int> google_store::reseal(const data_keys& keys, int* unreadable)
{
    int resealed = 0;
    int refused = 0;
    auto settled = db_.transaction([&](sql_connection& sql) -> status {
        auto token = sql.query("SELECT refresh_token_sealed FROM google_connections WHERE id = 1");
        if (!token)
            return token.error();
        for (const auto& r : *token) {
            const auto sealed = text_of(r[0]);
            if (!keys.sealed_with_previous(sealed))
                continue;
            auto secret = keys.open(sealed, google_refresh_token_place);
            if (!secret) {
                ++refused;
                continue;
            }
            if (auto saved =
                    sql.run("UPDATE google_connections SET refresh_token_sealed = ? WHERE id = 1",
                            {keys.seal(*secret, google_refresh_token_place)});
                !saved)
                return saved.error();
            ++resealed;
        }
        auto states = sql.query("SELECT id, verifier_sealed FROM oauth_states WHERE used_at = 0");
        if (!states)
            return states.error();
        for (const auto& r : *states) {
            const auto id = text_of(r[0]);
            const auto sealed = text_of(r[1]);
            if (!keys.sealed_with_previous(sealed))
                continue;
            auto secret = keys.open(sealed, oauth_verifier_place(id));
            if (!secret) {
                ++refused;
                continue;
            }
            if (auto saved = sql.run("UPDATE oauth_states SET verifier_sealed = ? WHERE id = ?",
                                     {keys.seal(*secret, oauth_verifier_place(id)), id});
                !saved)
                return saved.error();
            ++resealed;
        }
        return ok();
    });
    if (!settled)
        return settled.error();
    if (unreadable != nullptr)
        *unreadable = refused;
    return resealed;
}

} // namespace donna::relay
