// config.cpp: parses and validates the relay's environment variables.
#include "config/config.hpp"

#include <charconv>
#include <cstdlib>

namespace donna::relay {
namespace {

result<long> parse_integer(const std::string& name, const std::string& text, long min, long max)
{
    long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return make_error(errc::invalid_argument, name + " must be an integer, got '" + text + "'");
    if (value < min || value > max)
        return make_error(errc::out_of_range, name + " must be between " + std::to_string(min) +
                                                  " and " + std::to_string(max) + ", got " + text);
    return value;
}

} // namespace

std::optional<std::string> process_environment(const std::string& name)
{
    if (const char* value = std::getenv(name.c_str()))
        return std::string(value);
    return std::nullopt;
}

result<config> load_config(const environment& env)
{
    config c;
    if (auto v = env("DONNA_LISTEN_ADDRESS")) {
        if (v->empty())
            return make_error(errc::invalid_argument, "DONNA_LISTEN_ADDRESS is empty");
        c.listen_address = *v;
    }
    if (auto v = env("DONNA_PORT")) {
        auto port = parse_integer("DONNA_PORT", *v, 0, 65535);
        if (!port)
            return port.error();
        c.port = static_cast<std::uint16_t>(*port);
    }
    if (auto v = env("DONNA_WEB_ROOT")) {
        if (v->empty())
            return make_error(errc::invalid_argument, "DONNA_WEB_ROOT is empty");
        c.web_root = *v;
    }
    if (auto v = env("DONNA_THREADS")) {
        auto threads = parse_integer("DONNA_THREADS", *v, 1, 64);
        if (!threads)
            return threads.error();
        c.threads = static_cast<int>(*threads);
    }
    return c;
}

} // namespace donna::relay
