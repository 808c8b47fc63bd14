// sms_sender.hpp: delivers the outbox's text messages (store/action_store rows of channel
// "sms") through the messaging provider the settings name (MESSAGING_PROVIDER; telephony/):
// the job runner's handler of kind "outbox.sms", registered by the composition root.
//
//   sms_sender texts(actions, sms, providers, settings, registry, log);
//   runner.handle("outbox.sms", [&](const job& j, job_runner::settle done) {
//       texts.deliver(j, std::move(done));
//   });
//
// Each attempt is written to the row before it starts (status sending, attempts + 1) and
// after it ends: sent (with the provider's message id, which its delivery reports name),
// queued again with the reason (the provider unreachable, 429, 5xx, not configured yet), or
// failed (the provider refused the message, the number opted out, attempts used up).
//
// Never twice: every attempt of a row carries the same idempotency key
// ("donna-outbox-<id>-<created_at>") and the same body, so a provider that took the message
// before a crash answers the retry with the message it already has (Telnyx's Idempotency-Key)
// instead of sending another; a row already sent is never worked again. A number that texted
// STOP is never sent anything (the row fails with the reason), checked at every attempt.
//
// The payload: {"body", "media_urls"?: [...]} (media makes an MMS). The provider's callback may
// run on any thread; the row is written there.
//
// Metrics: donna_outbox_deliveries_total{channel="sms",outcome} (sent, retry, failed).
#pragma once

#include "jobs/job_runner.hpp"
#include "outbox/outbox_delivery.hpp"

#include <string>

namespace donna::relay {

class action_store;
class logger;
class metrics_registry;
class phone_providers;
class settings_source;
class sms_store;

class sms_sender {
public:
    sms_sender(action_store& store, sms_store& sms, const phone_providers& providers,
               const settings_source& settings, metrics_registry& registry, logger& log);

    void deliver(const job& j, job_runner::settle done);

    // The idempotency key of an outbox row's text.
    static std::string idempotency_key(const outbox_item& row);

private:
    outbox_delivery record_;
    sms_store& sms_;
    const phone_providers& providers_;
    const settings_source& settings_;
};

} // namespace donna::relay
