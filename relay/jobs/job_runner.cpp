// job_runner.cpp: the poll loop, the handlers' outcomes, and the counts in /metrics. Claims and
// outcomes are settled on one strand; handlers run wherever their work takes them.
#include "jobs/job_runner.hpp"

#include "log/log.hpp"
#include "metrics/metrics.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <vector>

namespace donna::relay {

namespace net = boost::asio;

struct job_runner::impl : std::enable_shared_from_this<impl> {
    impl(job_store& s, metrics_registry& r, logger& l, const net::any_io_executor& executor,
         job_runner_settings js)
        : store(s),
          registry(r),
          log(l),
          settings(std::move(js)),
          strand(net::make_strand(executor)),
          timer(strand),
          random(std::random_device{}())
    {
        if (!settings.now_ms)
            settings.now_ms = [] {
                return std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                    .count();
            };
    }

    // ---- the loop (strand) ----

    void schedule()
    {
        timer.expires_after(settings.poll_interval);
        timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec)
                self->poll();
        });
    }

    void poll()
    {
        if (gone)
            return;
        if (claiming && running_now() < settings.batch)
            claim();
        publish_counts();
        schedule();
    }

    void claim()
    {
        std::vector<std::string> kinds;
        for (const auto& [kind, run] : handlers)
            kinds.push_back(kind);
        const auto now = settings.now_ms();
        auto due = store.claim(kinds, settings.batch - running_now(), now,
                               static_cast<std::int64_t>(settings.lease.count()));
        if (!due) {
            log.error("jobs", "claiming jobs failed: " + due.error().message);
            return;
        }
        for (auto& j : *due) {
            if (j.attempts > j.max_attempts) {
                // Its last attempt's worker died holding it: nothing left to try.
                if (auto b = store.bury(j.id, j.attempts,
                                        "no attempt left (the last one's worker "
                                        "stopped before it finished)",
                                        now);
                    b && *b)
                    settled_total(j.kind, "dead").inc();
                continue;
            }
            run(j);
        }
    }

    void run(const job& j)
    {
        {
            const std::lock_guard lock(running_mutex);
            ++running;
        }
        auto once = std::make_shared<std::atomic<bool>>(false);
        auto self = shared_from_this();
        const auto it = handlers.find(j.kind);
        auto settle = [self, once, j](job_outcome outcome) {
            if (once->exchange(true))
                return;
            net::post(self->strand,
                      [self, j, outcome = std::move(outcome)] { self->settled(j, outcome); });
        };
        try {
            it->second(j, settle);
        } catch (const std::exception& e) {
            settle(job_outcome::retry(std::string("the handler threw: ") + e.what()));
        }
    }

    void settled(const job& j, const job_outcome& outcome)
    {
        if (!gone) {
            const auto now = settings.now_ms();
            result<bool> kept = false;
            std::string counted;
            switch (outcome.what) {
            case job_outcome::verdict::done:
                kept = store.finish(j.id, j.attempts, now);
                counted = "done";
                break;
            case job_outcome::verdict::fail:
                kept = store.bury(j.id, j.attempts, outcome.error, now);
                counted = "dead";
                break;
            case job_outcome::verdict::retry:
                if (j.attempts >= j.max_attempts) {
                    kept = store.bury(j.id, j.attempts,
                                      outcome.error + " (after " + std::to_string(j.attempts) +
                                          " attempts)",
                                      now);
                    counted = "dead";
                } else {
                    const auto wait = outcome.retry_after.value_or(
                        backoff_delay(settings.backoff, static_cast<int>(j.attempts), random));
                    kept = store.retry_at(j.id, j.attempts, now + wait.count(), outcome.error, now);
                    counted = "retry";
                }
                break;
            }
            if (!kept)
                log.error("jobs", "settling job " + std::to_string(j.id) + " (" + j.kind +
                                      ") failed: " + kept.error().message);
            else
                settled_total(j.kind, *kept ? counted : "lost_lease").inc();
            if (counted == "dead" && kept && *kept)
                log.warn("jobs", "job " + std::to_string(j.id) + " (" + j.kind +
                                     ") dead-lettered: " + outcome.error);
        }
        {
            const std::lock_guard lock(running_mutex);
            --running;
        }
        idle.notify_all();
        // Claims again once half the batch is free: a claim is a write transaction, so a
        // steady stream of jobs is claimed a few at a time rather than one per settled job.
        if (!gone && claiming)
            net::post(strand, [self = shared_from_this()] {
                if (self->claiming && self->running_now() <= self->settings.batch / 2)
                    self->claim();
            });
    }

    // ---- metrics ----

    counter& settled_total(const std::string& kind, const std::string& outcome)
    {
        return registry.get_counter("donna_jobs_settled_total",
                                    "Job attempts by how they ended (done, retry, dead, "
                                    "lost_lease: settled after another attempt took the job)",
                                    {{"kind", kind}, {"outcome", outcome}});
    }

    gauge& jobs_gauge(const std::string& kind, const std::string& state)
    {
        return registry.get_gauge("donna_jobs", "Jobs in the table by kind and state",
                                  {{"kind", kind}, {"state", state}});
    }

    void publish_counts()
    {
        const auto now = settings.now_ms();
        auto counts = store.counts(now);
        if (!counts)
            return;
        std::map<std::string, std::int64_t> oldest; // kind -> oldest due time
        std::set<std::pair<std::string, std::string>> now_published;
        for (const auto& c : *counts) {
            jobs_gauge(c.kind, c.state).set(static_cast<double>(c.count));
            now_published.emplace(c.kind, c.state);
            if (c.oldest_due_ms > 0)
                oldest[c.kind] = c.oldest_due_ms;
            else
                oldest.try_emplace(c.kind, 0);
        }
        // A kind and state with no row left reads 0, not its last count.
        for (const auto& [kind, state] : published)
            if (!now_published.contains({kind, state}))
                jobs_gauge(kind, state).set(0);
        published = std::move(now_published);
        for (const auto& [kind, due] : oldest)
            registry
                .get_gauge("donna_jobs_lag_seconds",
                           "How long the oldest due job of a kind has waited to run",
                           {{"kind", kind}})
                .set(due > 0 ? static_cast<double>(now - due) / 1000.0 : 0.0);
    }

    std::size_t running_now()
    {
        const std::lock_guard lock(running_mutex);
        return running;
    }

    job_store& store;
    metrics_registry& registry;
    logger& log;
    job_runner_settings settings;
    net::strand<net::any_io_executor> strand;
    net::steady_timer timer;
    std::mt19937_64 random;
    std::map<std::string, handler> handlers;                 // fixed once started
    std::set<std::pair<std::string, std::string>> published; // kind and state gauges last set
    std::atomic<bool> claiming{true};
    std::atomic<bool> gone{false};        // the runner was destroyed: settle nothing more
    std::atomic<bool> poke_posted{false}; // a poke waits on the strand already
    std::mutex running_mutex;
    std::condition_variable idle;
    std::size_t running = 0;
};

