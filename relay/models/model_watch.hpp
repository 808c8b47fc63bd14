// model_watch.hpp: keeps the relay aware of OpenAI shutting down a model it is configured to
// use. At start-up, on every reload (SIGHUP) and then once a day it asks OpenAI for its model
// list (GET <OPENAI_BASE_URL>/models through the shared HTTP client) and judges every model
// the settings name (model_lifecycle): a model shutting down within
// DONNA_MODEL_SHUTDOWN_WARN_DAYS is a warning in the log and on /readyz, one already shut
// down or missing from the list makes its feature not ready. /metrics carries
// donna_model_shutdown_days{model} for every configured model with an announced date, and
// donna_model_list_failures_total counts lists that could not be had (readiness then stays
// as the last list left it).
//
//   model_watch watch(client, registry, log);
//   watch.check(services.settings());       // start-up and SIGHUP: fetch now
//   auto seen = watch.latest();             // for /readyz
//
// Thread safety: every member may be called from any thread. The daily timer is a thread of
// its own that sleeps; the fetch itself runs on the HTTP client's strand.
#pragma once

#include "models/model_lifecycle.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace donna::relay {

class http_client;
class logger;
class metrics_registry;
class counter;
struct live_settings;

// What the last successful list said about the configured models.
struct model_watch_report {
    std::int64_t checked_at = 0; // Unix seconds of the list the reports come from
    std::vector<model_report> reports;
};

class model_watch {
public:
    model_watch(http_client& client, metrics_registry& registry, logger& log,
                std::chrono::seconds interval = std::chrono::hours(24));
    ~model_watch(); // stops the timer; a fetch in flight completes nothing
    model_watch(const model_watch&) = delete;
    model_watch& operator=(const model_watch&) = delete;

    // Fetches the list now for these settings, and from now on once per interval. Settings
    // that use no OpenAI model (no key) clear the reports and fetch nothing.
    void check(std::shared_ptr<const live_settings> settings);

    // The reports of the last list fetched for the current settings (none before one came).
    std::optional<model_watch_report> latest() const;

    // Waits until the fetch that the last check() started has ended, judged or failed (true),
    // or the timeout passed (false). For start-up diagnostics and tests.
    bool wait_checked(std::chrono::milliseconds timeout) const;

private:
    struct state;
    void fetch(const std::shared_ptr<const live_settings>& settings);
    void run(std::chrono::seconds interval);

    http_client& client_;
    std::shared_ptr<state> state_;
    std::thread timer_;
};

} // namespace donna::relay
