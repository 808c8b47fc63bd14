// sms_store.cpp: delivery reports, opt-outs and text threads in SQLite.
#include "store/sms_store.hpp"

#include <algorithm>

namespace donna::relay {
namespace {

std::int64_t bounded_sms(std::size_t limit)
{
    return static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, sms_store::max_list));
}

constexpr std::string_view sms_columns =
    "SELECT id, site, number, direction, body, media, provider_id, outbox_id, created_at, "
    "in_reply_to FROM sms_messages ";

sms_message sms_of(const sql_row& r)
{
    return {integer_of(r[0]), text_of(r[1]), text_of(r[2]),    text_of(r[3]),    text_of(r[4]),
            text_of(r[5]),    text_of(r[6]), integer_of(r[7]), integer_of(r[8]), integer_of(r[9])};
}

constexpr std::string_view insert_sms =
    "INSERT INTO sms_messages(site, number, direction, body, media, provider_id, outbox_id, "
    "created_at, in_reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

std::vector<sql_value> sms_values(const sms_message& m)
{
    return {m.site,        m.number,    m.direction,  m.body,       m.media,
            m.provider_id, m.outbox_id, m.created_at, m.in_reply_to};
}

} // namespace

result<bool> sms_store::record_delivery(const message_delivery& report)
{
    // The upsert keeps the stored row when it is later than this report: reports come out of
    // order and more than once.
    auto changed =
        db_.run("INSERT INTO message_deliveries(provider, message_id, status, recipients, errors, "
                "occurred_at_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(provider, message_id) DO UPDATE SET status = excluded.status, "
                "recipients = excluded.recipients, errors = excluded.errors, "
                "occurred_at_ms = excluded.occurred_at_ms, updated_at = excluded.updated_at "
                "WHERE excluded.occurred_at_ms >= message_deliveries.occurred_at_ms",
                {report.provider, report.message_id, report.status, report.recipients,
                 report.errors, report.occurred_at_ms, report.updated_at});
    if (!changed)
        return changed.error();
    return *changed > 0;
}

result<message_delivery> sms_store::delivery_of(const std::string& message_id)
{
    auto rows = db_.query("SELECT provider, message_id, status, recipients, errors, "
                          "occurred_at_ms, updated_at FROM message_deliveries "
                          "WHERE message_id = ? ORDER BY occurred_at_ms DESC LIMIT 1",
                          {message_id});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return make_error(errc::not_found, "no delivery report for message " + message_id);
    const auto& r = rows->front();
    return message_delivery{text_of(r[0]), text_of(r[1]),    text_of(r[2]),   text_of(r[3]),
                            text_of(r[4]), integer_of(r[5]), integer_of(r[6])};
}

status sms_store::opt_out(const std::string& number, const std::string& keyword, std::int64_t at)
{
    auto changed = db_.run("INSERT INTO sms_opt_outs(number, keyword, at) VALUES (?, ?, ?) "
                           "ON CONFLICT(number) DO NOTHING",
                           {number, keyword, at});
    if (!changed)
        return changed.error();
    return ok();
}

status sms_store::opt_in(const std::string& number)
{
    auto changed = db_.run("DELETE FROM sms_opt_outs WHERE number = ?", {number});
    if (!changed)
        return changed.error();
    return ok();
}

result<bool> sms_store::opted_out(const std::string& number)
{
    auto rows = db_.query("SELECT 1 FROM sms_opt_outs WHERE number = ?", {number});
    if (!rows)
        return rows.error();
    return !rows->empty();
}

result<sms_store::inbound_record> sms_store::record_inbound(const sms_message& message)
{
    auto made = db_.query(std::string(insert_sms) + " ON CONFLICT DO NOTHING RETURNING id",
                          sms_values(message));
    if (!made)
        return made.error();
    if (!made->empty())
        return inbound_record{integer_of(made->front()[0]), true};
    auto before =
        // "!= ''" lets SQLite use the partial unique index on provider_id.
        db_.query("SELECT id FROM sms_messages WHERE provider_id = ? AND provider_id != ''",
                  {message.provider_id});
    if (!before)
        return before.error();
    if (before->empty())
        return make_error(errc::io_error, "the inbound text was neither stored nor found");
    return inbound_record{integer_of(before->front()[0]), false};
}

result<bool> sms_store::replied(std::int64_t inbound_id)
{
    auto rows = db_.query("SELECT 1 FROM sms_messages WHERE in_reply_to = ? LIMIT 1", {inbound_id});
    if (!rows)
        return rows.error();
    return !rows->empty();
}

result<std::int64_t> sms_store::reply(sms_message message, const outbox_item& send)
{
    std::int64_t outbox_id = 0;
    auto stored = db_.transaction([&](sql_connection& sql) -> status {
        auto row = enqueue_outbox_in(sql, send);
        if (!row)
            return row.error();
        outbox_id = *row;
        message.direction = "outbound";
        message.outbox_id = outbox_id;
        if (auto added = sql.insert(std::string(insert_sms), sms_values(message)); !added)
            return added.error();
        return ok();
    });
    if (!stored)
        return stored.error();
    return outbox_id;
}

result<std::vector<sms_message>> sms_store::thread(const std::string& site,
                                                   const std::string& number, std::int64_t after_id,
                                                   std::size_t limit)
{
    auto rows = db_.query(std::string(sms_columns) +
                              "WHERE site = ? AND number = ? AND id > ? ORDER BY id LIMIT ?",
                          {site, number, after_id, bounded_sms(limit)});
    if (!rows)
        return rows.error();
    std::vector<sms_message> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back(sms_of(r));
    return out;
}

result<std::vector<sms_thread>> sms_store::threads(const std::string& site, std::int64_t before_id,
                                                   std::size_t limit)
{
    auto rows =
        db_.query("SELECT m.site, m.number, COUNT(*), MAX(m.id), MAX(m.created_at), "
                  "EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.number = m.number) "
                  "FROM sms_messages m WHERE (? = '' OR m.site = ?) GROUP BY m.site, m.number "
                  "HAVING (? = 0 OR MAX(m.id) < ?) ORDER BY MAX(m.id) DESC LIMIT ?",
                  {site, site, before_id, before_id, bounded_sms(limit)});
    if (!rows)
        return rows.error();
    std::vector<sms_thread> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back({text_of(r[0]), text_of(r[1]), integer_of(r[2]), integer_of(r[3]),
                       integer_of(r[4]), integer_of(r[5]) != 0});
    return out;
}

} // namespace donna::relay
