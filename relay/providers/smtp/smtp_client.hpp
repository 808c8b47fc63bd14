// smtp_client.hpp: sending one formatted message (providers/smtp/mail_message) to an SMTP
// server with libcurl: STARTTLS required (`tls`), implicit TLS (`ssl`) or plain (`none`, which
// the settings allow only on loopback); AUTH when a username is set; the server's
// certificate and host name verified against the system's store plus DONNA_UPSTREAM_CA_FILE.
// Blocking: run it on a thread of its own (outbox/email_sender does).
//
//   smtp_client smtp(settings);
//   auto sent = smtp.send("donna@acme.example", {"ana@example.com"}, message);
//   if (sent.verdict == smtp_verdict::reject) record_permanent_failure(sent.detail);
//
// The connection is kept open between messages (libcurl's connection cache: the next send
// starts with MAIL FROM instead of connect, TLS and AUTH), unless keep_alive is off; a
// connection the server closed meanwhile is opened again transparently. Not thread-safe: one
// client per thread.
//
// Verdicts: `sent` (the server answered 250 to the end of DATA); `reject` (a 5xx reply: the
// message will never be taken as it is, e.g. 550 for an unknown recipient); `retry` (a 4xx
// reply, a refused or lost connection, a timeout, a TLS failure, a refused login: the message
// may go through later or once an operator fixed the settings). `detail` carries the server's
// last reply line ("550 5.1.1 <x@example.com>: Recipient address rejected") or libcurl's
// error, never the credentials.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace donna::relay {

struct smtp_settings {
    std::string host;
    int port = 587;
    std::string username; // "" for no AUTH
    std::string password;
    std::string encryption = "tls"; // tls (STARTTLS required) | ssl (implicit TLS) | none
    std::string extra_ca_pem;       // PEM certificates trusted besides the system's
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds timeout{60000}; // one whole message, connect included
    bool keep_alive = true;
    // When given and set (from any thread), the send under way and every later one end at
    // once as a retry ("cancelled"): for a relay that is stopping.
    const std::atomic<bool>* cancel = nullptr;
};

enum class smtp_verdict { sent, retry, reject };

struct smtp_outcome {
    smtp_verdict verdict = smtp_verdict::retry;
    int reply_code = 0; // the server's last reply code; 0 when it never answered
    std::string detail; // the server's last reply line or libcurl's error; "" when sent
};

class smtp_client {
public:
    explicit smtp_client(smtp_settings settings);
    ~smtp_client();
    smtp_client(const smtp_client&) = delete;
    smtp_client& operator=(const smtp_client&) = delete;

    smtp_outcome send(const std::string& from, const std::vector<std::string>& to,
                      const std::string& message);

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

} // namespace donna::relay
