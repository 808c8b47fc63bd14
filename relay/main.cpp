// main.cpp: donna-relay: reads the configuration, starts the server, then waits for signals:
// SIGHUP reloads keys and settings (live sessions keep theirs), SIGTERM drains sessions up to
// DONNA_SHUTDOWN_GRACE_MS and stops, SIGINT stops at once. Everything else lives in the
// folders beside this file.
#include "app/relay_app.hpp"
#include "app/services.hpp"
#include "config/config.hpp"
#include "log/log.hpp"

#include <csignal>
#include <exception>
#include <iostream>
#include <pthread.h>

namespace {

using donna::relay::logger;

donna::result<donna::relay::config> read_configuration()
{
    auto env = donna::relay::process_environment_with_dotenv();
    if (!env)
        return env.error();
    return donna::relay::load_config(*env);
}

std::string describe_mode(const donna::relay::config& cfg)
{
    switch (cfg.realtime()) {
    case donna::relay::realtime_mode::openai:
        return "voice: OpenAI Realtime (" + cfg.openai_realtime_model + ")";
    case donna::relay::realtime_mode::demo:
        return "voice: DEMO MODE (no OpenAI key: a local simulated assistant answers)";
    case donna::relay::realtime_mode::off:
        return "voice: off (OPENAI_API_KEY is not set; DONNA_DEMO=1 enables the local demo)";
    }
    return "";
}

void reload(donna::relay::services& services, logger& log)
{
    auto cfg = read_configuration();
    if (!cfg) {
        log.error("config", "reload refused, keeping the running settings: " + cfg.error().message);
        return;
    }
    const auto restart = donna::relay::restart_required_changes(services.settings()->cfg, *cfg);
    for (const auto& name : restart)
        log.warn("config", name + " changed: takes effect after a restart");
    const std::string mode = describe_mode(*cfg);
    if (auto reloaded = services.reload(std::move(*cfg)); !reloaded) {
        log.error("config", "reload refused: " + reloaded.error().message);
        return;
    }
    log.info("config", "reloaded (SIGHUP); new sessions use the new settings; " + mode);
}

int run()
{
    logger log(std::clog);
    auto cfg = read_configuration();
    if (!cfg) {
        log.error("config", "configuration error: " + cfg.error().message);
        return 2;
    }
    // Block the signals before any thread starts (threads inherit the mask), then wait for
    // them synchronously: no async-signal-safety concerns, no race.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    // A write to a peer that has gone (a socket or pipe some library writes without
    // MSG_NOSIGNAL) must fail with EPIPE, not end the process: a relay never dies of SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);

    const std::string mode = describe_mode(*cfg);
    auto app = donna::relay::relay_app::create(std::move(*cfg), log);
    if (!app) {
        log.error("config", "configuration error: " + app.error().message);
        return 2;
    }
    auto& relay = **app;
    if (auto started = relay.start(); !started) {
        log.error("relay", started.error().message);
        return 1;
    }
    auto& services = relay.svc();
    const auto& running = services.settings()->cfg;
    log.info("relay", std::string("serving ") + running.web_root + " on " +
                          (running.tls_cert_file.empty() ? "http://" : "https://") +
                          running.listen_address + ":" + std::to_string(relay.port()) + "/ ; " +
                          mode);
    std::cout << "donna-relay: listening on port " << relay.port() << std::endl;

    for (;;) {
        int signal = 0;
        sigwait(&signals, &signal);
        if (signal == SIGHUP) {
            reload(services, log);
            continue;
        }
        if (signal == SIGTERM) {
            const auto grace =
                std::chrono::milliseconds(services.settings()->cfg.shutdown_grace_ms);
            log.info("relay", "SIGTERM: draining sessions for up to " +
                                  std::to_string(grace.count()) + " ms");
            const bool drained = relay.shutdown(grace);
            log.info("relay", drained ? "all sessions ended; stopped"
                                      : "grace period over; stopped with sessions open");
        } else {
            log.info("relay", "SIGINT: stopping");
            relay.stop();
        }
        break;
    }
    relay.wait();
    return 0;
}

} // namespace

// Whatever escapes the relay ends it with its reason on stderr and exit status 1, rather
// than std::terminate's abort without one.
int main()
{
    try {
        return run();
    } catch (const std::exception& e) {
        std::clog << "donna-relay: stopped by an unexpected error: " << e.what() << std::endl;
    } catch (...) {
        std::clog << "donna-relay: stopped by an unexpected error" << std::endl;
    }
    return 1;
}