job_runner::job_runner(job_store& store, metrics_registry& registry, logger& log,
                       const boost::asio::any_io_executor& executor, job_runner_settings settings)
    : impl_(std::make_shared<impl>(store, registry, log, executor, std::move(settings)))
{}

// Jobs still running settle nothing: their leases lapse and they run again on the next start.
job_runner::~job_runner()
{
    impl_->gone = true;
    try {
        net::post(impl_->strand, [i = impl_] { i->timer.cancel(); });
    } catch (const std::exception&) {
        // Out of memory: the timer's next poll sees `gone` and stops.
    }
}

void job_runner::handle(const std::string& kind, handler run)
{
    impl_->handlers[kind] = std::move(run);
}

void job_runner::start()
{
    net::post(impl_->strand, [i = impl_] { i->poll(); });
}

void job_runner::poke()
{
    // Many pokes before the strand gets to one (a burst of webhooks) are one claim.
    if (impl_->poke_posted.exchange(true))
        return;
    net::post(impl_->strand, [i = impl_] {
        i->poke_posted = false;
        if (!i->gone && i->claiming && i->running_now() < i->settings.batch)
            i->claim();
    });
}

void job_runner::stop_claiming()
{
    impl_->claiming = false;
}

bool job_runner::wait_idle(std::chrono::steady_clock::time_point deadline)
{
    std::unique_lock lock(impl_->running_mutex);
    return impl_->idle.wait_until(lock, deadline, [this] { return impl_->running == 0; });
}

} // namespace donna::relay
