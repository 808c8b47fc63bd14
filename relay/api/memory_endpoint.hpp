// memory_endpoint.hpp: /v1/memory: an authenticated user (a session token with a user id)
// sees, adds and erases what DONNA remembers about them (store/memory_store).
//
//   GET    /v1/memory        -> 200 {"user_id":"u7","items":[{"id":3,"kind":"fact",
//                                    "text":"...","created_at":1764057600}, ...]} (newest first)
//   POST   /v1/memory        {"kind":"fact"|"preference","text":"..."} -> 201 the item
//   DELETE /v1/memory        -> 200 {"erased":N}          (everything, for this user and site)
//   DELETE /v1/memory/<id>   -> 200 {"erased":1}, 404 not_found
// Refusals: the session refusals (api/session_auth), 403 user_required (an anonymous
// visitor's token), 400 invalid_json / invalid_argument, 429 rate_limited (too many items),
// 405 for other methods, 500 storage_error. Every erase is written to the audit log.
#pragma once

#include "http/router.hpp"

#include "http/http_answer.hpp"

#include <cstdint>
#include <string_view>

namespace donna::relay {

class database;
class logger;
class memory_store;
struct relay_metrics;
class settings_source;

struct memory_http_request {
    std::string_view method; // "GET", "POST", "DELETE"
    std::string_view path;   // "/v1/memory" or "/v1/memory/<id>"
    std::string_view authorization;
    std::string_view origin;
    std::string_view self_origin;
    std::string_view body;
    std::int64_t now_unix = 0;
};

// What this endpoint uses of the relay, handed over by the composition root.
struct memory_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    logger& log;
    database& db;
    memory_store& memories;
};

http_answer memory_request(const memory_http_request& request, const memory_endpoint_deps& deps);

// The row of /v1/memory and /v1/memory/<id>.
route memory_route(const memory_endpoint_deps& deps);

} // namespace donna::relay
