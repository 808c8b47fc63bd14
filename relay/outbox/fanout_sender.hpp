// fanout_sender.hpp: forwards stored events to the fanout endpoints (DONNA_FANOUT_FILE): the
// job runner's handler of kind "fanout.deliver" (store/fanout_store enqueues one per endpoint
// and event, phone/phone_events decides which endpoints want the event).
//
//   fanout_sender fanout({store, webhooks, http, settings, registry, log, poke});
//   runner.handle("fanout.deliver", [&](const job& j, job_runner::settle done) {
//       fanout.deliver(j, std::move(done));
//   });
//
// Each delivery is a POST of
//   {"id":"<the provider's event id>","provider":"telnyx","type":"call.hangup",
//    "occurred_at":"...","delivery":17,"event":<the event as the provider sent it>}
// with Content-Type application/json, DONNA-Signature (outbox/fanout_signature),
// DONNA-Event-Id, DONNA-Event-Type and DONNA-Delivery-Id, through the HTTP client (upstream
// "fanout:<endpoint id>": its own breaker, so one endpoint that is down slows no other). A 2xx
// answer delivers it; anything else is a failed attempt, tried again after the backoff
// (DONNA_JOB_RETRY_MS doubling up to 10 minutes, with jitter) until the endpoint's
// max_attempts, then dead-lettered (kept with the last error; GET /v1/fanout/dead-letters,
// replayed by POST .../<id>/replay). Per stream (a call, a message) an endpoint gets the events
// in the order they occurred: a delivery waits while an earlier one of its stream is pending.
//
// At least once: a relay killed after the endpoint answered and before the row says so sends
// it again, with the same DONNA-Event-Id, by which the receiver recognises it.
//
// Metrics: donna_fanout_deliveries_total{endpoint,outcome} (delivered, retry, dead),
// donna_fanout_lag_seconds{endpoint} (from the event's arrival to its last delivery),
// donna_fanout_pending_seconds{endpoint} (how long the oldest waiting delivery has waited).
#pragma once

#include "jobs/job_runner.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <random>

namespace donna::relay {

class fanout_store;
class http_client;
class logger;
class metrics_registry;
class settings_source;
class webhook_store;

struct fanout_sender_deps {
    fanout_store& store;
    webhook_store& webhooks;
    http_client& http;
    const settings_source& settings;
    metrics_registry& registry;
    logger& log;
    std::function<void()> poke_jobs; // a delivery landed: the next of its stream may go
};

class fanout_sender {
public:
    explicit fanout_sender(fanout_sender_deps deps);

    void deliver(const job& j, job_runner::settle done);

private:
    void count(const std::string& endpoint, const char* outcome);
    void update_pending(const std::string& endpoint);
    std::chrono::milliseconds backoff(std::int64_t attempts);

    fanout_sender_deps deps_;
    std::mutex random_mutex_;
    std::mt19937_64 random_;
};

} // namespace donna::relay
