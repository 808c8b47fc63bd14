// sms_conversations.hpp: texts to the business's numbers (message.received), answered by
// DONNA. Each text is kept in its thread (store/sms_store: a site and the sender's number),
// then: STOP and its synonyms opt the number out (it is never texted again; Telnyx's messaging
// profile sends the one confirmation carriers expect), START opts it back in (with a short
// confirmation), HELP gets the site's contact line; anything else goes to DONNA's chat with the
// site's persona and actions, and the reply goes back through the outbox (outbox.sms), so it
// is durable and sent exactly once. The site is the one whose `phone_numbers` (sites file)
// hold the number texted; a text to a number no site claims is kept, counted and not answered.
//
//   sms_conversations texts({sms, chat, settings, poke_jobs, metrics, log});
//   texts.on_received(message, [done](job_outcome o) { done(o); });   // a webhook.telnyx job
//
// Re-runs are safe: a text is recorded once per provider message id, and one that already
// has its answer is not answered again (a crash between the reply and the job's settling).
//
// Metrics: donna_sms_received_total{outcome} (answered, stop, start, help, opted_out,
// unrouted, refused).
#pragma once

#include "jobs/job_runner.hpp"

#include <functional>
#include <string>

namespace donna::relay {

class chat_service;
class logger;
class settings_source;
class sms_store;
struct relay_metrics;
struct telnyx_message;

struct sms_conversations_deps {
    sms_store& sms;
    chat_service& chat;
    const settings_source& settings;
    std::function<void()> poke_jobs; // a reply was queued: send it now
    relay_metrics& metrics;
    logger& log;
};

class sms_conversations {
public:
    explicit sms_conversations(sms_conversations_deps deps) : deps_(std::move(deps)) {}

    // `done` exactly once (at once, or when the chat's reply is queued).
    void on_received(const telnyx_message& message, const std::function<void(job_outcome)>& done);

private:
    job_outcome reply(const std::string& site, const std::string& number, std::int64_t inbound_id,
                      const std::string& text);
    void count(const char* outcome);

    sms_conversations_deps deps_;
};

} // namespace donna::relay
