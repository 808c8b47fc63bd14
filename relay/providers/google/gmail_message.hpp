// gmail_message.hpp: an email as Gmail hands it over (users.messages.get?format=raw: the
// message as written, RFC 2822, base64url), read with GMime: the headers decoded (RFC 2047,
// any charset, to UTF-8), the readable text found through any nesting of multiparts and
// decoded (base64, quoted-printable; the part's charset converted to UTF-8), and the
// attachments listed (name, type, decoded size), not kept.
//
//   auto mail = read_gmail_raw_message(response.body);     // {"id","threadId","raw",...}
//   mail->subject;   // "Réunion à 10 h"
//   mail->text;      // the text/plain part, else the HTML part's text without its tags
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

struct mail_attachment {
    std::string filename;
    std::string mime_type;
    std::uint64_t size = 0; // decoded bytes
};

struct parsed_mail {
    std::string gmail_id;  // from the Gmail envelope ("" for a bare message)
    std::string thread_id; // idem
    std::string message_id, in_reply_to, references;
    std::string from, to, cc, subject, date; // decoded, UTF-8
    std::string text;                        // UTF-8
    bool text_from_html = false;             // no text/plain part: the HTML's text
    std::vector<mail_attachment> attachments;
};

// A message as written (RFC 2822 / MIME). errc::invalid_argument when it is not one.
result<parsed_mail> parse_mail(std::string_view rfc2822);

// Gmail's Message resource of format=raw: {"id","threadId","raw":"<base64url>",...}.
result<parsed_mail> read_gmail_raw_message(std::string_view message_json);

} // namespace donna::relay
