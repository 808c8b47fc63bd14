// memory_store.cpp: memories and audit lines in SQLite.
#include "store/memory_store.hpp"

#include "core/token_estimate.hpp"

namespace donna::relay {

result<memory_item> memory_store::add(const std::string& site, const std::string& user,
                                      const std::string& kind, const std::string& text,
                                      std::int64_t now_unix)
{
    if (kind != "fact" && kind != "preference")
        return make_error(errc::invalid_argument, "\"kind\" must be \"fact\" or \"preference\"");
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return make_error(errc::invalid_argument, "\"text\" is empty");
    if (text.size() > max_text)
        return make_error(errc::invalid_argument,
                          "\"text\" is over " + std::to_string(max_text) + " bytes");
    auto count =
        db_.query("SELECT COUNT(*) FROM memories WHERE site = ? AND user_id = ?", {site, user});
    if (!count)
        return count.error();
    if (!count->empty() &&
        integer_of((*count)[0][0]) >= static_cast<std::int64_t>(max_items_per_user))
        return make_error(errc::rate_limited, "this user already has " +
                                                  std::to_string(max_items_per_user) +
                                                  " memories; erase some first");
    auto id = db_.insert(
        "INSERT INTO memories(user_id, site, kind, text, created_at) VALUES (?, ?, ?, ?, ?)",
        {user, site, kind, text, now_unix});
    if (!id)
        return id.error();
    return memory_item{*id, kind, text, now_unix};
}

result<std::vector<memory_item>> memory_store::list(const std::string& site,
                                                    const std::string& user)
{
    auto rows = db_.query("SELECT id, kind, text, created_at FROM memories WHERE site = ? AND "
                          "user_id = ? ORDER BY id DESC",
                          {site, user});
    if (!rows)
        return rows.error();
    std::vector<memory_item> items;
    for (const auto& r : *rows)
        items.push_back({integer_of(r[0]), text_of(r[1]), text_of(r[2]), integer_of(r[3])});
    return items;
}

result<std::int64_t> memory_store::erase_all(const std::string& site, const std::string& user)
{
    return db_.run("DELETE FROM memories WHERE site = ? AND user_id = ?", {site, user});
}

result<std::int64_t> memory_store::erase(const std::string& site, const std::string& user,
                                         std::int64_t id)
{
    return db_.run("DELETE FROM memories WHERE site = ? AND user_id = ? AND id = ?",
                   {site, user, id});
}

status memory_store::link_phone(const std::string& site, const std::string& phone,
                                const std::string& user, std::int64_t now_unix)
{
    auto done = db_.run("INSERT INTO known_callers(site, phone, user_id, updated_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT(site, phone) DO UPDATE SET "
                        "user_id = excluded.user_id, updated_at = excluded.updated_at",
                        {site, phone, user, now_unix});
    if (!done)
        return done.error();
    return ok();
}

result<std::string> memory_store::user_by_phone(const std::string& site, const std::string& phone)
{
    auto rows =
        db_.query("SELECT user_id FROM known_callers WHERE site = ? AND phone = ?", {site, phone});
    if (!rows)
        return rows.error();
    return rows->empty() ? std::string() : text_of(rows->front()[0]);
}

std::string memory_store::prompt(const std::string& site, const std::string& user,
                                 std::size_t token_budget)
{
    const auto items = list(site, user);
    if (!items || items->empty())
        return {};
    std::string header = "What you remember about this user from earlier conversations:";
    std::string lines;
    std::size_t used = estimate_tokens(header);
    for (const auto& item : *items) {
        const std::string line =
            "\n- " + std::string(item.kind == "preference" ? "Preference: " : "") + item.text;
        const auto cost = estimate_tokens(line);
        if (used + cost > token_budget)
            break;
        used += cost;
        lines += line;
    }
    return lines.empty() ? std::string() : header + lines;
}

status audit(database& db, std::int64_t now_unix, const std::string& category,
             const std::string& site, const std::string& subject, const std::string& detail)
{
    auto written =
        db.run("INSERT INTO audit_log(at, category, site, subject, detail) VALUES (?, ?, ?, ?, ?)",
               {now_unix, category, site, subject, detail});
    if (!written)
        return written.error();
    return ok();
}

} // namespace donna::relay
