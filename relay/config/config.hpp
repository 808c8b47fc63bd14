// config.hpp: the relay's settings, read once at start-up from the environment.
//
// Every value has a default that works on a developer's machine with no configuration at
// all: the relay listens on 127.0.0.1:8080 and serves the built client. Invalid values stop
// start-up with a message that names the variable.
//
//   auto config = donna::relay::load_config(donna::relay::process_environment);
//   if (!config) { std::cerr << config.error().message << '\n'; return 2; }
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace donna::relay {

struct config {
    std::string listen_address = "127.0.0.1"; // DONNA_LISTEN_ADDRESS
    std::uint16_t port = 8080;                // DONNA_PORT (0 picks a free port)
    std::string web_root = "web";             // DONNA_WEB_ROOT: the built client's files
    int threads = 2;                          // DONNA_THREADS: I/O threads (1..64)
};

// Looks a variable up; returns nullopt when unset. Tests pass a map, main() the process
// environment.
using environment = std::function<std::optional<std::string>(const std::string& name)>;

std::optional<std::string> process_environment(const std::string& name);

result<config> load_config(const environment& env);

} // namespace donna::relay
