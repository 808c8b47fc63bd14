// telnyx_messaging_provider.hpp: the messaging_provider for Telnyx (MESSAGING_PROVIDER=telnyx):
// POST /v2/messages from TELNYX_PHONE_NUMBER and/or TELNYX_MESSAGING_PROFILE_ID, with the
// text's idempotency key as Telnyx's Idempotency-Key (providers/telnyx/telnyx_messaging).
// Settings are read per message.
#pragma once

#include "telephony/messaging_provider.hpp"

namespace donna::relay {

class http_client;
class settings_source;

class telnyx_messaging_provider : public messaging_provider {
public:
    telnyx_messaging_provider(http_client& http, const settings_source& settings)
        : http_(http), settings_(settings)
    {}

    void send_text(const outbound_text& text,
                   std::function<void(provider_result<text_accepted>)> done) override;

private:
    http_client& http_;
    const settings_source& settings_;
};

} // namespace donna::relay
