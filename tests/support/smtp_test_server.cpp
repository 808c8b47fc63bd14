// smtp_test_server.cpp: the python3 process, its spool folder, and reading the spool back.
#include "smtp_test_server.hpp"

#include "file_text.hpp"
#include "test_pki.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <thread>

namespace donna::test {
namespace {

namespace fs = std::filesystem;

} // namespace

std::optional<std::string> received_mail::header(const std::string& name) const
{
    const auto head_end = raw.find("\r\n\r\n");
    const std::string head = raw.substr(0, head_end);
    std::size_t at = 0;
    while (at < head.size()) {
        auto end = head.find("\r\n", at);
        if (end == std::string::npos)
            end = head.size();
        const auto line = head.substr(at, end - at);
        if (line.size() > name.size() && line[name.size()] == ':' &&
            std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            std::string value = line.substr(name.size() + 1);
            // Unfold continuation lines.
            while (end < head.size() &&
                   (head.compare(end + 2, 1, " ") == 0 || head.compare(end + 2, 1, "\t") == 0)) {
                const auto next = head.find("\r\n", end + 2);
                value += head.substr(end + 2,
                                     (next == std::string::npos ? head.size() : next) - (end + 2));
                end = next == std::string::npos ? head.size() : next;
            }
            const auto first = value.find_first_not_of(' ');
            return first == std::string::npos ? std::string() : value.substr(first);
        }
        at = end + 2;
    }
    return std::nullopt;
}

smtp_test_server::smtp_test_server(std::filesystem::path dir, smtp_server_options options)
    : dir_(std::move(dir)), options_(std::move(options))
{
    fs::create_directories(dir_ / "spool");
    write_test_pki(dir_ / "pki");
}

smtp_test_server::~smtp_test_server() = default;

fs::path smtp_test_server::ca_file() const
{
    return dir_ / "pki" / "ca.pem";
}

bool smtp_test_server::start()
{
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     DONNA_SMTP_SERVER_SCRIPT,
                                     "--spool",
                                     (dir_ / "spool").string(),
                                     "--host",
                                     options_.host,
                                     "--port",
                                     std::to_string(port_),
                                     "--mode",
                                     options_.mode,
                                     "--cert",
                                     (dir_ / "pki" / "server.pem").string(),
                                     "--key",
                                     (dir_ / "pki" / "server.key").string()};
    if (!options_.user.empty()) {
        argv.insert(argv.end(), {"--user", options_.user, "--password", options_.password});
    }
    if (!options_.reject_domain.empty())
        argv.insert(argv.end(), {"--reject-domain", options_.reject_domain});
    if (!options_.tempfail_domain.empty())
        argv.insert(argv.end(), {"--tempfail-domain", options_.tempfail_domain});
    process_ = std::make_unique<child_process>(argv, std::vector<std::string>{"PATH=/usr/bin:/bin"},
                                               dir_ / "smtp_server.log");
    // The first line says the port; a server that fails to start closes stdout instead.
    const auto line = process_->read_line();
    unsigned port = 0;
    if (!line || std::sscanf(line->c_str(), "smtp_server: listening on port %u", &port) != 1)
        return false;
    port_ = static_cast<std::uint16_t>(port);
    return true;
}

void smtp_test_server::kill()
{
    if (process_) {
        process_->signal(SIGKILL);
        process_->wait_exit();
        process_.reset();
    }
}

void smtp_test_server::stop()
{
    if (process_) {
        process_->signal(SIGTERM);
        process_->wait_exit();
        process_.reset();
    }
}

std::size_t smtp_test_server::message_count() const
{
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(dir_ / "spool"))
        if (entry.path().extension() == ".eml")
            ++n;
    return n;
}

std::vector<received_mail> smtp_test_server::messages() const
{
    std::vector<received_mail> out;
    const auto count = message_count();
    for (std::size_t i = 1; i <= count; ++i) {
        received_mail m;
        m.raw = read_file(dir_ / "spool" / (std::to_string(i) + ".eml"));
        const auto envelope = nlohmann::json::parse(
            read_file(dir_ / "spool" / (std::to_string(i) + ".json")), nullptr, false);
        if (envelope.is_object()) {
            m.mail_from = envelope.value("mail_from", "");
            m.rcpt_tos = envelope.value("rcpt_tos", std::vector<std::string>{});
            m.tls = envelope.value("peer_tls", false);
        }
        out.push_back(std::move(m));
    }
    return out;
}

bool smtp_test_server::wait_for_messages(std::size_t n, std::chrono::milliseconds timeout) const
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (message_count() < n) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        // The spool is a folder another process writes: it is polled, briefly.
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

std::size_t smtp_test_server::connections() const
{
    const auto text = read_file(dir_ / "spool" / "connections");
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

} // namespace donna::test
