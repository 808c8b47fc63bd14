// phone_events.hpp: what the relay does with a Telnyx event once it is stored: the job
// handler of kind "webhook.telnyx" (store/webhook_store enqueues one per stored event, in the
// same transaction, so no event is stored without being processed).
//
//   phone_events events({webhooks, sms, texts, metrics, log});
//   runner.handle("webhook.telnyx", [&](const job& j, job_runner::settle done) {
//       events.process(j, std::move(done));
//   });
//
// By type: message.sent and message.finalized update the message's delivery report (store/
// sms_store: the latest by occurred_at wins, so reports that arrive out of order settle right);
// message.received goes to the text conversations (phone/sms_conversations); call events
// (call.initiated, call.answered, call.bridged, call.hangup, call.recording.saved, call.cost...)
// go to the call history (store/call_store: the timeline, the status by occurred_at); any
// other type is stored only.
//
// Metrics: donna_webhook_events_processed_total{provider="telnyx",event_type,outcome}
// (applied, stale: a report older than the one kept, ignored: nothing to do for the type).
#pragma once

#include "jobs/job_runner.hpp"

namespace donna::relay {

class database;
class logger;
class settings_source;
class sms_conversations;
class sms_store;
class webhook_store;
struct relay_metrics;

struct phone_events_deps {
    const settings_source& settings; // the sites: whose number a call came in on
    webhook_store& webhooks;
    database& db;
    sms_store& sms;
    sms_conversations& texts;
    relay_metrics& metrics;
    logger& log;
};

class phone_events {
public:
    explicit phone_events(phone_events_deps deps) : deps_(deps) {}

    void process(const job& j, job_runner::settle done);

private:
    void count(const std::string& event_type, const char* outcome);

    phone_events_deps deps_;
};

} // namespace donna::relay
