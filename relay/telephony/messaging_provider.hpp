// messaging_provider.hpp: what the relay asks of a text-messaging provider (MESSAGING_PROVIDER,
// default telnyx), and all its callers (the outbox's SMS sender, the text conversations) know
// of one. A provider is added by implementing this and registering a factory in
// telephony/phone_providers; no caller changes.
//
//   messaging.send_text({.to = "+15550100199", .text = "Your table is booked.",
//                        .idempotency_key = "donna-outbox-42"},
//                       [](provider_result<text_accepted> r) { ... });
#pragma once

#include "telephony/provider_result.hpp"

#include <functional>
#include <string>
#include <vector>

namespace donna::relay {

struct outbound_text {
    std::string to;   // +E.164
    std::string text; // an SMS; with media_urls, an MMS caption
    std::vector<std::string> media_urls = {};
    // Names the message, not the attempt: a provider that sees the same key again sends
    // nothing new (Telnyx's Idempotency-Key).
    std::string idempotency_key = {};
};

struct text_accepted {
    std::string message_id; // the provider's, for its delivery reports
    std::string status;     // the recipient's first status, e.g. "queued"
};

class messaging_provider {
public:
    virtual ~messaging_provider() = default;
    // `done` exactly once, on any thread.
    virtual void send_text(const outbound_text& text,
                           std::function<void(provider_result<text_accepted>)> done) = 0;
};

} // namespace donna::relay
