// telnyx_test_config.hpp: a relay configuration for the phone tests: test_config() pointed at
// a Telnyx fake (its key, base URL, webhook signing key and Call Control app), the business's
// number on the demo site, an admin token, and a job runner that polls and retries quickly.
#pragma once

#include "fake_telnyx.hpp"
#include "relay_harness.hpp"

#include <string>

namespace donna::relay::test {

inline config telnyx_test_config(const fakes::fake_telnyx& telnyx, const std::string& business)
{
    auto c = test_config();
    c.admin_token = test_admin_token;
    c.telnyx_api_key = telnyx.api_key();
    c.telnyx_base_url = telnyx.base_url();
    c.telnyx_public_key = telnyx.signer().public_key_base64();
    c.telnyx_phone_number = business;
    c.telnyx_connection_id = telnyx.connection_id();
    c.sites.sites[0].phone_numbers = {business};
    c.job_poll_ms = 20;
    c.job_retry_ms = 50;
    return c;
}

// A body posted to the relay's webhook route as Telnyx sends it, signed now by the fake's key;
// the HTTP status.
inline int post_signed_webhook(relay_harness& relay, const fakes::fake_telnyx& telnyx,
                               const std::string& body)
{
    return relay.request("POST", "/v1/webhooks/telnyx", body, telnyx.signer().headers_now(body))
        .status;
}

} // namespace donna::relay::test
