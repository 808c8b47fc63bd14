// relay_harness.cpp: the test relay on a loopback port and the helpers tests share. Its
// clients live beside it: relay_harness_http.cpp (HTTP requests), relay_harness_ws.cpp
// (the WebSocket client), so no one file instantiates all of Beast.
#include "relay_harness.hpp"

#include "app/relay_app.hpp"
#include "app/services.hpp"
#include "log/log.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace donna::relay::test {

config test_config()
{
    config c;
    c.port = 0;
    c.threads = 2;
    static const auto root = [] {
        auto dir = std::filesystem::temp_directory_path() /
                   ("donna-harness-web-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "index.html") << "<!doctype html><title>DONNA</title>";
        return dir;
    }();
    c.web_root = root.string();
    c.sites = default_sites();
    c.token_secret = "test-secret-of-at-least-32-characters";
    c.upstream_connect_timeout_ms = 1500;
    c.upstream_backoff_ms = 20;
    c.shutdown_grace_ms = 2000;
    c.database = ":memory:";
    // The model list is asked for only by the tests about it (ModelWatch): elsewhere it
    // would be one more request to the fakes that count theirs.
    c.model_check = false;
    return c;
}

config test_config_with_upstream(const std::string& openai_base_url)
{
    auto c = test_config();
    c.openai_api_key = fake_openai_key;
    c.openai_base_url = openai_base_url;
    return c;
}

relay_harness::relay_harness(config cfg, std::ostream* log_out)
    : relay_harness(std::move(cfg), phone_providers::with_defaults(), log_out)
{}

relay_harness::relay_harness(config cfg, phone_providers phones, std::ostream* log_out)
    : log_(log_out ? std::make_unique<logger>(*log_out, log_level::debug)
                   : std::make_unique<logger>(std::clog, log_level::warn))
{
    auto created = relay_app::create(std::move(cfg), *log_, std::move(phones));
    if (!created)
        throw std::runtime_error("services: " + created.error().message);
    app_ = std::move(*created);
    if (auto started = app_->start(); !started)
        throw std::runtime_error("server: " + started.error().message);
}

relay_harness::~relay_harness()
{
    app_.reset();
}

std::uint16_t relay_harness::port() const
{
    return app_->port();
}
std::string relay_harness::self_origin() const
{
    return "http://127.0.0.1:" + std::to_string(port());
}
services& relay_harness::svc()
{
    return app_->svc();
}
relay_app& relay_harness::app()
{
    return *app_;
}

http_result relay_harness::request(const std::string& method, const std::string& target,
                                   const std::string& body,
                                   const std::map<std::string, std::string>& headers, bool tls)
{
    return http_request(port(), method, target, body, headers, tls);
}

std::string relay_harness::session_token(const std::string& site, const std::string& origin)
{
    const auto res = request("POST", "/v1/session", R"({"site":")" + site + R"("})",
                             {{"Origin", origin.empty() ? self_origin() : origin}});
    if (res.status != 200)
        throw std::runtime_error("POST /v1/session: " + std::to_string(res.status) + " " +
                                 res.body);
    return res.json()["token"].get<std::string>();
}

double relay_harness::metric(const std::string& series)
{
    const auto text = request("GET", "/metrics").body;
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 2));
}

std::map<std::string, std::string> bearer(const std::string& token)
{
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

std::vector<nlohmann::json> sse_events(const std::string& body)
{
    std::vector<nlohmann::json> events;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("data: ", 0) == 0)
            events.push_back(nlohmann::json::parse(line.substr(6), nullptr, false));
    return events;
}

} // namespace donna::relay::test
