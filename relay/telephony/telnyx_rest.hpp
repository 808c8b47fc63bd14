// telnyx_rest.hpp: one Telnyx REST call through the relay's HTTP client (upstream name
// "telnyx": its rate limit, retries of 429 and 5xx, breaker and metrics), its answer as a 2xx
// response or a provider_failure in the relay's words (providers/telnyx/telnyx_errors). What
// the Telnyx providers of this folder share.
//
//   call_telnyx(http, telnyx_send_message_request(cfg, params),
//               [](provider_result<upstream_response> r) { ... });
#pragma once

#include "telephony/provider_result.hpp"
#include "upstream/http_client.hpp"

#include <functional>
#include <optional>

namespace donna::relay {

struct config;

void call_telnyx(http_client& http, upstream_request request,
                 std::function<void(provider_result<upstream_response>)> done);

// Why Telnyx cannot be called with these settings (no API key, or no `needs` setting), or
// nullopt. The failure is a retry: the outbox waits for the settings (a SIGHUP) rather than
// dropping what it owes.
std::optional<provider_failure> telnyx_unconfigured(const config& cfg);

// A 2xx whose body is not what Telnyx documents.
provider_failure telnyx_unreadable(const error& why);

} // namespace donna::relay
