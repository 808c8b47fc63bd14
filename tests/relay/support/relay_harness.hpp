// relay_harness.hpp: a real relay on a loopback port, with a real HTTP and WebSocket client
// for tests (Beast, synchronous, every read bounded by a timeout so a bug fails, not hangs).
//
//   relay_harness relay(cfg);                      // builds and starts a relay_app on port 0
//   auto token = relay.session_token("demo");      // POST /v1/session with an allowed Origin
//   auto ws = relay.open_realtime(token);          // Bearer auth, GA dialect
//   ws.send(R"({"type":"response.create"})");
//   auto event = ws.read_until_type("response.done");
#pragma once

#include "config/config.hpp"
#include "telephony/phone_providers.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace donna::relay {

class services;
class relay_app;
class logger;

namespace test {

struct http_result {
    int status = 0;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
    bool complete = true; // false when the server ended the body early (plain HTTP only)
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// Designated initialisers name only what a test changes; the rest keep these defaults.
struct ws_options {
    std::string token = {};      // sent as Authorization: Bearer (unless in_subprotocol)
    bool in_subprotocol = false; // browser style: openai-insecure-api-key.<token>
    bool beta = false;           // OpenAI-Beta: realtime=v1
    std::string query = "?model=gpt-realtime";
    std::string origin = {}; // Origin header ("" = none)
    bool tls = false;        // wss, trusting the test CA
};

struct ws_message {
    std::string data;
    bool binary = false;
    nlohmann::json json() const { return nlohmann::json::parse(data, nullptr, false); }
    std::string type() const;
};

class ws_client {
public:
    ~ws_client();
    ws_client(ws_client&&) noexcept;
    ws_client& operator=(ws_client&&) = delete;
    ws_client(const ws_client&) = delete;
    ws_client& operator=(const ws_client&) = delete;

    void send(const std::string& text);
    void send_binary(const std::vector<std::uint8_t>& bytes);
    // nullopt on timeout or when the connection closed (closed() then says so).
    std::optional<ws_message> read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Reads until an event of this type arrives (collecting everything read on the way).
    std::optional<ws_message>
    read_until_type(const std::string& type, std::vector<ws_message>* seen = nullptr,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void close();
    // After the server closed: its close code (0 when none was received).
    bool closed() const;
    int close_code() const;
    std::string subprotocol() const; // Sec-WebSocket-Protocol the server answered

    struct impl;
    explicit ws_client(std::unique_ptr<impl> p);

private:
    std::unique_ptr<impl> impl_;
};

class relay_harness {
public:
    // Log lines go to `log_out` when given (tests read them), else to std::clog (warnings).
    explicit relay_harness(config cfg, std::ostream* log_out = nullptr);
    // With the phone providers of the test's choosing (its own, registered through the seam).
    relay_harness(config cfg, phone_providers phones, std::ostream* log_out = nullptr);
    ~relay_harness();
    relay_harness(const relay_harness&) = delete;
    relay_harness& operator=(const relay_harness&) = delete;

    std::uint16_t port() const;
    std::string self_origin() const; // "http://127.0.0.1:<port>"
    services& svc();
    relay_app& app();

    http_result request(const std::string& method, const std::string& target,
                        const std::string& body = "",
                        const std::map<std::string, std::string>& headers = {}, bool tls = false);
    // POST /v1/session for `site` with Origin = self_origin() unless given; the token.
    std::string session_token(const std::string& site = "demo", const std::string& origin = "");
    // The upgrade; on refusal, the HTTP answer instead.
    ws_client open_realtime(const ws_options& options);
    http_result refused_upgrade(const ws_options& options);
    // The value of one series (`name{labels}`, labels sorted) in GET /metrics; 0 when absent.
    double metric(const std::string& series);

private:
    std::unique_ptr<logger> log_;
    std::unique_ptr<relay_app> app_;
};

// One HTTP request to 127.0.0.1:port (TLS trusting the test CA when tls).
http_result http_request(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {}, bool tls = false);

// A TLS client context trusting the test CA (tests/support/test_pki), for wss and https.
boost::asio::ssl::context& test_client_tls();

// The admin bearer token (DONNA_ADMIN_TOKEN) of tests that set config::admin_token.
inline const std::string test_admin_token = "admin-token-for-tests-0123456789";
// Authorization: Bearer <token>, with Content-Type: application/json for the bodies.
std::map<std::string, std::string> bearer(const std::string& token);
// The JSON data of every server-sent event in a body (unparseable data as a discarded value).
std::vector<nlohmann::json> sse_events(const std::string& body);

// A config for tests: port 0, a web root that exists, short timeouts and back-off.
config test_config();
// test_config() with OpenAI Realtime pointed at a fake (its base URL) that expects
// fake_openai_key.
inline constexpr const char* fake_openai_key = "sk-fake-test-key";
config test_config_with_upstream(const std::string& openai_base_url);

} // namespace test
} // namespace donna::relay
