// webhook_store.cpp: INSERT ... ON CONFLICT DO NOTHING, and the ordered listing.
#include "store/webhook_store.hpp"

#include "store/job_store.hpp"

#include <algorithm>

namespace donna::relay {

namespace {

constexpr std::string_view event_columns =
    "SELECT id, provider, event_id, event_type, occurred_at, occurred_at_ms, received_at, body "
    "FROM webhook_events ";

webhook_event event_of(const sql_row& r)
{
    return {integer_of(r[0]), text_of(r[1]),    text_of(r[2]),    text_of(r[3]),
            text_of(r[4]),    integer_of(r[5]), integer_of(r[6]), text_of(r[7])};
}

} // namespace

std::string webhook_store::job_kind(const std::string& provider)
{
    return "webhook." + provider;
}

result<bool> webhook_store::store(const webhook_event& event)
{
    auto stored = store_all({event});
    if (!stored)
        return stored.error();
    return static_cast<bool>(stored->front());
}

result<std::vector<bool>> webhook_store::store_all(const std::vector<webhook_event>& events)
{
    std::vector<bool> stored;
    stored.reserve(events.size());
    auto done = db_.transaction([&](sql_connection& sql) -> status {
        stored.clear();
        for (const auto& event : events) {
            auto row =
                sql.query("INSERT INTO webhook_events(provider, event_id, event_type, occurred_at, "
                          "occurred_at_ms, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT(provider, event_id) DO NOTHING RETURNING id",
                          {event.provider, event.event_id, event.event_type, event.occurred_at,
                           event.occurred_at_ms, event.received_at, event.body});
            if (!row)
                return row.error();
            if (row->empty()) {
                stored.push_back(false); // seen before: no second job either
                continue;
            }
            const auto id = integer_of(row->front()[0]);
            auto queued = enqueue_job(sql,
                                      {.kind = job_kind(event.provider),
                                       .idempotency_key = "webhook:" + std::to_string(id),
                                       .payload = R"({"webhook_id":)" + std::to_string(id) + "}",
                                       .max_attempts = 10},
                                      event.received_at * 1000);
            if (!queued)
                return queued.error();
            stored.push_back(true);
        }
        return ok();
    });
    if (!done)
        return done.error();
    return stored;
}

result<webhook_event> webhook_store::get(std::int64_t id)
{
    auto rows = db_.query(std::string(event_columns) + "WHERE id = ?", {id});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return make_error(errc::not_found, "there is no webhook event #" + std::to_string(id));
    return event_of(rows->front());
}

result<std::vector<webhook_event>> webhook_store::list(const std::string& provider,
                                                       std::size_t limit)
{
    auto rows = db_.query(
        std::string(event_columns) + "WHERE provider = ? ORDER BY occurred_at_ms, id LIMIT ?",
        {provider, static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 10000))});
    if (!rows)
        return rows.error();
    std::vector<webhook_event> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back(event_of(r));
    return out;
}

} // namespace donna::relay
