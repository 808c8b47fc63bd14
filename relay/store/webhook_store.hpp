// webhook_store.hpp: the webhook events the relay has received (the `webhook_events` table of
// store/database), each stored once per provider and event id: a provider resends an event
// it did not see answered, and a replayed request must change nothing. Parameterised SQL only.
//
//   webhook_store events(db);
//   auto stored = events.store({.provider = "telnyx", .event_id = "0ccc7b54-...",
//                               .event_type = "call.initiated", ...});
//   if (stored && !*stored) ...   // seen before: answer 200, do nothing
#pragma once

#include "core/error.hpp"
#include "store/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace donna::relay {

struct webhook_event {
    std::int64_t id = 0; // the row's
    std::string provider;
    std::string event_id;
    std::string event_type;
    std::string occurred_at;
    std::int64_t occurred_at_ms = 0;
    std::int64_t received_at = 0;
    std::string body;
};

class webhook_store {
public:
    explicit webhook_store(database& db) : db_(db) {}

    // true: stored now, with its processing job (kind job_kind(provider), key
    // "webhook:<row id>", payload {"webhook_id"}) in the same transaction; false: the
    // provider's event id was stored before (nothing changed, no second job). Committed (WAL,
    // synchronous NORMAL: it survives the process dying; see docs/relay.md) before it returns.
    result<bool> store(const webhook_event& event);
    // The same for several events in one transaction (one commit for all: what a burst
    // costs); one flag per event, in order. An error stores none of them.
    result<std::vector<bool>> store_all(const std::vector<webhook_event>& events);
    // "webhook.telnyx": the kind of the jobs that process a provider's events.
    static std::string job_kind(const std::string& provider);

    // One event by its row id (not_found when there is none).
    result<webhook_event> get(std::int64_t id);

    // A provider's events in the order they occurred (then as received), at most `limit`.
    result<std::vector<webhook_event>> list(const std::string& provider, std::size_t limit);

private:
    database& db_;
};

} // namespace donna::relay
