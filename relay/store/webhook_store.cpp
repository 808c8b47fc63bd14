// webhook_store.cpp: INSERT ... ON CONFLICT DO NOTHING, and the ordered listing.
#include "store/webhook_store.hpp"

#include <algorithm>

namespace donna::relay {

result<bool> webhook_store::store(const webhook_event& event)
{
    auto changed = db_.run(
        "INSERT INTO webhook_events(provider, event_id, event_type, occurred_at, occurred_at_ms, "
        "received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(provider, event_id) DO NOTHING",
        {event.provider, event.event_id, event.event_type, event.occurred_at, event.occurred_at_ms,
         event.received_at, event.body});
    if (!changed)
        return changed.error();
    return *changed == 1;
}

result<std::vector<webhook_event>> webhook_store::list(const std::string& provider,
                                                       std::size_t limit)
{
    auto rows =
        db_.query("SELECT id, provider, event_id, event_type, occurred_at, "
                  "occurred_at_ms, received_at, body FROM webhook_events "
                  "WHERE provider = ? ORDER BY occurred_at_ms, id LIMIT ?",
                  {provider, static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 10000))});
    if (!rows)
        return rows.error();
    std::vector<webhook_event> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back({integer_of(r[0]), text_of(r[1]), text_of(r[2]), text_of(r[3]), text_of(r[4]),
                       integer_of(r[5]), integer_of(r[6]), text_of(r[7])});
    return out;
}

} // namespace donna::relay
