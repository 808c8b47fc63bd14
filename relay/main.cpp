// main.cpp: donna-relay: reads the configuration, starts the server, stops on SIGINT or
// SIGTERM. Everything else lives in config/ and server/.
#include "config/config.hpp"
#include "server/server.hpp"

#include <csignal>
#include <iostream>
#include <pthread.h>

int main()
{
    auto cfg = donna::relay::load_config(donna::relay::process_environment);
    if (!cfg) {
        std::cerr << "donna-relay: configuration error: " << cfg.error().message << '\n';
        return 2;
    }
    // Block the stop signals before any thread starts (threads inherit the mask), then wait
    // for them synchronously: no async-signal-safety concerns, no race.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    donna::relay::server server(*cfg);
    if (auto started = server.start(); !started) {
        std::cerr << "donna-relay: " << started.error().message << '\n';
        return 1;
    }
    std::cout << "donna-relay: serving " << cfg->web_root << " on http://" << cfg->listen_address
              << ':' << server.port() << '/' << std::endl;

    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::cout << "donna-relay: " << (signal == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping"
              << std::endl;
    server.stop();
    server.wait();
    return 0;
}
