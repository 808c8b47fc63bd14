// job_runner.hpp: runs the durable jobs of store/job_store on the relay's io_context: claims
// what is due with a lease, hands each job to the handler of its kind, and settles it from
// the handler's outcome: done, retry later (exponential backoff with jitter, from
// upstream/retry_policy, or the wait the upstream asked for), or failed for good
// (dead-lettered). A job that runs out of attempts is dead-lettered too, with its last error.
//
//   job_runner runner(store, registry, log, ioc.get_executor(), {});
//   runner.handle("outbox.sms", [&](const job& j, job_runner::settle done) {
//       send_sms(j.payload, [done](result<void> r) {
//           done(r ? job_outcome::done() : job_outcome::retry(r.error().message));
//       });
//   });
//   runner.start();            // polls every poll_interval, and at once after poke()
//   ...
//   runner.stop_claiming();    // SIGTERM: nothing new starts...
//   runner.wait_idle(deadline);// ...and what runs gets until the deadline to settle
//
// Guarantees (with job_store's): a job is never lost (a worker that dies leaves it claimed; its
// lease lapses and it runs again), so a handler must be idempotent: the job's
// idempotency_key and attempts say which job and which try it is. A job settled done never
// runs again. Only kinds with a handler are claimed: jobs of a kind this relay cannot run yet
// (an email before SMTP is configured) wait, counted in /metrics.
//
// Metrics: donna_jobs_settled_total{kind,outcome} (done, retry, dead, lost_lease),
// donna_jobs{kind,state} (queued, running, done, dead: rows in the table), and
// donna_jobs_lag_seconds{kind} (how long the oldest due job has waited; 0 when none waits).
#pragma once

#include "store/job_store.hpp"
#include "upstream/retry_policy.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace donna::relay {

class logger;
class metrics_registry;

struct job_outcome {
    enum class verdict { done, retry, fail };
    verdict what = verdict::done;
    std::string error;                                    // retry and fail: why, for the row
    std::optional<std::chrono::milliseconds> retry_after; // retry: the wait asked for

    static job_outcome done() { return {}; }
    static job_outcome retry(std::string why,
                             std::optional<std::chrono::milliseconds> after = std::nullopt)
    {
        return {verdict::retry, std::move(why), after};
    }
    static job_outcome fail(std::string why) { return {verdict::fail, std::move(why), {}}; }
};

struct job_runner_settings {
    std::chrono::milliseconds poll_interval{1000};            // DONNA_JOB_POLL_MS
    std::chrono::milliseconds lease{std::chrono::minutes(5)}; // DONNA_JOB_LEASE_SECONDS
    std::size_t batch = 8;                                    // jobs claimed per poll at most
    // Waits between attempts: 5 s, 10 s, 20 s... up to 10 minutes, with jitter.
    retry_policy backoff{.max_attempts = 8,
                         .base_delay = std::chrono::seconds(5),
                         .max_delay = std::chrono::minutes(10),
                         .max_total = std::chrono::hours(24 * 365)};
    // The clock, in Unix milliseconds (tests may pass their own).
    std::function<std::int64_t()> now_ms;
};

class job_runner {
public:
    // Called with the job's outcome, exactly once, from any thread.
    using settle = std::function<void(job_outcome)>;
    using handler = std::function<void(const job&, settle)>;

    job_runner(job_store& store, metrics_registry& registry, logger& log,
               const boost::asio::any_io_executor& executor, job_runner_settings settings);
    ~job_runner();
    job_runner(const job_runner&) = delete;
    job_runner& operator=(const job_runner&) = delete;

    // Before start(): the handler of one kind.
    void handle(const std::string& kind, handler run);
    void start();
    // A job was just enqueued: look now instead of at the next poll.
    void poke();
    // Graceful stop: no job is claimed from now on; jobs running go on.
    void stop_claiming();
    // Blocks until no job is running or the deadline passes; true when none is. Never call
    // from the io_context's threads.
    bool wait_idle(std::chrono::steady_clock::time_point deadline);

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace donna::relay
