// gmail_message.cpp: GMime 3 does the reading; this file walks what it built.
#include "providers/google/gmail_message.hpp"

#include "auth/sodium_base64.hpp"
#include "protocol/json_fields.hpp"

#include <gmime/gmime.h>
#include <nlohmann/json.hpp>

#include <mutex>

namespace donna::relay {
namespace {

void gmime_ready()
{
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

// GObject references, dropped when the owner goes.
template <class T>
struct gobject_ref {
    T* p = nullptr;
    explicit gobject_ref(T* object) : p(object) {}
    ~gobject_ref()
    {
        if (p != nullptr)
            g_object_unref(p);
    }
    gobject_ref(const gobject_ref&) = delete;
    gobject_ref& operator=(const gobject_ref&) = delete;
};

bool is_a(GMimeObject* object, GType type)
{
    return g_type_check_instance_is_a(reinterpret_cast<GTypeInstance*>(object), type) != 0;
}

std::string text_of(const char* text)
{
    return text != nullptr ? std::string(text) : std::string();
}

std::string owned_text(char* text)
{
    std::string out = text_of(text);
    g_free(text);
    return out;
}

std::string addresses(InternetAddressList* list)
{
    return list != nullptr ? owned_text(internet_address_list_to_string(list, nullptr, FALSE))
                           : std::string();
}

// HTML's readable text: tags dropped (script and style with their content), a few entities
// read, blank runs folded. Enough to classify and quote a mail that has no text part.
std::string text_of_html(std::string_view html)
{
    std::string out;
    std::size_t i = 0;
    while (i < html.size()) {
        if (html[i] == '<') {
            const auto end = html.find('>', i);
            if (end == std::string_view::npos)
                break;
            const auto tag = html.substr(i + 1, end - i - 1);
            const auto skip_to = [&](std::string_view closing) {
                const auto at = html.find(closing, end);
                return at == std::string_view::npos ? html.size() : at + closing.size();
            };
            if (tag.starts_with("script") || tag.starts_with("SCRIPT"))
                i = skip_to("</script>");
            else if (tag.starts_with("style") || tag.starts_with("STYLE"))
                i = skip_to("</style>");
            else
                i = end + 1;
            if (tag.starts_with("br") || tag.starts_with("p") || tag.starts_with("/p") ||
                tag.starts_with("div") || tag.starts_with("/div"))
                out += '\n';
            continue;
        }
        if (html[i] == '&') {
            static constexpr std::pair<std::string_view, char> entities[] = {
                {"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
                {"&quot;", '"'}, {"&#39;", '\''}, {"&nbsp;", ' '}};
            bool matched = false;
            for (const auto& [name, c] : entities)
                if (html.substr(i).starts_with(name)) {
                    out += c;
                    i += name.size();
                    matched = true;
                    break;
                }
            if (matched)
                continue;
        }
        out += html[i++];
    }
    // Fold runs of blanks and of empty lines.
    std::string folded;
    for (const char c : out) {
        if ((c == ' ' || c == '\t') && !folded.empty() &&
            (folded.back() == ' ' || folded.back() == '\n'))
            continue;
        if (c == '\n' && folded.size() >= 2 && folded.back() == '\n' &&
            folded[folded.size() - 2] == '\n')
            continue;
        folded += c;
    }
    const auto first = folded.find_first_not_of(" \n");
    const auto last = folded.find_last_not_of(" \n");
    return first == std::string::npos ? std::string() : folded.substr(first, last - first + 1);
}

struct walk {
    parsed_mail* mail;
    std::string html;
};

// Each leaf part: the first text/plain is the text, the first text/html the fallback, and
// anything with a file name or an attachment disposition is listed.
void visit(GMimeObject* /*parent*/, GMimeObject* part, gpointer data)
{
    auto& w = *static_cast<walk*>(data);
    if (!is_a(part, g_mime_part_get_type()))
        return; // multiparts are walked into; an attached message is one attachment below
    auto* leaf = reinterpret_cast<GMimePart*>(part);
    GMimeContentType* type = g_mime_object_get_content_type(part);
    const auto mime_type = owned_text(g_mime_content_type_get_mime_type(type));
    const auto filename = text_of(g_mime_part_get_filename(leaf));
    const bool attachment = g_mime_part_is_attachment(leaf) != 0 || !filename.empty();
    if (attachment) {
        std::uint64_t size = 0;
        if (GMimeDataWrapper* content = g_mime_part_get_content(leaf)) {
            const gobject_ref<GMimeStream> sink(g_mime_stream_null_new());
            const auto written = g_mime_data_wrapper_write_to_stream(content, sink.p);
            size = written > 0 ? static_cast<std::uint64_t>(written) : 0;
        }
        w.mail->attachments.push_back({filename, mime_type, size});
        return;
    }
    if (!is_a(part, g_mime_text_part_get_type()))
        return;
    auto text = owned_text(g_mime_text_part_get_text(reinterpret_cast<GMimeTextPart*>(part)));
    if (mime_type == "text/plain" && w.mail->text.empty())
        w.mail->text = std::move(text);
    else if (mime_type == "text/html" && w.html.empty())
        w.html = std::move(text);
}

} // namespace

result<parsed_mail> parse_mail(std::string_view rfc2822)
{
    gmime_ready();
    // GMime copies nothing it does not own: the stream gets its own copy of the bytes.
    const gobject_ref<GMimeStream> stream(
        g_mime_stream_mem_new_with_buffer(rfc2822.data(), static_cast<gsize>(rfc2822.size())));
    const gobject_ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.p));
    const gobject_ref<GMimeMessage> message(g_mime_parser_construct_message(parser.p, nullptr));
    if (message.p == nullptr)
        return make_error(errc::invalid_argument, "the mail is not an RFC 2822 message");
    auto* object = reinterpret_cast<GMimeObject*>(message.p);
    parsed_mail mail;
    mail.message_id = text_of(g_mime_message_get_message_id(message.p));
    mail.in_reply_to = text_of(g_mime_object_get_header(object, "In-Reply-To"));
    mail.references = text_of(g_mime_object_get_header(object, "References"));
    mail.subject = text_of(g_mime_message_get_subject(message.p));
    mail.date = text_of(g_mime_object_get_header(object, "Date"));
    mail.from = addresses(g_mime_message_get_from(message.p));
    mail.to = addresses(g_mime_message_get_to(message.p));
    mail.cc = addresses(g_mime_message_get_cc(message.p));
    walk w{&mail, {}};
    g_mime_message_foreach(message.p, visit, &w);
    if (mail.text.empty() && !w.html.empty()) {
        mail.text = text_of_html(w.html);
        mail.text_from_html = true;
    }
    return mail;
}

result<parsed_mail> read_gmail_raw_message(std::string_view message_json)
{
    const auto message = nlohmann::json::parse(message_json, nullptr, false);
    if (!message.is_object())
        return make_error(errc::invalid_json, "Gmail's message is not a JSON object");
    const auto raw = json_string_member(message, "raw");
    // base64url; Gmail pads it, libsodium's unpadded variant does not take the '='.
    auto bytes = base64url_decode(std::string_view(raw).substr(0, raw.find('=')));
    if (raw.empty() || !bytes)
        return make_error(errc::invalid_argument,
                          "Gmail's message has no raw form (ask for format=raw)");
    auto mail =
        parse_mail(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
    if (!mail)
        return mail.error();
    mail->gmail_id = json_string_member(message, "id");
    mail->thread_id = json_string_member(message, "threadId");
    return mail;
}

} // namespace donna::relay
