// calls_endpoint.hpp: the admin's phone calls (Authorization: Bearer DONNA_ADMIN_TOKEN), over
// the voice provider VOICE_PROVIDER names (telephony/) and the call history the provider's
// events keep (store/call_store, filled by phone/phone_events):
//
//   POST /v1/calls {"to":"+15550100199","site":"demo"}          -> 201 {"call":{...}}
//   GET  /v1/calls?number=+15550100199&status=ended&limit=50     -> {"calls":[...],"next_cursor"}
//   GET  /v1/calls/17                                            -> {"call":{..., "timeline",
//                                                                    "recordings","transfers",
//                                                                    "cost","live"}}
//   POST /v1/calls/17/actions/hangup {"command_id":"..."}        -> {"result":"ok",...}
//        actions: answer, hangup, transfer {"to"}, record_start {"format","channels"},
//        record_stop
//
// A dial is written down (status dialing) before the provider is asked, with client_state
// "donna-call:<id>" and command_id "dial-<id>": the events that follow find the call even
// when they arrive before the provider's answer does. A command's command_id is the caller's
// (send the same one to retry safely) or a new one. The listing pages with `cursor` (the last
// id of the page before: ids only grow, so a call that starts meanwhile never shifts a page).
//
// Refusals: 401 missing_admin_token, 403 admin_token_required, 400 invalid_request (a field
// or parameter, named), 404 call_not_found, 404 unknown_action, 409 call_not_ready (the
// provider has not named the call yet), 503 phone_not_configured, and the provider's own
// (telnyx_invalid_request 422, telnyx_call_ended 422, telnyx_not_found 404, telnyx_unauthorized
// 502, telnyx_rate_limited / telnyx_unavailable 503). Each counted in donna_errors_total;
// every command in donna_call_commands_total{action,outcome}.
#pragma once

#include "http/router.hpp"

namespace donna::relay {

class call_store;
class database;
class logger;
class phone_providers;
class settings_source;
struct relay_metrics;

struct calls_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    logger& log;
    database& db;
    const phone_providers& phones;
};

inline constexpr std::string_view calls_path = "/v1/calls";

// /v1/calls (list, dial) and, as a prefix, /v1/calls/<id>... (one call, its actions).
route calls_route(const calls_endpoint_deps& deps);

} // namespace donna::relay
