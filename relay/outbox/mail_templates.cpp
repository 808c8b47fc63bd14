// mail_templates.cpp: the built-in templates and {{placeholder}} substitution.
#include "outbox/mail_templates.hpp"

#include "providers/smtp/mail_message.hpp"

#include <algorithm>

namespace donna::relay {
namespace {

const site::mail_template builtin_staff_notification{
    "New {{kind}} from {{name}} ({{site}})",
    "DONNA took a {{kind}} for {{site}}.\n\n{{details}}\n\nReference: #{{id}}. Every message "
    "and callback request is also listed by GET /v1/messages.",
    ""};

const site::mail_template builtin_visitor_confirmation{
    "We received your {{kind}}",
    "Hello {{name}},\n\nThank you: the team at {{site}} has your {{kind}} and will get back to "
    "you soon.\n\n{{details}}\n\nReference: #{{id}}.\n\nDONNA",
    ""};

std::string label_of(std::string_view field)
{
    if (field == "preferred_time")
        return "Preferred time";
    std::string out(field);
    if (!out.empty())
        out[0] = static_cast<char>(out[0] - ('a' <= out[0] && out[0] <= 'z' ? 'a' - 'A' : 0));
    return out;
}

std::string one_line(std::string text)
{
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\t'; }, ' ');
    return text;
}

// Every {{key}} replaced by transform(value) (empty for an unknown key).
template <class Transform>
std::string substitute(std::string_view text, const template_values& values, Transform transform)
{
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto open = text.find("{{", at);
        const auto close = open == std::string_view::npos ? open : text.find("}}", open + 2);
        if (open == std::string_view::npos || close == std::string_view::npos) {
            out.append(text.substr(at));
            break;
        }
        out.append(text.substr(at, open - at));
        const auto key = text.substr(open + 2, close - open - 2);
        const auto it = std::find_if(values.begin(), values.end(),
                                     [&](const auto& v) { return v.first == key; });
        if (it != values.end())
            out += transform(it->second);
        at = close + 2;
    }
    return out;
}

template_values values_for(const site& where, std::string_view kind, const template_values& fields,
                           std::int64_t message_id)
{
    template_values values = fields;
    std::string details;
    for (const auto& [field, value] : fields)
        details += (details.empty() ? "" : "\n") + label_of(field) + ": " + value;
    values.emplace_back("details", details);
    values.emplace_back("site", where.id);
    values.emplace_back("kind", kind == "request_callback" ? "callback request" : "message");
    values.emplace_back("id", std::to_string(message_id));
    return values;
}

} // namespace

rendered_mail render_mail(const site::mail_template& custom, const site::mail_template& builtin,
                          const template_values& values)
{
    const auto& subject = custom.subject.empty() ? builtin.subject : custom.subject;
    const auto& text = custom.text.empty() ? builtin.text : custom.text;
    rendered_mail out;
    out.subject = one_line(substitute(subject, values, [](const std::string& v) { return v; }));
    out.text = substitute(text, values, [](const std::string& v) { return v; });
    if (!custom.html.empty())
        out.html = substitute(custom.html, values, html_escape);
    else
        out.html = html_from_text(out.text);
    return out;
}

rendered_mail staff_notification(const site& where, std::string_view kind,
                                 const template_values& fields, std::int64_t message_id)
{
    return render_mail(where.staff_notification, builtin_staff_notification,
                       values_for(where, kind, fields, message_id));
}

rendered_mail visitor_confirmation(const site& where, std::string_view kind,
                                   const template_values& fields, std::int64_t message_id)
{
    return render_mail(where.visitor_confirmation, builtin_visitor_confirmation,
                       values_for(where, kind, fields, message_id));
}

} // namespace donna::relay
