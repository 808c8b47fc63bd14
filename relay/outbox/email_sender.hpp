// email_sender.hpp: delivers the outbox's emails (store/action_store rows of channel "email")
// over SMTP (providers/smtp): the job runner's handler of kind "outbox.email". The
// composition root (app/relay_app) registers it when SMTP_HOST is set.
//
//   email_sender mail(actions, settings, ca_pem, registry, log);
//   runner.handle("outbox.email", [&](const job& j, job_runner::settle done) {
//       mail.deliver(j, std::move(done));
//   });
//
// One thread of its own sends, one message at a time, over one kept-alive SMTP connection
// (libcurl blocks; the relay's I/O threads never wait on a mail server). Each attempt is
// written to the row before it starts (status sending, attempts + 1) and after it ends:
// sent (sent_at), queued again with the reason (a 4xx reply, no connection, a TLS or login
// failure: the job runner retries with backoff), or failed with the server's reply (a 5xx,
// an address the relay would not write, or the last attempt used up).
//
// Delivery guarantee: at least once, with the row's Message-ID on every attempt. A row sent
// is never sent again (a re-run job finds status sent and settles). The one window left: the
// relay dies after the server took the message and before the row says so; the job's lease
// lapses, the message is sent again, and the receiver sees the same Message-ID twice (mail
// clients and the tests recognise the duplicate by it). SMTP offers nothing that closes it.
//
// Settings are read per message (SIGHUP changes the server or the sender at the next one);
// DONNA_UPSTREAM_CA_FILE's certificates are trusted besides the system's.
//
// Metrics: donna_outbox_deliveries_total{channel="email",outcome} (sent, retry, failed) and
// donna_smtp_send_seconds (one message, connect included when there was none to reuse).
#pragma once

#include "jobs/job_runner.hpp"

#include <memory>
#include <string>

namespace donna::relay {

class action_store;
class logger;
class metrics_registry;
class settings_source;

class email_sender {
public:
    email_sender(action_store& store, const settings_source& settings, std::string extra_ca_pem,
                 metrics_registry& registry, logger& log);
    // Finishes the message in hand, settles every job still waiting as a retry, then stops.
    ~email_sender();
    email_sender(const email_sender&) = delete;
    email_sender& operator=(const email_sender&) = delete;

    void deliver(const job& j, job_runner::settle done);

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace donna::relay
