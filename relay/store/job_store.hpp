// job_store.hpp: the durable queue of work the relay owes someone (an email to send, a text
// to deliver, an inbox to sync): the `jobs` table of store/database. Storage only; when and
// how jobs run is jobs/job_runner's.
//
//   job_spec spec{.kind = "outbox.sms", .idempotency_key = "outbox:42", .payload = R"({"id":42})"};
//   db.transaction([&](sql_connection& sql) -> status {   // with the data the job acts on
//       ...insert the outbox row...
//       return enqueue_job(sql, spec, now_ms).status();
//   });
//   auto due = jobs.claim({"outbox.sms"}, 8, now_ms, 60'000);   // leased for a minute
//   jobs.finish(due[0].id, due[0].attempts);                    // done: never runs again
//
// Guarantees. A job is enqueued in the same transaction as its data, so there is never one
// without the other. A claim is one UPDATE ... RETURNING: two claimers never get the same job.
// A claimed job whose lease lapses (its worker died) is due again; the claim counts attempts,
// and finish/retry/bury name the attempt they settle, so a worker whose lease lapsed cannot
// overwrite the result of the attempt that replaced it. A finished job never runs again. The
// idempotency key is unique: enqueuing a key that exists returns the existing job and adds
// nothing. Times are Unix milliseconds, passed in (the tests' clock is the caller's).
#pragma once

#include "core/error.hpp"
#include "store/database.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace donna::relay {

struct job_spec {
    std::string kind = {};            // what runs it: "outbox.email", "outbox.sms", ...
    std::string idempotency_key = {}; // unique per job, e.g. "outbox:42"
    std::string payload = {};         // JSON text for the handler
    std::int64_t max_attempts = 8;
    std::int64_t run_after_ms = 0; // not before (0: at once)
};

struct job {
    std::int64_t id = 0;
    std::string kind;
    std::string idempotency_key;
    std::string payload;
    std::int64_t attempts = 0; // counting this one, once claimed
    std::int64_t max_attempts = 0;
    std::int64_t run_after_ms = 0;
    std::string state; // queued | running | done | dead
    std::string last_error;
};

// Per kind and state, for /metrics: how many, and for due queued jobs the oldest due time.
struct job_count {
    std::string kind;
    std::string state;
    std::int64_t count = 0;
    std::int64_t oldest_due_ms = 0; // queued and due only; 0 when none is due
};

// The job's id (the existing job's when the key is known). Inside the caller's transaction.
result<std::int64_t> enqueue_job(sql_connection& sql, const job_spec& spec, std::int64_t now_ms);

class job_store {
public:
    explicit job_store(database& db) : db_(db) {}

    result<std::int64_t> enqueue(const job_spec& spec, std::int64_t now_ms);
    // Up to `limit` due jobs of these kinds, oldest due first, each leased until now + lease:
    // queued ones whose time has come, and running ones whose lease lapsed.
    result<std::vector<job>> claim(const std::vector<std::string>& kinds, std::size_t limit,
                                   std::int64_t now_ms, std::int64_t lease_ms);
    // Settling attempt `attempt` of a job. Each is a no-op (false) when that attempt no longer
    // holds the job (its lease lapsed and another attempt claimed it).
    result<bool> finish(std::int64_t id, std::int64_t attempt, std::int64_t now_ms);
    result<bool> retry_at(std::int64_t id, std::int64_t attempt, std::int64_t run_after_ms,
                          const std::string& error, std::int64_t now_ms);
    result<bool> bury(std::int64_t id, std::int64_t attempt, const std::string& error,
                      std::int64_t now_ms); // dead-lettered: kept, never run again
    result<std::vector<job_count>> counts(std::int64_t now_ms);
    // One job by id (admin views, tests); not_found when there is none.
    result<job> get(std::int64_t id);

private:
    database& db_;
};

} // namespace donna::relay
