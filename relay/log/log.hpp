// log.hpp: the relay's logger: one line per event, UTC timestamps, and every secret replaced
// by "[redacted]" before it reaches the stream, so that no log line can leak a key.
//
//   donna::relay::logger log;                        // std::clog, info and above
//   log.set_secrets({openai_key, elevenlabs_key});   // again on every key rotation
//   log.info("relay", "upstream said: " + text);     // "... info  relay: upstream said: ..."
//
// Besides the registered secrets, anything that looks like a credential is redacted whatever
// the registered set: "Bearer <token>", "sk-..." keys, "xi-api-key: ...",
// "openai-insecure-api-key.<token>", "dt1.<token>" session tokens, "password=...".
// Thread-safe: lines from different threads never interleave.
#pragma once

#include <iostream>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

enum class log_level { debug, info, warn, error };

std::string_view to_string(log_level level);

class logger {
public:
    explicit logger(std::ostream& out = std::clog, log_level min = log_level::info);

    // Every value registered here is replaced by "[redacted]" wherever it appears in a line,
    // even inside a longer word. A new call replaces the previous set (key rotation). Values
    // shorter than 8 characters are ignored: they would redact ordinary words.
    void set_secrets(std::vector<std::string> secrets);

    // One line: "2026-11-25T07:30:00.123Z info  relay: message", with the message's control
    // characters escaped (\n, \r, \t, \xNN) so that a message can never forge a second line.
    void write(log_level level, std::string_view component, std::string_view message);

    void debug(std::string_view component, std::string_view message)
    {
        write(log_level::debug, component, message);
    }
    void info(std::string_view component, std::string_view message)
    {
        write(log_level::info, component, message);
    }
    void warn(std::string_view component, std::string_view message)
    {
        write(log_level::warn, component, message);
    }
    void error(std::string_view component, std::string_view message)
    {
        write(log_level::error, component, message);
    }

    // `text` with the registered secrets and credential-like patterns redacted: for text that
    // leaves the relay by another way than the log (e.g. an error shown to a client).
    std::string redact(std::string_view text) const;

private:
    mutable std::mutex mutex_;
    std::ostream* out_;
    log_level min_;
    std::vector<std::string> secrets_; // longest first, so a secret containing another wins
};

} // namespace donna::relay
