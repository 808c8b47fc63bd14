// mail_message.hpp: one email as the bytes an SMTP server takes after DATA (RFC 5322 with
// MIME, RFC 2045-2047): headers, then a multipart/alternative body of text/plain and
// text/html, both UTF-8 and quoted-printable. Pure formatting: no I/O.
//
//   mail_content mail;
//   mail.from = {"donna@acme.example", "DONNA at Acme"};
//   mail.to = {"ana@example.com", ""};
//   mail.subject = "Your booking";                 // any UTF-8
//   mail.text = "Hello Ana,\n...";                 // the HTML part is made from it when
//   mail.message_id = outbox_message_id(42, created_at, "acme.example");   // html is empty
//   mail.date_unix = now;
//   auto bytes = format_mail(mail);                // CRLF line ends, no line over 78
//
// Header injection is impossible by construction: addresses must pass is_email_address
// (core/contact_address: no spaces, quotes or line breaks), display names and the subject
// are always written as RFC 2047 encoded words when they hold anything but plain printable
// ASCII, and every other header value is made here. Bodies are quoted-printable, so no line
// is longer than 76 characters whatever the text, and a line that is only "." cannot end
// the DATA early (libcurl dot-stuffs the upload besides).
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

struct mail_address {
    std::string email; // local@domain.tld
    std::string name;  // display name, any UTF-8; "" for none
};

struct mail_content {
    mail_address from;
    mail_address to;
    std::string subject;
    std::string text;       // the plain-text body (UTF-8, \n or \r\n line ends)
    std::string html;       // the HTML body; "" makes one from `text`, escaped
    std::string message_id; // "<...@...>", from outbox_message_id
    std::int64_t date_unix = 0;
};

// The message. Errors: invalid_argument (an address that is not one, a Message-ID that is
// not <left@right> of printable ASCII).
result<std::string> format_mail(const mail_content& mail);

// The Message-ID of outbox row `id`: the same for every attempt to send it, so that a
// receiver recognises a resend after a crash; the creation time keeps it unique across
// databases. "<donna.outbox.42.1765000000@acme.example>".
std::string outbox_message_id(std::int64_t id, std::int64_t created_at, std::string_view domain);

// Parts of the format, for tests and other senders.
std::string rfc5322_date(std::int64_t unix_seconds); // "Mon, 07 Dec 2026 12:48:20 +0000"
// As is when plain printable ASCII (and short enough to fold), else UTF-8 base64 encoded
// words of at most 75 characters, split between characters, joined by CRLF + space.
std::string header_text(std::string_view utf8);
std::string quoted_printable(std::string_view text); // CRLF line ends, soft breaks at 76
std::string html_from_text(std::string_view text);   // escaped, paragraphs and <br>
std::string html_escape(std::string_view text);      // & < > " ' as entities

} // namespace donna::relay
