// fanout_store.cpp: fanout deliveries and their jobs in SQLite.
#include "store/fanout_store.hpp"

#include "store/job_store.hpp"
#include "store/webhook_store.hpp"

#include <algorithm>

namespace donna::relay {
namespace {

constexpr std::string_view delivery_columns =
    "SELECT id, endpoint, webhook_id, stream, occurred_at_ms, state, attempts, last_error, "
    "replays, created_at_ms, delivered_at_ms FROM fanout_deliveries ";

fanout_delivery delivery_of(const sql_row& r)
{
    return {integer_of(r[0]), text_of(r[1]),    integer_of(r[2]), text_of(r[3]),
            integer_of(r[4]), text_of(r[5]),    integer_of(r[6]), text_of(r[7]),
            integer_of(r[8]), integer_of(r[9]), integer_of(r[10])};
}

// The delivery's job; the key names the delivery and its replay, so a replay is a new job.
status enqueue_delivery_job(sql_connection& sql, std::int64_t id, std::int64_t replays,
                            std::int64_t now_ms)
{
    auto queued = enqueue_job(
        sql,
        {.kind = fanout_store::job_kind,
         .idempotency_key = "fanout:" + std::to_string(id) + ":" + std::to_string(replays),
         .payload = R"({"delivery_id":)" + std::to_string(id) + "}",
         // The row counts delivery attempts and decides when to give up;
         // the job only waits (for an earlier event, or a backoff).
         .max_attempts = 1'000'000},
        now_ms);
    if (!queued)
        return queued.error();
    return ok();
}

status changed(const result<std::int64_t>& r)
{
    if (!r)
        return r.error();
    return ok();
}

} // namespace

result<std::int64_t> fanout_store::enqueue(const std::vector<std::string>& endpoints,
                                           const webhook_event& event, const std::string& stream,
                                           std::int64_t now_ms)
{
    std::int64_t added = 0;
    auto done = db_.transaction([&](sql_connection& sql) -> status {
        for (const auto& endpoint : endpoints) {
            auto row = sql.query("INSERT INTO fanout_deliveries(endpoint, webhook_id, stream, "
                                 "occurred_at_ms, created_at_ms) VALUES (?, ?, ?, ?, ?) "
                                 "ON CONFLICT(endpoint, webhook_id) DO NOTHING RETURNING id",
                                 {endpoint, event.id, stream, event.occurred_at_ms, now_ms});
            if (!row)
                return row.error();
            if (row->empty())
                continue;
            if (auto job = enqueue_delivery_job(sql, integer_of(row->front()[0]), 0, now_ms); !job)
                return job;
            ++added;
        }
        return ok();
    });
    if (!done)
        return done.error();
    return added;
}

result<fanout_delivery> fanout_store::get(std::int64_t id)
{
    auto rows = db_.query(std::string(delivery_columns) + "WHERE id = ?", {id});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return make_error(errc::not_found, "there is no fanout delivery #" + std::to_string(id));
    return delivery_of(rows->front());
}

result<bool> fanout_store::earlier_pending(const fanout_delivery& d)
{
    auto rows = db_.query("SELECT 1 FROM fanout_deliveries WHERE endpoint = ? AND stream = ? "
                          "AND state = 'pending' AND (occurred_at_ms < ? OR "
                          "(occurred_at_ms = ? AND id < ?)) LIMIT 1",
                          {d.endpoint, d.stream, d.occurred_at_ms, d.occurred_at_ms, d.id});
    if (!rows)
        return rows.error();
    return !rows->empty();
}

status fanout_store::delivered(std::int64_t id, std::int64_t now_ms)
{
    return changed(db_.run("UPDATE fanout_deliveries SET state = 'delivered', attempts = "
                           "attempts + 1, last_error = '', delivered_at_ms = ? WHERE id = ?",
                           {now_ms, id}));
}

result<std::int64_t> fanout_store::failed_attempt(std::int64_t id, const std::string& why)
{
    auto rows = db_.query("UPDATE fanout_deliveries SET attempts = attempts + 1, last_error = ? "
                          "WHERE id = ? RETURNING attempts",
                          {why, id});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return make_error(errc::not_found, "there is no fanout delivery #" + std::to_string(id));
    return integer_of(rows->front()[0]);
}

status fanout_store::dead(std::int64_t id, const std::string& why)
{
    return changed(db_.run(
        "UPDATE fanout_deliveries SET state = 'dead', last_error = ? WHERE id = ?", {why, id}));
}

result<std::vector<fanout_delivery>>
fanout_store::dead_letters(const std::string& endpoint, std::int64_t before_id, std::size_t limit)
{
    auto rows =
        db_.query(std::string(delivery_columns) +
                      "WHERE state = 'dead' AND (? = '' OR endpoint = ?) AND (? = 0 OR id < ?) "
                      "ORDER BY id DESC LIMIT ?",
                  {endpoint, endpoint, before_id, before_id,
                   static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, max_list))});
    if (!rows)
        return rows.error();
    std::vector<fanout_delivery> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back(delivery_of(r));
    return out;
}

status fanout_store::replay(std::int64_t id, std::int64_t now_ms)
{
    return db_.transaction([&](sql_connection& sql) -> status {
        auto rows = sql.query("SELECT state, replays FROM fanout_deliveries WHERE id = ?", {id});
        if (!rows)
            return rows.error();
        if (rows->empty())
            return make_error(errc::not_found,
                              "there is no fanout delivery #" + std::to_string(id));
        if (text_of(rows->front()[0]) != "dead")
            return make_error(errc::invalid_argument, "fanout delivery #" + std::to_string(id) +
                                                          " is " + text_of(rows->front()[0]) +
                                                          ", not dead");
        const auto replays = integer_of(rows->front()[1]) + 1;
        if (auto reset = sql.run("UPDATE fanout_deliveries SET state = 'pending', attempts = 0, "
                                 "replays = ? WHERE id = ?",
                                 {replays, id});
            !reset)
            return reset.error();
        return enqueue_delivery_job(sql, id, replays, now_ms);
    });
}

result<std::int64_t> fanout_store::oldest_pending_ms(const std::string& endpoint)
{
    auto rows = db_.query("SELECT COALESCE(MIN(created_at_ms), 0) FROM fanout_deliveries "
                          "WHERE endpoint = ? AND state = 'pending'",
                          {endpoint});
    if (!rows)
        return rows.error();
    return rows->empty() ? 0 : integer_of(rows->front()[0]);
}

} // namespace donna::relay
