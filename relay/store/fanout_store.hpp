// fanout_store.hpp: the relay's deliveries of stored events to the fanout endpoints
// (DONNA_FANOUT_FILE), one row per endpoint and event (the `fanout_deliveries` table), each
// with its job (kind "fanout.deliver") written in the same transaction. Parameterised SQL only.
//
//   fanout_store fanout(db);
//   fanout.enqueue({"crm", "audit"}, stored_event, "call:<session>", now_ms);
//   if (*fanout.earlier_pending(d)) ...   // an earlier event of the same call goes first
//   fanout.delivered(d.id, now_ms);
//   auto dead = fanout.dead_letters("crm", 0, 50);
//   fanout.replay(dead->front().id, now_ms);   // pending again, with a new job
//
// A delivery is pending, delivered or dead (its attempts used up: kept with the last error
// until the admin replays it). `stream` orders deliveries: an endpoint gets a stream's events
// in the order they occurred (among those stored: an event that arrives late goes when it
// arrives).
#pragma once

#include "core/error.hpp"
#include "store/database.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace donna::relay {

struct webhook_event;

struct fanout_delivery {
    std::int64_t id = 0;
    std::string endpoint;
    std::int64_t webhook_id = 0;
    std::string stream;
    std::int64_t occurred_at_ms = 0;
    std::string state; // pending | delivered | dead
    std::int64_t attempts = 0;
    std::string last_error;
    std::int64_t replays = 0;
    std::int64_t created_at_ms = 0;
    std::int64_t delivered_at_ms = 0;
};

class fanout_store {
public:
    static constexpr std::size_t max_list = 500;
    static constexpr const char* job_kind = "fanout.deliver";

    explicit fanout_store(database& db) : db_(db) {}

    // A delivery (and its job) per endpoint, once per endpoint and event however often this
    // runs; how many are new.
    result<std::int64_t> enqueue(const std::vector<std::string>& endpoints,
                                 const webhook_event& event, const std::string& stream,
                                 std::int64_t now_ms);

    result<fanout_delivery> get(std::int64_t id);
    // Whether an earlier event of the same stream still waits for this endpoint.
    result<bool> earlier_pending(const fanout_delivery& d);

    status delivered(std::int64_t id, std::int64_t now_ms);
    // One more failed attempt; the attempts so far.
    result<std::int64_t> failed_attempt(std::int64_t id, const std::string& why);
    status dead(std::int64_t id, const std::string& why);

    // Dead deliveries, newest first, ids below `before_id` (0: from the newest); endpoint ""
    // for every endpoint.
    result<std::vector<fanout_delivery>> dead_letters(const std::string& endpoint,
                                                      std::int64_t before_id, std::size_t limit);
    // A dead delivery pending again with a fresh job. not_found: no such delivery;
    // invalid_argument: it is not dead.
    status replay(std::int64_t id, std::int64_t now_ms);

    // The creation time of the oldest pending delivery of an endpoint (0: none waits).
    result<std::int64_t> oldest_pending_ms(const std::string& endpoint);

private:
    database& db_;
};

} // namespace donna::relay
