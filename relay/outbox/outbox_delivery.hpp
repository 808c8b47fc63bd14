// outbox_delivery.hpp: what every outbox sender (email_sender, sms_sender) does around its
// one attempt: find the job's row (and see that it is not settled already), then write the
// attempt's end to the row, the log and /metrics, and turn it into the job's outcome.
//
//   outbox_delivery record(store, registry, log, "sms");
//   auto row = record.open(job);                  // the row, or how the job settles now
//   if (auto* settled = std::get_if<job_outcome>(&row)) return done(*settled);
//   ... send ...
//   done(record.sent(row_id, provider_message_id));   // or failed(id, why), retry(...)
//
// Metrics: donna_outbox_deliveries_total{channel,outcome} (sent, retry, failed).
#pragma once

#include "jobs/job_runner.hpp"
#include "store/action_store.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <variant>

namespace donna::relay {

class logger;
class metrics_registry;

class outbox_delivery {
public:
    outbox_delivery(action_store& store, metrics_registry& registry, logger& log,
                    std::string channel)
        : store_(store), registry_(registry), log_(log), channel_(std::move(channel))
    {}

    // The job's outbox row, ready for an attempt; or the job's outcome when there is nothing
    // to do: done for a row already sent or failed (an earlier attempt settled it and its job
    // did not hear of it, a crash between the two writes: nothing may go out twice), fail for
    // a job that names no row, retry when the database cannot be read.
    std::variant<outbox_item, job_outcome> open(const job& task) const;

    // The attempt begins (status sending, attempts + 1); false (logged) when the row cannot
    // be written, and the job should retry.
    bool begin(std::int64_t id) const;

    job_outcome sent(std::int64_t id, const std::string& provider_id = "") const;
    job_outcome failed(std::int64_t id, const std::string& why) const;
    // A temporary failure: queued again with why, unless the job's attempts are used up
    // (then failed for good).
    job_outcome retry(const job& task, std::int64_t id, const std::string& why,
                      std::optional<std::chrono::milliseconds> after = std::nullopt) const;

private:
    void count(std::string_view outcome) const;
    std::string where(std::int64_t id) const;

    action_store& store_;
    metrics_registry& registry_;
    logger& log_;
    std::string channel_;
};

} // namespace donna::relay
