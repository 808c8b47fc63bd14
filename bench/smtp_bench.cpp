// smtp_bench.cpp: how fast the relay's SMTP client (providers/smtp/smtp_client, what the
// outbox's email sender uses) hands mails to a real SMTP server on loopback (aiosmtpd with
// STARTTLS on the test CA and AUTH: tests/support/smtp_test_server), over one kept-alive
// connection (the relay's choice) against a new connection per mail (the baseline: connect,
// EHLO, STARTTLS, TLS handshake, EHLO, AUTH, every time).
//   smtp_bench <out.json> [mails=200] [rounds=3]
// Each round sends `mails` messages each way, alternating which goes first; the JSON has the
// median round's mails per second and the connections the server saw. Prints what it writes.
#include "file_text.hpp"
#include "providers/smtp/mail_message.hpp"
#include "providers/smtp/smtp_client.hpp"
#include "smtp_test_server.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using donna::relay::smtp_client;
using donna::relay::smtp_settings;
using donna::relay::smtp_verdict;

std::string message(int n)
{
    donna::relay::mail_content m;
    m.from = {"donna@acme.example", "DONNA"};
    m.to = {"guest@example.com", ""};
    m.subject = "Your booking " + std::to_string(n);
    m.text = "Hello,\n\nYour table for two is booked for 8 pm. See you soon!\n\nDONNA";
    m.message_id = donna::relay::outbox_message_id(n, 1796644800, "acme.example");
    m.date_unix = 1796644800;
    return *donna::relay::format_mail(m);
}

struct run_result {
    double seconds = 0;
    std::size_t connections = 0;
    int failures = 0;
};

run_result send_all(donna::test::smtp_test_server& server, smtp_settings settings, int mails,
                    int first)
{
    const auto connections_before = server.connections();
    run_result r;
    const auto start = std::chrono::steady_clock::now();
    {
        smtp_client client(std::move(settings));
        for (int i = 0; i < mails; ++i)
            if (client.send("donna@acme.example", {"guest@example.com"}, message(first + i))
                    .verdict != smtp_verdict::sent)
                ++r.failures;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.connections = server.connections() - connections_before;
    return r;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: smtp_bench <out.json> [mails=200] [rounds=3]\n";
        return 2;
    }
    const int mails = argc > 2 ? std::stoi(argv[2]) : 200;
    const int rounds = argc > 3 ? std::stoi(argv[3]) : 3;
    const auto dir = fs::temp_directory_path() / ("donna-smtp-bench-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    int status = 0;
    {
        donna::test::smtp_test_server server(dir);
        if (!server.start()) {
            std::cerr << "smtp_bench: the SMTP server did not start: "
                      << donna::test::read_file(dir / "smtp_server.log") << "\n";
            fs::remove_all(dir);
            return 1;
        }
        smtp_settings kept{.host = "127.0.0.1",
                           .port = server.port(),
                           .username = server.options().user,
                           .password = server.options().password,
                           .encryption = "tls",
                           .extra_ca_pem = donna::test::read_file(server.ca_file())};
        auto fresh = kept;
        fresh.keep_alive = false;
        std::vector<double> kept_rate, fresh_rate;
        std::size_t kept_connections = 0, fresh_connections = 0;
        int failures = 0, next = 1;
        for (int round = 0; round < rounds; ++round) {
            const bool kept_first = round % 2 == 0;
            for (int pass = 0; pass < 2; ++pass) {
                const bool keep = (pass == 0) == kept_first;
                const auto r = send_all(server, keep ? kept : fresh, mails, next);
                next += mails;
                failures += r.failures;
                (keep ? kept_rate : fresh_rate).push_back(mails / r.seconds);
                (keep ? kept_connections : fresh_connections) = r.connections;
            }
        }
        std::ostringstream json;
        json << "{\"mails\":" << mails << ",\"rounds\":" << rounds
             << ",\"kept_alive\":{\"mails_per_second\":" << median(kept_rate)
             << ",\"connections\":" << kept_connections
             << "},\"new_connection_each\":{\"mails_per_second\":" << median(fresh_rate)
             << ",\"connections\":" << fresh_connections << "},\"failures\":" << failures << "}\n";
        std::ofstream(argv[1]) << json.str();
        std::cout << json.str();
        status = failures == 0 ? 0 : 1;
        server.stop();
    }
    fs::remove_all(dir);
    return status;
}
