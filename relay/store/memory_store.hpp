// memory_store.hpp: what DONNA remembers about an authenticated user (a user id in the signed
// session token): facts ("works at Acme") and preferences ("prefers email"), per site, in the
// relay's SQLite database. The user sees and erases them (GET / DELETE /v1/memory); the chat
// adds the newest to its system prompt within a token budget.
//
//   memory_store memories(db);
//   memories.add("acme", "user-7", "preference", "Prefers to be called in the morning", now);
//   auto prompt = memories.prompt("acme", "user-7", 500);
//   memories.erase_all("acme", "user-7");
#pragma once

#include "core/error.hpp"
#include "store/database.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace donna::relay {

struct memory_item {
    std::int64_t id = 0;
    std::string kind; // "fact" | "preference"
    std::string text;
    std::int64_t created_at = 0; // unix seconds
};

class memory_store {
public:
    static constexpr std::size_t max_text = 500; // characters per item
    static constexpr std::size_t max_items_per_user = 200;

    explicit memory_store(database& db) : db_(db) {}

    // Errors: invalid_argument (kind not fact/preference, empty or overlong text),
    // rate_limited (the user already has max_items_per_user), io_error.
    result<memory_item> add(const std::string& site, const std::string& user,
                            const std::string& kind, const std::string& text,
                            std::int64_t now_unix);
    // Newest first.
    result<std::vector<memory_item>> list(const std::string& site, const std::string& user);
    // How many were erased.
    result<std::int64_t> erase_all(const std::string& site, const std::string& user);
    result<std::int64_t> erase(const std::string& site, const std::string& user, std::int64_t id);

    // The user a phone number belongs to on a site (the business's server said so: POST
    // /v1/session with user_id and phone); a later link of the same number replaces it.
    status link_phone(const std::string& site, const std::string& phone, const std::string& user,
                      std::int64_t now_unix);
    // "" when the number is nobody's.
    result<std::string> user_by_phone(const std::string& site, const std::string& phone);

    // The system-prompt paragraph: the newest items that fit `token_budget` (estimated), or ""
    // when there are none.
    std::string prompt(const std::string& site, const std::string& user, std::size_t token_budget);

private:
    database& db_;
};

// One line in the audit log (store/database's audit_log table); failures are returned, and a
// caller that cannot write its audit line says so in the log.
status audit(database& db, std::int64_t now_unix, const std::string& category,
             const std::string& site, const std::string& subject, const std::string& detail);

} // namespace donna::relay
