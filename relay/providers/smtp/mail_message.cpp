// mail_message.cpp: headers, encoded words, quoted-printable and the multipart body.
#include "providers/smtp/mail_message.hpp"

#include "audio/base64.hpp"
#include "core/contact_address.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <span>

namespace donna::relay {
namespace {

constexpr std::string_view crlf = "\r\n";
// An encoded word is at most 75 characters, and a line holding one at most 76 (RFC 2047
// section 2): 36 bytes are 48 base64 characters, a 60-character word, which leaves room for
// the header's name on the first line ("Subject: ").
constexpr std::size_t encoded_word_bytes = 36;
constexpr std::size_t plain_header_chars = 60; // longer plain text is encoded (and folded)
constexpr std::size_t qp_line_chars = 76;      // RFC 2045 section 6.7

bool plain_printable(std::string_view text)
{
    return std::ranges::all_of(text, [](char c) { return c >= 0x20 && c <= 0x7E; });
}

// Control characters become spaces: a header value is one line whatever it was given.
std::string one_line(std::string_view text)
{
    std::string out(text);
    std::ranges::replace_if(
        out, [](char c) { return static_cast<unsigned char>(c) < 0x20U || c == 0x7F; }, ' ');
    return out;
}

// The length of the UTF-8 sequence that starts with this byte (1 for a stray byte).
std::size_t sequence_length(unsigned char lead)
{
    if (lead >= 0xF0U)
        return 4;
    if (lead >= 0xE0U)
        return 3;
    if (lead >= 0xC0U)
        return 2;
    return 1;
}

std::string encoded_words(std::string_view text)
{
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = at;
        while (end < text.size()) {
            const auto next = end + sequence_length(static_cast<unsigned char>(text[end]));
            if (next - at > encoded_word_bytes)
                break;
            end = std::min(next, text.size());
        }
        if (end == at) // cannot happen with sequences of at most 4 bytes; never loop forever
            end = std::min(at + encoded_word_bytes, text.size());
        const auto chunk = text.substr(at, end - at);
        if (!out.empty())
            out += "\r\n "; // folding: the next word on a continuation line
        out += "=?UTF-8?B?";
        out += base64_encode(
            std::span(reinterpret_cast<const std::uint8_t*>(chunk.data()), chunk.size()));
        out += "?=";
        at = end;
    }
    return out;
}

// A display name as a phrase: plain words as they are, anything else encoded.
std::string display_name(std::string_view name)
{
    const auto safe = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == ' ' || c == '-' || c == '_' || c == '\'';
    };
    auto clean = one_line(name);
    if (clean.size() <= plain_header_chars && std::ranges::all_of(clean, safe))
        return clean;
    return encoded_words(clean);
}

std::string address_field(const mail_address& a)
{
    if (a.name.empty())
        return a.email;
    return display_name(a.name) + " <" + a.email + ">";
}

bool valid_message_id(std::string_view id)
{
    return id.size() >= 5 && id.size() <= 250 && id.front() == '<' && id.back() == '>' &&
           id.find('@') != std::string_view::npos &&
           std::ranges::all_of(id, [](char c) { return c > 0x20 && c < 0x7F; });
}

std::string hex_byte(unsigned char b)
{
    constexpr std::string_view digits = "0123456789ABCDEF";
    return {'=', digits[b >> 4U], digits[b & 0x0FU]};
}

// One line of text (no line end) as quoted-printable lines joined by soft breaks.
void qp_line(std::string_view line, std::string& out)
{
    std::size_t width = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const auto b = static_cast<unsigned char>(line[i]);
        const bool last = i + 1 == line.size();
        // Literal: an inner blank, and printable ASCII but "=" and a dot opening a line; the
        // rest (a trailing blank too) is escaped.
        const bool blank = (b == ' ' || b == '\t') && !last;
        const bool literal =
            blank || (b > 0x20U && b < 0x7FU && b != '=' && !(b == '.' && width == 0));
        std::string piece = literal ? std::string(1, static_cast<char>(b)) : hex_byte(b);
        if (width + piece.size() > qp_line_chars - 1) { // room for the soft break's "="
            out += "=\r\n";
            width = 0;
            if (piece == ".")
                piece = hex_byte('.');
        }
        out += piece;
        width += piece.size();
    }
}

