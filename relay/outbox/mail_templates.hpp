// mail_templates.hpp: the emails DONNA writes herself, from a site's templates (the sites
// file's "templates") or the built-in ones: the staff notification (a new message or callback
// request) and the visitor's confirmation (a copy of the message they left).
//
//   auto mail = staff_notification(site, "take_message", fields, message_id);
//   item.payload = dump_json({{"subject", mail.subject}, {"body", mail.text},
//                             {"html", mail.html}});
//
// Placeholders are {{name}}: {{site}}, {{kind}} ("message" or "callback request"), {{id}} (the
// message's number), {{details}} (every given field, one "Label: value" per line), and each
// field of the call: {{name}}, {{message}}, {{phone}}, {{email}}, {{preferred_time}},
// {{reason}}. An unknown or absent one becomes empty text. Values are escaped in the HTML
// part (& < > " ') and put on one line in the subject; a template's own text is kept as is.
// A template without an HTML part gets one made from its text (escaped, paragraphs).
#pragma once

#include "config/sites.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace donna::relay {

struct rendered_mail {
    std::string subject;
    std::string text;
    std::string html;
};

using template_values = std::vector<std::pair<std::string, std::string>>;

// `kind` is the action ("take_message" or "request_callback"); `fields` its validated
// arguments in the tool's order.
rendered_mail staff_notification(const site& where, std::string_view kind,
                                 const template_values& fields, std::int64_t message_id);
rendered_mail visitor_confirmation(const site& where, std::string_view kind,
                                   const template_values& fields, std::int64_t message_id);

// One template with these values (the pieces above are made of it; tests use it).
rendered_mail render_mail(const site::mail_template& custom, const site::mail_template& builtin,
                          const template_values& values);

} // namespace donna::relay
