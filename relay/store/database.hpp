// database.hpp: the relay's one SQLite database (DONNA_DATABASE, default ./donna.db): an
// embedded file in WAL mode, so readers never wait for the writer and a crash loses no
// committed row. One connection behind a mutex: the relay's writes are small and rare next to
// its network work, and SQLite serialises writers anyway.
//
//   auto db = database::open("donna.db");            // creates the tables it needs
//   db->run("INSERT INTO audit_log(at, category, site, detail) VALUES (?,?,?,?)",
//           {now, "moderation", "acme", "categories violence"});
//   auto rows = db->query("SELECT id, text FROM memories WHERE user_id = ?", {user});
//   db->transaction([&](sql_connection& sql) -> status {   // all or nothing
//       ...sql.insert(...), sql.run(...)...
//       return ok();                                         // an error rolls back
//   });
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace donna::relay {

using sql_value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;
using sql_row = std::vector<sql_value>;

// Statements on the one connection, for a caller that holds its lock (database's own
// members, and the work of a transaction).
class sql_connection {
public:
    explicit sql_connection(sqlite3* handle) : db_(handle) {}
    // One statement with its parameters bound in order; the number of rows it changed.
    result<std::int64_t> run(const std::string& sql, const std::vector<sql_value>& params = {});
    // One statement's result rows (a SELECT, or a write with RETURNING).
    result<std::vector<sql_row>> query(const std::string& sql,
                                       const std::vector<sql_value>& params = {});
    // An INSERT; the new row's id.
    result<std::int64_t> insert(const std::string& sql, const std::vector<sql_value>& params);

    // Finalizes the statements kept for reuse (before the connection closes).
    void close_statements();

    // The prepared statement of `sql`, kept for the next use (the relay runs the same few
    // dozen statements over and over: parsing and planning each every time cost more than
    // running it); nullptr when SQLite refuses the text.
    sqlite3_stmt* prepared(const std::string& sql);

private:
    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

class database {
public:
    // ":memory:" for a private in-memory database (tests). Errors name the path.
    static result<std::unique_ptr<database>> open(const std::string& path);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    // One statement with its parameters bound in order; the number of rows it changed.
    result<std::int64_t> run(const std::string& sql, const std::vector<sql_value>& params = {});
    // One statement's result rows.
    result<std::vector<sql_row>> query(const std::string& sql,
                                       const std::vector<sql_value>& params = {});
    // An INSERT; the new row's id (read under the same lock, so it is this row's).
    result<std::int64_t> insert(const std::string& sql, const std::vector<sql_value>& params);
    // `work` inside BEGIN IMMEDIATE ... COMMIT, the lock held throughout, so no other
    // statement interleaves; an error from `work` (or from COMMIT) rolls everything back.
    status transaction(const std::function<status(sql_connection&)>& work);
    const std::string& path() const { return path_; }

    explicit database(sqlite3* handle, std::string path);

private:
    std::mutex mutex_;
    sqlite3* db_;
    sql_connection sql_;
    std::string path_;
};

// Helpers for reading rows.
std::string text_of(const sql_value& v);
std::int64_t integer_of(const sql_value& v);

} // namespace donna::relay
