// phone_events.hpp: what the relay does with a Telnyx event once it is stored: the job
// handler of kind "webhook.telnyx" (store/webhook_store enqueues one per stored event, in the
// same transaction, so no event is stored without being processed).
//
//   phone_events events({webhooks, sms, texts, metrics, log});
//   runner.handle("webhook.telnyx", [&](const job& j, job_runner::settle done) {
//       events.process(j, std::move(done));
//   });
//
// First, every fanout endpoint (DONNA_FANOUT_FILE) whose `events` match the type gets a
// delivery (store/fanout_store, outbox/fanout_sender), whatever the type, known or not,
// ordered per stream: the call (call_session_id), the message (its id), else the event alone.
//
// Then, by type: message.sent and message.finalized update the message's delivery report (store/
// sms_store: the latest by occurred_at wins, so reports that arrive out of order settle right);
// message.received goes to the text conversations (phone/sms_conversations); call events
// (call.initiated, call.answered, call.bridged, call.hangup, call.recording.saved, call.cost...)
// go to the call history (store/call_store: the timeline, the status by occurred_at), and an
// incoming call.initiated that the relay did not dial is answered or rejected
// (phone/call_answering); any other type is stored only.
//
// Metrics: donna_webhook_events_processed_total{provider="telnyx",event_type,outcome}
// (applied, stale: a report older than the one kept, ignored: nothing to do for the type).
#pragma once

#include "jobs/job_runner.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>

namespace donna::relay {

class call_store;
class call_answering;
class database;
class fanout_store;
class logger;
class settings_source;
class sms_conversations;
class sms_store;
class webhook_store;
struct call_event;
struct webhook_event;
struct relay_metrics;

struct phone_events_deps {
    const settings_source& settings; // the sites: whose number a call came in on
    webhook_store& webhooks;
    fanout_store& fanout; // the endpoints that want the event get their deliveries first
    std::function<void()> poke_jobs;
    database& db;
    sms_store& sms;
    sms_conversations& texts;
    call_answering& answering; // an incoming call to a site's number: answered or rejected
    relay_metrics& metrics;
    logger& log;
};

class phone_events {
public:
    explicit phone_events(phone_events_deps deps) : deps_(std::move(deps)) {}

    void process(const job& j, job_runner::settle done);

private:
    void count(const std::string& event_type, const char* outcome);
    status fan_out(const webhook_event& event, const nlohmann::json* payload);
    void transfer_leg_ended(call_store& calls, std::int64_t call_id, const call_event& leg,
                            job_runner::settle done);

    phone_events_deps deps_;
};

} // namespace donna::relay
