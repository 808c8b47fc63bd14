// fanout_endpoint.hpp: the admin's view of the fanout's dead letters (Authorization: Bearer
// DONNA_ADMIN_TOKEN), from store/fanout_store:
//
//   GET  /v1/fanout/dead-letters?endpoint=crm&cursor=<id>&limit=50
//        -> {"dead_letters":[{id, endpoint, event_id, event_type, occurred_at_ms, attempts,
//                             last_error, replays, created_at_ms}], "next_cursor"}
//   POST /v1/fanout/dead-letters/17/replay   -> 202 {"id":17,"state":"pending"}
//
// A replay makes the delivery pending again with a fresh job and its attempts counted from
// zero; it keeps its place in its stream's order. Refusals: 401 missing_admin_token, 403
// admin_token_required, 400 invalid_request, 404 delivery_not_found, 409 not_dead (only a dead
// delivery is replayed), 500 storage_error.
#pragma once

#include "http/router.hpp"

namespace donna::relay {

class database;
class job_runner;
class logger;
class settings_source;
struct relay_metrics;

struct fanout_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    logger& log;
    database& db;
    job_runner& jobs; // a replayed delivery goes at once
};

inline constexpr std::string_view dead_letters_path = "/v1/fanout/dead-letters";

route dead_letters_route(const fanout_endpoint_deps& deps);

} // namespace donna::relay
