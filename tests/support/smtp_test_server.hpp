// smtp_test_server.hpp: a real SMTP server on loopback for tests and benchmarks: Debian's
// aiosmtpd, run as tests/support/smtp_server.py in a process of its own, with STARTTLS on the
// test CA's localhost certificate (tests/support/test_pki) and AUTH by default.
//
//   smtp_test_server smtp(temp_dir);             // spool, certificate and key go there
//   ASSERT_TRUE(smtp.start());
//   cfg.smtp_host = "127.0.0.1"; cfg.smtp_port = smtp.port(); ... smtp.ca_file() trusted
//   ASSERT_TRUE(smtp.wait_for_messages(1));
//   auto mail = smtp.messages()[0];              // raw bytes, envelope, headers
//   smtp.kill();  ... smtp.start();             // down for a while, back on the same port
//
// What a recipient domain does: reject_domain answers 550 (permanent), tempfail_domain 451.
#pragma once

#include "child_process.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace donna::test {

struct smtp_server_options {
    std::string mode = "starttls"; // starttls | ssl | plain
    // The loopback address it listens on; its certificate names localhost and 127.0.0.1 only.
    std::string host = "127.0.0.1";
    std::string user = "donna-mailer";
    std::string password = "smtp-test-password-1234"; // "" user: no AUTH asked for
    std::string reject_domain = "rejected.example";
    std::string tempfail_domain = "busy.example";
};

struct received_mail {
    std::string raw;                   // the message as the server stored it
    std::string mail_from;             // the envelope
    std::vector<std::string> rcpt_tos; //
    bool tls = false;                  // the session was encrypted when DATA came
    std::optional<std::string> header(const std::string& name) const; // first, unfolded
};

class smtp_test_server {
public:
    smtp_test_server(std::filesystem::path dir, smtp_server_options options = {});
    ~smtp_test_server();
    smtp_test_server(const smtp_test_server&) = delete;
    smtp_test_server& operator=(const smtp_test_server&) = delete;

    // Starts the server (on its previous port after a kill or stop); false if it did not
    // come up within 10 s.
    bool start();
    void kill(); // SIGKILL: connections cut, nothing said
    void stop(); // SIGTERM
    std::uint16_t port() const { return port_; }
    std::filesystem::path ca_file() const; // PEM of the CA that signed its certificate
    const smtp_server_options& options() const { return options_; }

    // Every message stored so far, in order of arrival.
    std::vector<received_mail> messages() const;
    std::size_t message_count() const;
    // Waits until at least n messages are stored; false after `timeout`.
    bool wait_for_messages(std::size_t n,
                           std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
    // TCP connections accepted so far (kept-alive connections count once).
    std::size_t connections() const;

private:
    std::filesystem::path dir_;
    smtp_server_options options_;
    std::uint16_t port_ = 0;
    std::unique_ptr<child_process> process_;
};

} // namespace donna::test
