// sms_threads_endpoint.hpp: the text conversations, for the admin (Authorization: Bearer
// DONNA_ADMIN_TOKEN), from store/sms_store:
//
//   GET /v1/sms/threads?site=demo&limit=50&cursor=<id>  -> {"threads":[{site, number, messages,
//                                                         last_at, opted_out}], "next_cursor"}
//   GET /v1/sms/threads/+15550100199?site=demo&after=<id>&limit=100
//                                                      -> {"site","number","opted_out",
//                                                          "messages":[...], "next_after"}
//
// Threads come most recently active first, paged by `cursor` (the newest message id of the
// page's last thread: a thread that gets a message meanwhile moves to the top instead of
// shifting the pages after it); a thread's messages oldest first, paged by `after`.
// Refusals: 401 missing_admin_token, 403 admin_token_required, 400 invalid_request (named),
// 404 thread_not_found, 500 storage_error.
#pragma once

#include "http/router.hpp"

namespace donna::relay {

class database;
class settings_source;
struct relay_metrics;
class logger;

struct sms_threads_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    logger& log;
    database& db;
};

inline constexpr std::string_view sms_threads_path = "/v1/sms/threads";

route sms_threads_route(const sms_threads_endpoint_deps& deps);

} // namespace donna::relay
