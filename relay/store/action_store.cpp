// action_store.cpp: staff messages and the outbox in SQLite.
#include "store/action_store.hpp"

#include "store/job_store.hpp"

#include <algorithm>
#include <chrono>

namespace donna::relay {
namespace {

std::int64_t bounded(std::size_t limit)
{
    return static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, action_store::max_list));
}

// An UPDATE's outcome as a status.
status settled(const result<std::int64_t>& changed)
{
    if (!changed)
        return changed.error();
    return ok();
}

} // namespace

// A new row is always queued with no attempts: the senders own those columns.
result<std::int64_t> enqueue_outbox_in(sql_connection& sql, const outbox_item& item)
{
    if (item.channel != "email" && item.channel != "sms")
        return make_error(errc::invalid_argument, "an outbox item's channel is email or sms");
    if (item.audience != "visitor" && item.audience != "staff")
        return make_error(errc::invalid_argument, "an outbox item's audience is visitor or staff");
    auto row = sql.insert("INSERT INTO outbox(site, channel, conversation, recipient, payload, "
                          "status, attempts, created_at, audience) "
                          "VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?)",
                          {item.site, item.channel, item.conversation, item.recipient, item.payload,
                           item.created_at, item.audience});
    if (!row)
        return row.error();
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    auto queued = enqueue_job(sql,
                              {.kind = "outbox." + item.channel,
                               .idempotency_key = "outbox:" + std::to_string(*row),
                               .payload = R"({"outbox_id":)" + std::to_string(*row) + "}"},
                              now_ms);
    if (!queued)
        return queued.error();
    return *row;
}

namespace {

// The outbox columns every read selects, in outbox_of's order.
constexpr std::string_view outbox_columns =
    "SELECT id, site, channel, conversation, recipient, payload, status, attempts, created_at, "
    "last_error, sent_at, audience, provider_id";

outbox_item outbox_of(const sql_row& r)
{
    return {integer_of(r[0]),  text_of(r[1]),  text_of(r[2]),    text_of(r[3]),    text_of(r[4]),
            text_of(r[5]),     text_of(r[6]),  integer_of(r[7]), integer_of(r[8]), text_of(r[9]),
            integer_of(r[10]), text_of(r[11]), text_of(r[12])};
}

} // namespace

result<std::int64_t> action_store::record_message(const staff_message& message)
{
    if (message.kind != "take_message" && message.kind != "request_callback")
        return make_error(errc::invalid_argument,
                          "a staff message's kind is take_message or request_callback");
    return db_.insert(
        "INSERT INTO messages(site, kind, conversation, fields, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        {message.site, message.kind, message.conversation, message.fields, message.created_at});
}

result<std::int64_t> action_store::enqueue(const outbox_item& item)
{
    std::int64_t id = 0;
    auto stored = db_.transaction([&](sql_connection& sql) -> status {
        auto row = enqueue_outbox_in(sql, item);
        if (!row)
            return row.error();
        id = *row;
        return ok();
    });
    if (!stored)
        return stored.error();
    return id;
}

result<std::int64_t> action_store::record_message(const staff_message& message,
                                                  const follow_ups& then)
{
    if (message.kind != "take_message" && message.kind != "request_callback")
        return make_error(errc::invalid_argument,
                          "a staff message's kind is take_message or request_callback");
    std::int64_t id = 0;
    auto stored = db_.transaction([&](sql_connection& sql) -> status {
        auto row = sql.insert(
            "INSERT INTO messages(site, kind, conversation, fields, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            {message.site, message.kind, message.conversation, message.fields, message.created_at});
        if (!row)
            return row.error();
        id = *row;
        if (then)
            for (const auto& item : then(id))
                if (auto queued = enqueue_outbox_in(sql, item); !queued)
                    return queued.error();
        return ok();
    });
    if (!stored)
        return stored.error();
    return id;
}

result<std::vector<std::string>> action_store::recipients_of(const std::string& conversation,
                                                             const std::string& channel)
{
    auto rows = db_.query("SELECT DISTINCT recipient FROM outbox WHERE conversation = ? AND "
                          "channel = ? AND audience = 'visitor' LIMIT 50",
                          {conversation, channel});
    if (!rows)
        return rows.error();
    std::vector<std::string> out;
    for (const auto& r : *rows)
        out.push_back(text_of(r[0]));
    return out;
}

result<std::int64_t> action_store::count_for_visitors(const std::string& site,
                                                      const std::string& channel,
                                                      std::int64_t since)
{
    auto rows = db_.query("SELECT COUNT(*) FROM outbox WHERE site = ? AND channel = ? AND "
                          "audience = 'visitor' AND created_at >= ?",
                          {site, channel, since});
    if (!rows)
        return rows.error();
    return rows->empty() ? 0 : integer_of(rows->front()[0]);
}

result<std::vector<staff_message>> action_store::list_messages(const std::string& site,
                                                               std::size_t limit)
{
    // `? = ''` keeps one statement for both cases, with every value bound.
    auto rows = db_.query("SELECT id, site, kind, conversation, fields, created_at FROM messages "
                          "WHERE (? = '' OR site = ?) ORDER BY id DESC LIMIT ?",
                          {site, site, bounded(limit)});
    if (!rows)
        return rows.error();
    std::vector<staff_message> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back({integer_of(r[0]), text_of(r[1]), text_of(r[2]), text_of(r[3]), text_of(r[4]),
                       integer_of(r[5])});
    return out;
}

result<std::vector<outbox_item>> action_store::list_outbox(const std::string& site,
                                                           std::size_t limit)
{
    auto rows = db_.query(std::string(outbox_columns) +
                              " FROM outbox WHERE (? = '' OR site = ?) ORDER BY id DESC LIMIT ?",
                          {site, site, bounded(limit)});
    if (!rows)
        return rows.error();
    std::vector<outbox_item> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back(outbox_of(r));
    return out;
}

result<outbox_item> action_store::get_outbox(std::int64_t id)
{
    auto rows = db_.query(std::string(outbox_columns) + " FROM outbox WHERE id = ?", {id});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return make_error(errc::not_found, "there is no outbox item #" + std::to_string(id));
    return outbox_of(rows->front());
}

status action_store::begin_attempt(std::int64_t id, std::int64_t now)
{
    return settled(
        db_.run("UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? "
                "WHERE id = ?",
                {now, id}));
}

status action_store::mark_sent(std::int64_t id, std::int64_t now, const std::string& provider_id)
{
    return settled(db_.run("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '', "
                           "updated_at = ?, provider_id = ? WHERE id = ?",
                           {now, now, provider_id, id}));
}

status action_store::mark_retry(std::int64_t id, const std::string& why, std::int64_t now)
{
    return settled(
        db_.run("UPDATE outbox SET status = 'queued', last_error = ?, updated_at = ? WHERE id = ?",
                {why, now, id}));
}

status action_store::mark_failed(std::int64_t id, const std::string& why, std::int64_t now)
{
    return settled(
        db_.run("UPDATE outbox SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?",
                {why, now, id}));
}

} // namespace donna::relay
