// readiness.hpp: GET /readyz: which features are configured, and whether their upstreams
// answer a TCP connection right now (probed in parallel, 2 s each, never blocking a thread).
//
//   {"status":"ready","features":{
//      "realtime":{"configured":true,"mode":"openai","reachable":true,"detail":"..."},
//      "elevenlabs":{"configured":false,"detail":"ELEVENLABS_API_KEY is not set"}, ...}}
//
// The relay answers 200 while it can serve (it works with no keys at all); "status" is
// "degraded" when a configured upstream cannot be reached or a feature's model is gone, and
// each feature says why:
//      "chat":{"configured":true,"reachable":true,"ready":false,"detail":"...",
//              "models":[{"model":"gpt-4o","setting":"personas.sales.model","health":"retired",
//                         "shutdown_date":"2027-01-14","days_left":-2,"replacement":"...",
//                         "message":"..."}]}
#pragma once

#include "http/router.hpp"

#include "google/google_account.hpp"
#include "http/http_answer.hpp"
#include "models/model_watch.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>

namespace donna::relay {

class model_watch;
class settings_source;

struct live_settings;

// `models`: the last model list's verdicts (model_watch), none before one came. A model
// shutting down soon adds a warning to its feature; one shut down or unlisted makes the
// feature not ready ("ready": false, with the reason) and the status "degraded".
void check_readiness(const boost::asio::any_io_executor& executor,
                     const std::shared_ptr<const live_settings>& settings,
                     const std::optional<model_watch_report>& models,
                     std::function<void(http_answer)> done,
                     const std::optional<google_connection_status>& google = std::nullopt);

// What this endpoint uses of the relay, handed over by the composition root.
struct readiness_deps {
    const settings_source& settings;
    model_watch& models;
    google_account* google = nullptr; // its connection's state ("broken" is not ready)
};

// The row of GET /readyz.
route readiness_route(const readiness_deps& deps);

} // namespace donna::relay