std::string body_part(std::string_view content_type, std::string_view text)
{
    std::string out = "Content-Type: " + std::string(content_type) + "; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += quoted_printable(text);
    out += crlf;
    return out;
}

} // namespace

std::string html_escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string rfc5322_date(std::int64_t unix_seconds)
{
    constexpr std::array<std::string_view, 7> days = {"Sun", "Mon", "Tue", "Wed",
                                                      "Thu", "Fri", "Sat"};
    constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 32> rest{};
    std::snprintf(rest.data(), rest.size(), " %02d ", tm.tm_mday);
    std::string out(days.at(static_cast<std::size_t>(tm.tm_wday)));
    out += ",";
    out += rest.data();
    out += months.at(static_cast<std::size_t>(tm.tm_mon));
    std::snprintf(rest.data(), rest.size(), " %04d %02d:%02d:%02d +0000", tm.tm_year + 1900,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    out += rest.data();
    return out;
}

std::string header_text(std::string_view utf8)
{
    auto clean = one_line(utf8);
    if (clean.size() <= plain_header_chars && plain_printable(clean) &&
        clean.find("=?") == std::string::npos)
        return clean;
    return encoded_words(clean);
}

std::string quoted_printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    bool first = true;
    while (true) {
        const auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (!first)
            out += crlf;
        first = false;
        qp_line(line, out);
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

std::string html_from_text(std::string_view text)
{
    std::string out = "<!DOCTYPE html>\n<html><body>\n<p>";
    std::string normalised;
    for (const char c : text)
        if (c != '\r')
            normalised += c;
    std::size_t at = 0;
    while (at <= normalised.size()) {
        const auto nl = normalised.find('\n', at);
        const auto line = std::string_view(normalised)
                              .substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        out += html_escape(line);
        if (nl == std::string::npos)
            break;
        // A blank line starts a paragraph; a single line break stays one.
        if (nl + 1 < normalised.size() && normalised[nl + 1] == '\n') {
            out += "</p>\n<p>";
            at = nl + 2;
            while (at < normalised.size() && normalised[at] == '\n')
                ++at;
        } else {
            out += "<br>\n";
            at = nl + 1;
        }
    }
    out += "</p>\n</body></html>\n";
    return out;
}

std::string outbox_message_id(std::int64_t id, std::int64_t created_at, std::string_view domain)
{
    const bool usable =
        !domain.empty() && is_email_address("x@" + std::string(domain)); // a real domain's shape
    return "<donna.outbox." + std::to_string(id) + "." + std::to_string(created_at) + "@" +
           (usable ? std::string(domain) : std::string("donna.invalid")) + ">";
}

result<std::string> format_mail(const mail_content& mail)
{
    if (!is_email_address(mail.from.email))
        return make_error(errc::invalid_argument, "the sender is not an email address");
    if (!is_email_address(mail.to.email))
        return make_error(errc::invalid_argument, "the recipient is not an email address");
    if (!valid_message_id(mail.message_id))
        return make_error(errc::invalid_argument, "the Message-ID is not <left@right>");
    // A boundary that quoted-printable text can never contain: "=_" is not a QP escape.
    const std::string boundary =
        "=_donna_" + mail.message_id.substr(1, mail.message_id.find('@') - 1);
    std::string out;
    out += "Date: " + rfc5322_date(mail.date_unix) + std::string(crlf);
    out += "From: " + address_field(mail.from) + std::string(crlf);
    out += "To: " + address_field(mail.to) + std::string(crlf);
    out += "Subject: " + header_text(mail.subject) + std::string(crlf);
    out += "Message-ID: " + mail.message_id + std::string(crlf);
    out += "MIME-Version: 1.0\r\n";
    // RFC 3834: sent by a program, so vacation responders leave it alone.
    out += "Auto-Submitted: auto-generated\r\n";
    out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";
    out += crlf;
    out += "--" + boundary + std::string(crlf);
    out += body_part("text/plain", mail.text);
    out += "--" + boundary + std::string(crlf);
    out += body_part("text/html", mail.html.empty() ? html_from_text(mail.text) : mail.html);
    out += "--" + boundary + "--\r\n";
    return out;
}

} // namespace donna::relay
