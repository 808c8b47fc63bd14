// messages_endpoint.hpp: GET /v1/messages, for the business's staff: the messages and callback
// requests DONNA's chat took (store/action_store's `messages`), and the emails and text
// messages waiting in the outbox, newest first.
//
//   GET /v1/messages?site=acme&limit=50     Authorization: Bearer <DONNA_ADMIN_TOKEN>
//   -> 200 {"messages":[{"id":7,"site":"acme","kind":"take_message","conversation":"…",
//                        "fields":{"name":"Ana","message":"…"},"created_at":1764057600}, …],
//           "outbox":[{"id":3,"site":"acme","channel":"sms","conversation":"…",
//                      "recipient":"+15550100199","payload":{"body":"…"},"status":"queued",
//                      "attempts":0,"created_at":1764057600}, …]}
// Query: site (every site when absent or empty), limit (1 to 500 per list, default 100).
// Refusals, OpenAI-shaped: 401 missing_admin_token (no Authorization: Bearer), 403
// admin_token_required (another token, or DONNA_ADMIN_TOKEN not set), 400 invalid_request
// (a bad query), 405 method_not_allowed, 500 storage_error. Each is counted in
// donna_errors_total.
#pragma once

#include "http/router.hpp"

#include "http/http_answer.hpp"

#include <string_view>

namespace donna::relay {

class database;
class logger;
struct relay_metrics;
class settings_source;

struct messages_http_request {
    std::string_view method;        // "GET" ("HEAD" too)
    std::string_view target;        // the request target, query included
    std::string_view authorization; // the Authorization header
};

// What this endpoint uses of the relay, handed over by the composition root.
struct messages_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    logger& log;
    database& db;
};

http_answer messages_request(const messages_http_request& request,
                             const messages_endpoint_deps& deps);

// The row of GET /v1/messages.
route messages_route(const messages_endpoint_deps& deps);

} // namespace donna::relay
