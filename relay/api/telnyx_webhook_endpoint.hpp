// telnyx_webhook_endpoint.hpp: POST /v1/webhooks/telnyx, the one public route Telnyx calls
// (Call Control and messaging events alike). Each request is checked and stored before it is
// answered, with the job that processes it (kind webhook.telnyx, store/webhook_store) in the
// same transaction; what the event sets off happens in that job, never while Telnyx waits (it
// allows 2 s).
//
//   POST /v1/webhooks/telnyx   telnyx-timestamp: 1796644800
//                              telnyx-signature-ed25519: <base64>
//   {"data":{"id":"...","event_type":"call.initiated","occurred_at":"...","payload":{...}}}
//   -> 200 {"status":"stored"}       the first time this event id arrives
//   -> 200 {"status":"duplicate"}    a resend or a replay: nothing changes, Telnyx stops
//
// Refusals (Telnyx's own retries are what recovers from a 5xx): 400 webhook_headers_invalid
// (missing or malformed telnyx-timestamp or telnyx-signature-ed25519), 401
// webhook_signature_invalid (not signed by TELNYX_PUBLIC_KEY's account: forged or
// tampered), 401 webhook_timestamp_stale (signed, but more than 300 s from the relay's
// clock), 400 invalid_json / not_an_object / missing_field / wrong_type / invalid_argument
// (a signed body that is not a Telnyx event), 503 webhooks_not_configured (no
// TELNYX_PUBLIC_KEY), 500 storage_error. Each is counted in
// donna_webhooks_total{provider="telnyx",outcome} and donna_errors_total.
#pragma once

#include "http/router.hpp"

namespace donna::relay {

class job_runner;
class webhook_intake;
class logger;
class settings_source;
struct relay_metrics;

struct telnyx_webhook_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    logger& log;
    webhook_intake& intake; // stores the event (a burst's in one commit) before the answer
    job_runner& jobs;       // a stored event's processing job runs at once, not at the next poll
};

inline constexpr std::string_view telnyx_webhook_path = "/v1/webhooks/telnyx";

route telnyx_webhook_route(const telnyx_webhook_endpoint_deps& deps);

} // namespace donna::relay
