// dotenv.cpp: a line-by-line .env parser that never puts a value in an error message.
#include "config/dotenv.hpp"

#include "config/text_file.hpp"

#include <system_error>

namespace donna::relay {
namespace {

bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

bool is_key_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_key_char(char c)
{
    return is_key_start(c) || (c >= '0' && c <= '9');
}

std::string_view trim_left(std::string_view s)
{
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    return s;
}

std::string_view trim_right(std::string_view s)
{
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

error line_error(std::size_t line, std::string_view what)
{
    return make_error(errc::invalid_argument,
                      "line " + std::to_string(line) + ": " + std::string(what));
}

// After a closing quote only whitespace or a comment may follow.
bool only_comment_left(std::string_view rest)
{
    rest = trim_left(rest);
    return rest.empty() || rest.front() == '#';
}

result<std::string> parse_single_quoted(std::string_view v, std::size_t line)
{
    const auto close = v.find('\'', 1);
    if (close == std::string_view::npos)
        return line_error(line, "unterminated single-quoted value");
    if (!only_comment_left(v.substr(close + 1)))
        return line_error(line, "unexpected text after the closing quote");
    return std::string(v.substr(1, close - 1));
}

result<std::string> parse_double_quoted(std::string_view v, std::size_t line)
{
    std::string out;
    for (std::size_t i = 1; i < v.size(); ++i) {
        const char c = v[i];
        if (c == '"') {
            if (!only_comment_left(v.substr(i + 1)))
                return line_error(line, "unexpected text after the closing quote");
            return out;
        }
        if (c != '\\') {
            out += c;
            continue;
        }
        if (i + 1 >= v.size())
            break;
        const char e = v[++i];
        if (e == 'n')
            out += '\n';
        else if (e == '"' || e == '\\')
            out += e;
        else
            return line_error(line, "unsupported escape in double-quoted value (only \\n \\\" "
                                    "\\\\)");
    }
    return line_error(line, "unterminated double-quoted value");
}

// A '#' starts a comment only after whitespace, so "a#b" and "KEY=#x" keep theirs (keys and
// passwords may contain '#') while "KEY=x # note" and "KEY= # note" drop the note.
std::string parse_unquoted(std::string_view raw)
{
    for (std::size_t i = 1; i < raw.size(); ++i) {
        if (raw[i] == '#' && is_space(raw[i - 1])) {
            raw = raw.substr(0, i);
            break;
        }
    }
    return std::string(trim_right(trim_left(raw)));
}

result<std::string> parse_value(std::string_view raw, std::size_t line)
{
    const std::string_view value = trim_left(raw);
    if (!value.empty() && value.front() == '\'')
        return parse_single_quoted(value, line);
    if (!value.empty() && value.front() == '"')
        return parse_double_quoted(value, line);
    return parse_unquoted(raw);
}

} // namespace

result<env_map> parse_dotenv(std::string_view text)
{
    env_map out;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);

        line = trim_left(line);
        if (line.empty() || line.front() == '#')
            continue;
        if (line.starts_with("export") && line.size() > 6 && is_space(line[6]))
            line = trim_left(line.substr(6));

        const auto eq = line.find('=');
        if (eq == std::string_view::npos)
            return line_error(line_number, "expected KEY=VALUE");
        const std::string_view key = trim_right(line.substr(0, eq));
        if (key.empty())
            return line_error(line_number, "expected KEY=VALUE (the key is empty)");
        bool valid_key = is_key_start(key.front());
        for (const char c : key)
            valid_key = valid_key && is_key_char(c);
        if (!valid_key)
            return line_error(line_number, "invalid key (must match [A-Za-z_][A-Za-z0-9_]*)");

        auto parsed = parse_value(line.substr(eq + 1), line_number);
        if (!parsed)
            return parsed.error();
        out.insert_or_assign(std::string(key), std::move(*parsed));
    }
    return out;
}

result<env_map> read_dotenv_file(const std::filesystem::path& path)
{
    const auto text = read_text_file(path);
    if (!text)
        return text.error();
    auto env = parse_dotenv(*text);
    if (!env)
        return make_error(env.error().code, path.string() + ": " + env.error().message);
    return env;
}

} // namespace donna::relay
