// log.cpp: line formatting, redaction and the one lock around the stream.
#include "log/log.hpp"

#include "core/ascii.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <optional>

namespace donna::relay {
namespace {

constexpr std::string_view redacted = "[redacted]";
constexpr std::size_t min_secret_length = 8;
// An "sk-" word shorter than this is prose ("sk-learn"), not a key; real keys run to 48+.
constexpr std::size_t min_sk_key_chars = 12;

bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Characters of base64, base64url, JWTs and our own tokens.
bool is_token_char(char c)
{
    return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' ||
           c == '=';
}

bool is_key_char(char c)
{
    return is_alnum(c) || c == '-' || c == '_';
}

bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

bool matches_at(std::string_view text, std::size_t at, std::string_view word, bool any_case)
{
    if (text.size() - at < word.size())
        return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        const char c = any_case ? ascii_lower(text[at + i]) : text[at + i];
        if (c != word[i])
            return false;
    }
    return true;
}

bool word_starts_at(std::string_view text, std::size_t at)
{
    return at == 0 || !is_alnum(text[at - 1]);
}

template <class Pred>
std::size_t run_end(std::string_view text, std::size_t from, Pred pred)
{
    while (from < text.size() && pred(text[from]))
        ++from;
    return from;
}

// A credential shape starting at `at`: the text to keep before "[redacted]" ends at `keep`,
// and the redacted part ends at `end`.
struct credential {
    std::size_t keep;
    std::size_t end;
};

// `<prefix><token>`, e.g. "dt1.<token>": keeps the prefix, redacts the token.
std::optional<credential> prefixed_token(std::string_view text, std::size_t at,
                                         std::string_view prefix, bool need_word_start)
{
    if (!matches_at(text, at, prefix, true) || (need_word_start && !word_starts_at(text, at)))
        return std::nullopt;
    const std::size_t start = at + prefix.size();
    const std::size_t end = run_end(text, start, is_token_char);
    if (end == start)
        return std::nullopt;
    return credential{start, end};
}

std::optional<credential> bearer(std::string_view text, std::size_t at)
{
    if (!matches_at(text, at, "bearer", true) || !word_starts_at(text, at))
        return std::nullopt;
    const std::size_t spaces = at + 6;
    const std::size_t start = run_end(text, spaces, is_blank);
    const std::size_t end = run_end(text, start, is_token_char);
    if (start == spaces || end == start)
        return std::nullopt;
    return credential{start, end};
}

std::optional<credential> sk_key(std::string_view text, std::size_t at)
{
    if (!matches_at(text, at, "sk-", false) || !word_starts_at(text, at))
        return std::nullopt;
    const std::size_t start = at + 3;
    const std::size_t end = run_end(text, start, is_key_char);
    if (end - start < min_sk_key_chars)
        return std::nullopt;
    return credential{start, end};
}

// `name: value`, `name=value`, `"name": "value"`: keeps the name and separator.
std::optional<credential> named_value(std::string_view text, std::size_t at)
{
    static constexpr std::array<std::string_view, 6> names{"xi-api-key", "password", "passwd",
                                                           "api_key",    "api-key",  "apikey"};
    for (const std::string_view name : names) {
        if (!matches_at(text, at, name, true))
            continue;
        std::size_t i = at + name.size();
        if (i < text.size() && (text[i] == '"' || text[i] == '\''))
            ++i;
        i = run_end(text, i, is_blank);
        if (i >= text.size() || (text[i] != ':' && text[i] != '='))
            continue;
        i = run_end(text, i + 1, is_blank);
        if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
            const char quote = text[i];
            const std::size_t start = i + 1;
            const std::size_t end = run_end(text, start, [quote](char c) { return c != quote; });
            if (end > start)
                return credential{start, end};
            continue;
        }
        const std::size_t end = run_end(text, i, [](char c) {
            return !is_blank(c) && c != '\n' && c != '\r' && c != ',' && c != ';' && c != '&' &&
                   c != '"' && c != '\'' && c != '}' && c != ')' && c != ']';
        });
        if (end > i)
            return credential{i, end};
    }
    return std::nullopt;
}

std::optional<credential> credential_at(std::string_view text, std::size_t at)
{
    if (auto c = bearer(text, at))
        return c;
    if (auto c = prefixed_token(text, at, "openai-insecure-api-key.", false))
        return c;
    if (auto c = prefixed_token(text, at, "dt1.", true))
        return c;
    if (auto c = sk_key(text, at))
        return c;
    return named_value(text, at);
}

std::string redact_patterns(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (const auto c = credential_at(text, i)) {
            out.append(text.substr(i, c->keep - i));
            out.append(redacted);
            i = c->end;
        } else {
            out += text[i++];
        }
    }
    return out;
}

void replace_all(std::string& text, std::string_view what)
{
    for (auto at = text.find(what); at != std::string::npos;
         at = text.find(what, at + redacted.size()))
        text.replace(at, what.size(), redacted);
}

void append_escaped(std::string& out, std::string_view text)
{
    static constexpr std::string_view hex = "0123456789abcdef";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20U || byte == 0x7FU) {
            out += "\\x";
            out += hex[byte >> 4U];
            out += hex[byte & 0xFU];
        } else {
            out += c;
        }
    }
}

// "2026-11-25T07:30:00.123Z"
std::string utc_timestamp()
{
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - seconds).count();
    const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
    std::tm utc{};
    gmtime_r(&t, &utc);
    std::array<char, 32> text{};
    const std::size_t n = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &utc);
    std::string out(text.data(), n);
    out += '.';
    out += static_cast<char>('0' + millis / 100);
    out += static_cast<char>('0' + millis / 10 % 10);
    out += static_cast<char>('0' + millis % 10);
    out += 'Z';
    return out;
}

} // namespace

std::string_view to_string(log_level level)
{
    switch (level) {
    case log_level::debug:
        return "debug";
    case log_level::info:
        return "info";
    case log_level::warn:
        return "warn";
    case log_level::error:
        return "error";
    }
    return "?";
}

logger::logger(std::ostream& out, log_level min) : out_(&out), min_(min)
{}

void logger::set_secrets(std::vector<std::string> secrets)
{
    std::erase_if(secrets, [](const std::string& s) { return s.size() < min_secret_length; });
    std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
    const std::lock_guard lock(mutex_);
    secrets_ = std::move(secrets);
}

std::string logger::redact(std::string_view text) const
{
    std::string out(text);
    {
        const std::lock_guard lock(mutex_);
        for (const auto& secret : secrets_)
            replace_all(out, secret);
    }
    return redact_patterns(out);
}

void logger::write(log_level level, std::string_view component, std::string_view message)
{
    if (level < min_)
        return;
    std::string text(component);
    text += ": ";
    text += message;
    text = redact(text);

    std::string line = utc_timestamp();
    line += ' ';
    const std::string_view name = to_string(level);
    line += name;
    line.append(6 - name.size(), ' ');
    append_escaped(line, text);
    line += '\n';

    const std::lock_guard lock(mutex_);
    *out_ << line << std::flush;
}

} // namespace donna::relay
