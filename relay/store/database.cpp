// database.cpp: opening, the schema, and statements with bound parameters.
#include "store/database.hpp"

#include <sqlite3.h>

#include <array>

namespace donna::relay {
namespace {

// Each statement is idempotent, so opening an existing database is safe.
constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,            -- unix seconds
    category TEXT NOT NULL,         -- "moderation", "memory", ...
    site TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '', -- a user or conversation id, never a secret
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS memories (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    site TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('fact', 'preference')),
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS memories_by_user ON memories(site, user_id, id);
-- Whose phone is whose (store/memory_store): set by the business's server when it asks for a
-- signed-in user's token with their number; a call from it gets that user's memories when
-- the site trusts caller id.
CREATE TABLE IF NOT EXISTS known_callers (
    site TEXT NOT NULL,
    phone TEXT NOT NULL,
    user_id TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (site, phone)
);
-- The chat's actions (store/action_store): messages and callback requests for the staff ...
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('take_message', 'request_callback')),
    conversation TEXT NOT NULL DEFAULT '', -- the session token's id, never the token
    fields TEXT NOT NULL,                  -- the validated arguments, a JSON object
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_site ON messages(site, id);
-- ... and emails and text messages waiting for their sender (SMTP, Telnyx).
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    conversation TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL,               -- an email address or an E.164 number
    payload TEXT NOT NULL,                 -- JSON: {"subject","body"} or {"body"}
    status TEXT NOT NULL DEFAULT 'queued', -- queued | sending | sent | failed (the senders')
    attempts INTEGER NOT NULL DEFAULT 0,   -- delivery attempts so far
    created_at INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',   -- why the last attempt did not deliver
    sent_at INTEGER NOT NULL DEFAULT 0,    -- unix seconds the server took it; 0 until then
    updated_at INTEGER NOT NULL DEFAULT 0,
    audience TEXT NOT NULL DEFAULT 'visitor', -- visitor | staff (the daily caps count visitors)
    provider_id TEXT NOT NULL DEFAULT ''     -- the provider's id for what it took (a Telnyx message)
);
CREATE INDEX IF NOT EXISTS outbox_by_site ON outbox(site, id);
CREATE INDEX IF NOT EXISTS outbox_by_status ON outbox(status, id);
-- Delivery reports of text messages (message.sent, message.finalized), by the provider's
-- message id: kept apart from the outbox row, so that a report that comes before the sender
-- has written the id down is not lost; the latest report by occurred_at wins.
CREATE TABLE IF NOT EXISTS message_deliveries (
    provider TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL,                 -- the first recipient's: queued ... delivered
    recipients TEXT NOT NULL DEFAULT '[]',-- JSON [{"phone_number","status"}]
    errors TEXT NOT NULL DEFAULT '[]',    -- JSON [{"code","title","detail"}]
    occurred_at_ms INTEGER NOT NULL,      -- the report's time: an older one never wins
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (provider, message_id)
);
CREATE INDEX IF NOT EXISTS message_deliveries_by_id ON message_deliveries(message_id);
-- Phone calls (store/call_store): dialed by the admin or come in, kept from the provider's
-- events; the status comes from the latest event by occurred_at, and `ended` is final.
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL DEFAULT '',
    direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    from_number TEXT NOT NULL DEFAULT '',
    to_number TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,                 -- dialing | initiated | answered | bridged | ended | failed
    call_control_id TEXT NOT NULL DEFAULT '',
    call_leg_id TEXT NOT NULL DEFAULT '',
    call_session_id TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,          -- unix seconds
    answered_at_ms INTEGER NOT NULL DEFAULT 0,
    ended_at_ms INTEGER NOT NULL DEFAULT 0,
    hangup_cause TEXT NOT NULL DEFAULT '',
    hangup_source TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',       -- why a dial failed
    cost TEXT NOT NULL DEFAULT '',        -- JSON from call.cost
    status_at_ms INTEGER NOT NULL DEFAULT 0 -- when the event behind the status occurred
);
-- Not partial: a lookup "call_control_id = ?" cannot use an index "WHERE call_control_id != ''"
-- (SQLite cannot tell the bound value is not empty), and every event looks its call up.
CREATE INDEX IF NOT EXISTS calls_by_control_id ON calls(call_control_id);
CREATE INDEX IF NOT EXISTS calls_by_leg_id ON calls(call_leg_id);
CREATE INDEX IF NOT EXISTS calls_by_session_id ON calls(call_session_id);
CREATE INDEX IF NOT EXISTS calls_by_from ON calls(from_number, id);
CREATE INDEX IF NOT EXISTS calls_by_to ON calls(to_number, id);
-- Each call's timeline: one row per provider event, in the order they occurred.
CREATE TABLE IF NOT EXISTS call_events (
    call_id INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    occurred_at_ms INTEGER NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',   -- JSON: what the event says (hangup cause, recording URLs...)
    PRIMARY KEY (call_id, event_id)
);
-- Numbers that texted STOP (and not START since): never texted again.
CREATE TABLE IF NOT EXISTS sms_opt_outs (
    number TEXT PRIMARY KEY,              -- E.164
    keyword TEXT NOT NULL,                -- what they sent: STOP, UNSUBSCRIBE...
    at INTEGER NOT NULL                   -- unix seconds
);
-- Text conversations with DONNA, a thread per site and number, both directions.
CREATE TABLE IF NOT EXISTS sms_messages (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    number TEXT NOT NULL,                 -- the other side's E.164 number
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    body TEXT NOT NULL,
    media TEXT NOT NULL DEFAULT '[]',     -- JSON array of media URLs
    provider_id TEXT NOT NULL DEFAULT '', -- inbound: the provider's message id
    outbox_id INTEGER NOT NULL DEFAULT 0, -- outbound: the outbox row that sends it
    in_reply_to INTEGER NOT NULL DEFAULT 0, -- outbound: the inbound message it answers
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sms_messages_by_thread ON sms_messages(site, number, id);
CREATE UNIQUE INDEX IF NOT EXISTS sms_messages_by_provider_id ON sms_messages(provider_id)
    WHERE provider_id != '';
CREATE INDEX IF NOT EXISTS sms_messages_by_reply ON sms_messages(in_reply_to);
-- Webhook events as received (store/webhook_store), stored before they are answered, once
-- per provider and event id however often the provider resends one.
CREATE TABLE IF NOT EXISTS webhook_events (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,               -- 'telnyx'
    event_id TEXT NOT NULL,               -- the provider's id for the event
    event_type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,            -- as sent
    occurred_at_ms INTEGER NOT NULL,      -- unix ms: the order of events that arrive out of order
    received_at INTEGER NOT NULL,         -- unix seconds
    body TEXT NOT NULL,                   -- the raw body, as signed
    UNIQUE (provider, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_events_by_time ON webhook_events(provider, occurred_at_ms);
-- Stored events forwarded to the fanout endpoints (store/fanout_store): one row per endpoint
-- and event, ordered within a stream (a call, a message) by occurred_at.
CREATE TABLE IF NOT EXISTS fanout_deliveries (
    id INTEGER PRIMARY KEY,
    endpoint TEXT NOT NULL,               -- the fanout file's endpoint id
    webhook_id INTEGER NOT NULL,          -- webhook_events.id
    stream TEXT NOT NULL,                 -- what orders deliveries: call:<session>, message:<id>
    occurred_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    replays INTEGER NOT NULL DEFAULT 0,   -- times the admin sent it again after it died
    created_at_ms INTEGER NOT NULL,
    delivered_at_ms INTEGER NOT NULL DEFAULT 0,
    UNIQUE (endpoint, webhook_id)
);
CREATE INDEX IF NOT EXISTS fanout_by_stream
    ON fanout_deliveries(endpoint, stream, state, occurred_at_ms);
CREATE INDEX IF NOT EXISTS fanout_by_state ON fanout_deliveries(state, endpoint, id);
CREATE INDEX IF NOT EXISTS fanout_by_age ON fanout_deliveries(endpoint, state, created_at_ms);
-- Work the relay owes someone, run by jobs/job_runner (store/job_store).
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                    -- which handler runs it: 'outbox.email', ...
    idempotency_key TEXT NOT NULL UNIQUE,  -- one job per key, e.g. 'outbox:42'
    payload TEXT NOT NULL DEFAULT '',      -- JSON for the handler
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,   -- claims so far
    max_attempts INTEGER NOT NULL,
    run_after INTEGER NOT NULL,            -- unix ms: not before
    lease_until INTEGER NOT NULL DEFAULT 0,-- unix ms: a running job's claim lapses then
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs(state, run_after);
-- The business's Google account (store/google_store): one, its refresh token sealed under
-- DONNA_DATA_KEY (auth/sealed_secret), never in plain text.
CREATE TABLE IF NOT EXISTS google_connections (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    scopes TEXT NOT NULL,                  -- as Google granted them, space-separated
    refresh_token_sealed TEXT NOT NULL,    -- 'ds1.<key id>.<...>'
    state TEXT NOT NULL DEFAULT 'connected' CHECK (state IN ('connected', 'broken')),
    broken_reason TEXT NOT NULL DEFAULT '',
    connected_at INTEGER NOT NULL,         -- unix seconds
    updated_at INTEGER NOT NULL
);
-- OAuth flows under way: each state is used once, before it expires, by the browser that
-- started it (binding_hash: the SHA-256 of the cookie that browser was given).
CREATE TABLE IF NOT EXISTS oauth_states (
    id TEXT PRIMARY KEY,                   -- 128 random bits, hex
    binding_hash TEXT NOT NULL,
    verifier_sealed TEXT NOT NULL,         -- the PKCE verifier, sealed
    expires_at INTEGER NOT NULL,           -- unix seconds
    used_at INTEGER NOT NULL DEFAULT 0
);
)sql";

// Columns added after their table was first released: CREATE TABLE IF NOT EXISTS leaves a
// database made by an older relay as it was, so each is added where it is missing (SQLite's
// ADD COLUMN needs a constant default, which each has).
struct added_column {
    const char* table;
    const char* column;
    const char* definition;
};
constexpr std::array added_columns{
    added_column{"outbox", "last_error", "last_error TEXT NOT NULL DEFAULT ''"},
    added_column{"outbox", "sent_at", "sent_at INTEGER NOT NULL DEFAULT 0"},
    added_column{"outbox", "updated_at", "updated_at INTEGER NOT NULL DEFAULT 0"},
    added_column{"outbox", "audience", "audience TEXT NOT NULL DEFAULT 'visitor'"},
    added_column{"outbox", "provider_id", "provider_id TEXT NOT NULL DEFAULT ''"},
};

error sqlite_error(sqlite3* db, const std::string& what)
{
    return make_error(errc::io_error, what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// One use of a kept statement: bound, stepped, then reset for its next use.
class statement {
public:
    statement(sql_connection& sql, sqlite3* db, const std::string& sql_text)
        : db_(db), stmt_(sql.prepared(sql_text))
    {
        ok_ = stmt_ != nullptr;
    }
    ~statement()
    {
        if (stmt_ != nullptr) {
            sqlite3_reset(stmt_);
            sqlite3_clear_bindings(stmt_);
        }
    }
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    status bind(const std::vector<sql_value>& params)
    {
        if (!ok_)
            return sqlite_error(db_, "preparing a statement failed");
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int index = static_cast<int>(i + 1);
            int rc = SQLITE_OK;
            if (const auto* n = std::get_if<std::int64_t>(&params[i]))
                rc = sqlite3_bind_int64(stmt_, index, *n);
            else if (const auto* d = std::get_if<double>(&params[i]))
                rc = sqlite3_bind_double(stmt_, index, *d);
            else if (const auto* s = std::get_if<std::string>(&params[i]))
                rc = sqlite3_bind_text(stmt_, index, s->data(), static_cast<int>(s->size()),
                                       SQLITE_TRANSIENT);
            else
                rc = sqlite3_bind_null(stmt_, index);
            if (rc != SQLITE_OK)
                return sqlite_error(db_, "binding a parameter failed");
        }
        return ok();
    }

    sqlite3_stmt* get() { return stmt_; }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    bool ok_ = false;
};

} // namespace

database::database(sqlite3* handle, std::string path)
    : db_(handle), sql_(handle), path_(std::move(path))
{}

database::~database()
{
    sql_.close_statements();
    sqlite3_close(db_);
}

// Kept up to this many statements; the relay's own SQL is far fewer (texts built with a
// varying number of placeholders included).
constexpr std::size_t max_kept_statements = 256;

sqlite3_stmt* sql_connection::prepared(const std::string& sql)
{
    if (const auto it = statements_.find(sql); it != statements_.end())
        return it->second;
    if (statements_.size() >= max_kept_statements)
        close_statements();
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return nullptr;
    }
    statements_.emplace(sql, stmt);
    return stmt;
}

void sql_connection::close_statements()
{
    for (auto& [text, stmt] : statements_)
        sqlite3_finalize(stmt);
    statements_.clear();
}

result<std::unique_ptr<database>> database::open(const std::string& path)
{
    sqlite3* handle = nullptr;
    const int rc = sqlite3_open_v2(
        path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
        nullptr);
    if (rc != SQLITE_OK) {
        auto e = sqlite_error(handle, "DONNA_DATABASE: cannot open " + path);
        sqlite3_close(handle);
        return e;
    }
    auto db = std::make_unique<database>(handle, path);
    sqlite3_busy_timeout(handle, 5000);
    char* message = nullptr;
    const std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                          "PRAGMA foreign_keys=ON;") +
                              schema;
    if (sqlite3_exec(handle, setup.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string why = message ? message : "unknown error";
        sqlite3_free(message);
        return make_error(errc::io_error, "DONNA_DATABASE: " + path + ": " + why);
    }
    for (const auto& added : added_columns) {
        auto present = db->query("SELECT 1 FROM pragma_table_info(?) WHERE name = ?",
                                 {std::string(added.table), std::string(added.column)});
        if (!present)
            return make_error(errc::io_error,
                              "DONNA_DATABASE: " + path + ": " + present.error().message);
        if (!present->empty())
            continue;
        auto altered =
            db->run(std::string("ALTER TABLE ") + added.table + " ADD COLUMN " + added.definition);
        if (!altered)
            return make_error(errc::io_error,
                              "DONNA_DATABASE: " + path + ": " + altered.error().message);
    }
    return db;
}

result<std::int64_t> database::run(const std::string& sql, const std::vector<sql_value>& params)
{
    const std::lock_guard lock(mutex_);
    return sql_.run(sql, params);
}

result<std::vector<sql_row>> database::query(const std::string& sql,
                                             const std::vector<sql_value>& params)
{
    const std::lock_guard lock(mutex_);
    return sql_.query(sql, params);
}

result<std::int64_t> database::insert(const std::string& sql, const std::vector<sql_value>& params)
{
    const std::lock_guard lock(mutex_);
    return sql_.insert(sql, params);
}

status database::transaction(const std::function<status(sql_connection&)>& work)
{
    const std::lock_guard lock(mutex_);
    if (auto begun = sql_.run("BEGIN IMMEDIATE"); !begun)
        return begun.error();
    status done = ok();
    try {
        done = work(sql_);
    } catch (const std::exception& e) {
        done = make_error(errc::io_error, std::string("a transaction's work threw: ") + e.what());
    }
    if (done) {
        if (auto committed = sql_.run("COMMIT"); committed)
            return ok();
        else
            done = committed.error();
    }
    (void)sql_.run("ROLLBACK");
    return done;
}

result<std::int64_t> sql_connection::run(const std::string& sql,
                                         const std::vector<sql_value>& params)
{
    statement s(*this, db_, sql);
    if (auto bound = s.bind(params); !bound)
        return bound.error();
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sqlite_error(db_, "a database write failed");
    return static_cast<std::int64_t>(sqlite3_changes(db_));
}

result<std::vector<sql_row>> sql_connection::query(const std::string& sql,
                                                   const std::vector<sql_value>& params)
{
    statement s(*this, db_, sql);
    if (auto bound = s.bind(params); !bound)
        return bound.error();
    std::vector<sql_row> rows;
    for (;;) {
        const int rc = sqlite3_step(s.get());
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW)
            return sqlite_error(db_, "a database read failed");
        const int columns = sqlite3_column_count(s.get());
        sql_row row;
        for (int c = 0; c < columns; ++c) {
            switch (sqlite3_column_type(s.get(), c)) {
            case SQLITE_INTEGER:
                row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(s.get(), c)));
                break;
            case SQLITE_FLOAT:
                row.emplace_back(sqlite3_column_double(s.get(), c));
                break;
            case SQLITE_NULL:
                row.emplace_back(nullptr);
                break;
            default: {
                const auto* text = sqlite3_column_text(s.get(), c);
                const int size = sqlite3_column_bytes(s.get(), c);
                row.emplace_back(std::string(reinterpret_cast<const char*>(text),
                                             static_cast<std::size_t>(size)));
            }
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

result<std::int64_t> sql_connection::insert(const std::string& sql,
                                            const std::vector<sql_value>& params)
{
    statement s(*this, db_, sql);
    if (auto bound = s.bind(params); !bound)
        return bound.error();
    if (sqlite3_step(s.get()) != SQLITE_DONE)
        return sqlite_error(db_, "a database write failed");
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

std::string text_of(const sql_value& v)
{
    if (const auto* s = std::get_if<std::string>(&v))
        return *s;
    if (const auto* n = std::get_if<std::int64_t>(&v))
        return std::to_string(*n);
    return {};
}

std::int64_t integer_of(const sql_value& v)
{
    if (const auto* n = std::get_if<std::int64_t>(&v))
        return *n;
    return 0;
}

} // namespace donna::relay
