// sites.cpp: strict parsing of the sites file and origin matching.
#include "config/sites.hpp"

#include "config/text_file.hpp"
#include "core/ascii.hpp"
#include "core/contact_address.hpp"
#include "core/utf8.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <system_error>
#include <utility>

namespace donna::relay {
namespace {

constexpr std::size_t max_id_length = 64;
constexpr std::size_t max_greeting_chars = 500;
constexpr std::size_t max_contacts = 10;
constexpr std::int64_t max_daily_cap = 100000;
constexpr std::size_t max_template_bytes = 20000;

bool valid_id(std::string_view id)
{
    if (id.empty() || id.size() > max_id_length)
        return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// Joins the parts of a message with one allocation (messages built inside loops).
std::string cat(std::initializer_list<std::string_view> parts)
{
    std::string out;
    for (const auto part : parts)
        out += part;
    return out;
}

// "site 2 ('acme'): " once the id is known, "site 2: " before.
std::string site_label(std::size_t index, const std::string& id)
{
    std::string label = "site " + std::to_string(index + 1);
    if (!id.empty())
        label += " ('" + id + "')";
    return label + ": ";
}

result<std::string> parse_id(const nlohmann::json& object, const std::string& label)
{
    const auto it = object.find("id");
    if (it == object.end())
        return make_error(errc::missing_field, label + "\"id\" is missing");
    if (!it->is_string())
        return make_error(errc::wrong_type, label + "\"id\" must be a string");
    const auto& id = it->get_ref<const std::string&>();
    if (!valid_id(id))
        return make_error(errc::invalid_argument,
                          label + "\"id\" must be 1 to 64 characters of a-z, 0-9 and '-'");
    return id;
}

result<std::vector<std::string>> parse_origins(const nlohmann::json& object,
                                               const std::string& label)
{
    const auto it = object.find("allowed_origins");
    if (it == object.end())
        return make_error(errc::missing_field, label + "\"allowed_origins\" is missing");
    if (!it->is_array())
        return make_error(errc::wrong_type,
                          label + "\"allowed_origins\" must be an array of strings");
    if (it->empty())
        return make_error(errc::invalid_argument,
                          label + "\"allowed_origins\" is empty: no page could use this site");
    std::vector<std::string> origins;
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& entry = (*it)[i];
        const std::string where = cat({label, "allowed_origins[", std::to_string(i), "] "});
        if (!entry.is_string())
            return make_error(errc::wrong_type, where + "must be a string");
        const auto& text = entry.get_ref<const std::string&>();
        if (text == "self") {
            origins.emplace_back(text);
            continue;
        }
        auto normal = normalize_origin(text);
        if (!normal)
            return make_error(errc::invalid_argument,
                              cat({where, "'", text,
                                   "' is not an origin: expected http(s)://host[:port] with no "
                                   "path, or \"self\""}));
        origins.push_back(std::move(*normal));
    }
    return origins;
}

// staff_emails / staff_phones: an array of at most max_contacts strings, each of its shape.
status parse_contacts(const nlohmann::json& object, const char* name, const std::string& label,
                      bool (*valid)(std::string_view), std::string_view shape,
                      std::vector<std::string>& out)
{
    const auto it = object.find(name);
    if (it == object.end())
        return ok();
    if (!it->is_array() || it->size() > max_contacts)
        return make_error(errc::wrong_type,
                          cat({label, "\"", name, "\" must be an array of at most 10 strings"}));
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& v = (*it)[i];
        if (!v.is_string() || !valid(v.get_ref<const std::string&>()))
            return make_error(errc::invalid_argument,
                              cat({label, name, "[", std::to_string(i), "] must be ", shape}));
        out.push_back(v.get<std::string>());
    }
    return ok();
}

// templates: {"staff_notification": {subject, text, html}, "visitor_confirmation": {...}},
// every field an optional string.
status parse_templates(const nlohmann::json& object, const std::string& label, site& s)
{
    const auto it = object.find("templates");
    if (it == object.end())
        return ok();
    if (!it->is_object())
        return make_error(errc::wrong_type, label + "\"templates\" must be an object");
    for (const auto& [kind, fields] : it->items()) {
        site::mail_template* target = kind == "staff_notification"     ? &s.staff_notification
                                      : kind == "visitor_confirmation" ? &s.visitor_confirmation
                                                                       : nullptr;
        if (target == nullptr)
            return make_error(errc::invalid_argument,
                              cat({label, "templates: unknown template \"", kind,
                                   "\" (known: staff_notification, visitor_confirmation)"}));
        if (!fields.is_object())
            return make_error(errc::wrong_type,
                              cat({label, "templates.", kind, " must be an object"}));
        for (const auto& [field, value] : fields.items()) {
            std::string* member = field == "subject" ? &target->subject
                                  : field == "text"  ? &target->text
                                  : field == "html"  ? &target->html
                                                     : nullptr;
            if (member == nullptr)
                return make_error(errc::invalid_argument,
                                  cat({label, "templates.", kind, ": unknown field \"", field,
                                       "\" (known: subject, text, html)"}));
            if (!value.is_string() ||
                value.get_ref<const std::string&>().size() > max_template_bytes)
                return make_error(errc::wrong_type,
                                  cat({label, "templates.", kind, ".", field,
                                       " must be a string of at most 20000 bytes"}));
            *member = value.get<std::string>();
        }
    }
    return ok();
}

result<site> parse_site(const nlohmann::json& object, std::size_t index)
{
    if (!object.is_object())
        return make_error(errc::not_an_object, site_label(index, "") + "must be an object");
    auto id = parse_id(object, site_label(index, ""));
    if (!id)
        return id.error();
    const std::string label = site_label(index, *id);
    constexpr std::array<std::string_view, 13> known = {"id",
                                                        "allowed_origins",
                                                        "persona",
                                                        "greeting",
                                                        "staff_emails",
                                                        "staff_phones",
                                                        "daily_email_cap",
                                                        "daily_sms_cap",
                                                        "notify_staff",
                                                        "templates",
                                                        "phone_numbers",
                                                        "business_hours",
                                                        "trust_caller_id"};
    for (const auto& [key, value] : object.items()) {
        if (std::find(known.begin(), known.end(), key) == known.end())
            return make_error(
                errc::invalid_argument,
                cat({label, "unknown field \"", key,
                     "\" (known: id, allowed_origins, persona, greeting, staff_emails, "
                     "staff_phones, daily_email_cap, daily_sms_cap, notify_staff, templates, "
                     "phone_numbers, business_hours, trust_caller_id)"}));
    }

    site s;
    s.id = std::move(*id);
    auto origins = parse_origins(object, label);
    if (!origins)
        return origins.error();
    s.allowed_origins = std::move(*origins);

    const auto persona = object.find("persona");
    if (persona == object.end())
        return make_error(errc::missing_field, label + "\"persona\" is missing");
    if (!persona->is_string())
        return make_error(errc::wrong_type, label + "\"persona\" must be a string");
    const auto& persona_name = persona->get_ref<const std::string&>();
    const auto p = persona_from_string(persona_name);
    if (!p)
        return make_error(errc::out_of_range,
                          label + "persona '" + persona_name +
                              "' is not one of general, sales, marketing, receptionist, "
                              "secretary");
    s.persona = *p;

    if (const auto greeting = object.find("greeting"); greeting != object.end()) {
        if (!greeting->is_string())
            return make_error(errc::wrong_type, label + "\"greeting\" must be a string");
        s.greeting = greeting->get<std::string>();
        if (utf8_length(s.greeting) > max_greeting_chars)
            return make_error(errc::out_of_range,
                              label + "\"greeting\" is longer than 500 characters");
    }
    if (auto st = parse_contacts(object, "staff_emails", label, is_email_address,
                                 "an email address", s.staff_emails);
        !st)
        return st.error();
    if (auto st = parse_contacts(object, "staff_phones", label, is_e164_phone,
                                 "a phone number in E.164 form (+15550100100)", s.staff_phones);
        !st)
        return st.error();
    if (auto st = parse_contacts(object, "phone_numbers", label, is_e164_phone,
                                 "a phone number in E.164 form (+15550100100)", s.phone_numbers);
        !st)
        return st.error();
    for (const auto& [name, member] : {std::pair{"daily_email_cap", &site::daily_email_cap},
                                       std::pair{"daily_sms_cap", &site::daily_sms_cap}}) {
        const auto it = object.find(name);
        if (it == object.end())
            continue;
        if (!it->is_number_integer() || it->get<std::int64_t>() < 0 ||
            it->get<std::int64_t>() > max_daily_cap)
            return make_error(errc::out_of_range, cat({label, "\"", name,
                                                       "\" must be a whole number from 0 to "
                                                       "100000"}));
        s.*member = static_cast<int>(it->get<std::int64_t>());
    }
    for (const auto& [name, member] : {std::pair{"notify_staff", &site::notify_staff},
                                       std::pair{"trust_caller_id", &site::trust_caller_id}}) {
        const auto flag = object.find(name);
        if (flag == object.end())
            continue;
        if (!flag->is_boolean())
            return make_error(errc::wrong_type,
                              cat({label, "\"", name, "\" must be true or false"}));
        s.*member = flag->get<bool>();
    }
    if (auto st = parse_templates(object, label, s); !st)
        return st.error();
    if (const auto hours = object.find("business_hours"); hours != object.end()) {
        auto parsed = parse_business_hours(*hours);
        if (!parsed)
            return make_error(parsed.error().code, label + parsed.error().message);
        s.hours = std::move(*parsed);
    }
    return s;
}

} // namespace

std::optional<std::string> normalize_origin(std::string_view origin)
{
    const auto parsed = boost::urls::parse_absolute_uri(origin);
    if (!parsed)
        return std::nullopt;
    const auto& url = *parsed;
    const auto scheme = url.scheme_id();
    if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https)
        return std::nullopt;
    if (!url.has_authority() || url.has_userinfo() || !url.encoded_path().empty() ||
        url.has_query())
        return std::nullopt;
    const auto host_type = url.host_type();
    if (host_type != boost::urls::host_type::name && host_type != boost::urls::host_type::ipv4 &&
        host_type != boost::urls::host_type::ipv6)
        return std::nullopt;
    const std::string_view host = url.encoded_host();
    // Percent escapes in a host would let two spellings name one origin; browsers never send them.
    if (host.empty() || host.find('%') != std::string_view::npos)
        return std::nullopt;

    std::string out = scheme == boost::urls::scheme::http ? "http://" : "https://";
    out += ascii_lower(host);
    if (url.has_port()) {
        const std::string_view port = url.port();
        if (port.empty() || port.size() > 5)
            return std::nullopt;
        unsigned value = 0;
        for (const char c : port)
            value = value * 10 + static_cast<unsigned>(c - '0');
        if (value == 0 || value > 65535)
            return std::nullopt;
        const unsigned default_port = scheme == boost::urls::scheme::http ? 80 : 443;
        if (value != default_port)
            out += ":" + std::to_string(value);
    }
    return out;
}

const site* site_directory::find(std::string_view id) const
{
    const auto it =
        std::find_if(sites.begin(), sites.end(), [&](const site& s) { return s.id == id; });
    return it == sites.end() ? nullptr : &*it;
}

const site* site_directory::find_by_number(std::string_view number) const
{
    const auto it = std::find_if(sites.begin(), sites.end(), [&](const site& s) {
        return std::find(s.phone_numbers.begin(), s.phone_numbers.end(), number) !=
               s.phone_numbers.end();
    });
    return it == sites.end() ? nullptr : &*it;
}

bool site_directory::origin_allowed(const site& s, std::string_view origin,
                                    std::string_view self_origin) const
{
    const auto normal = normalize_origin(origin);
    if (!normal)
        return false;
    return std::any_of(s.allowed_origins.begin(), s.allowed_origins.end(),
                       [&](const std::string& allowed) {
                           if (allowed == "self")
                               return normalize_origin(self_origin) == normal;
                           return allowed == *normal;
                       });
}

result<site_directory> parse_sites(std::string_view json_text)
{
    const auto doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_discarded())
        return make_error(errc::invalid_json, "the sites file is not valid JSON");
    if (!doc.is_object())
        return make_error(errc::not_an_object,
                          "the sites file must be an object: {\"sites\": [...]}");
    for (const auto& [key, value] : doc.items()) {
        if (key != "sites")
            return make_error(errc::invalid_argument,
                              cat({"unknown top-level field \"", key, "\" (known: sites)"}));
    }
    const auto list = doc.find("sites");
    if (list == doc.end())
        return make_error(errc::missing_field, "\"sites\" is missing");
    if (!list->is_array())
        return make_error(errc::wrong_type, "\"sites\" must be an array");
    if (list->empty())
        return make_error(errc::invalid_argument, "\"sites\" is empty: no page could use DONNA");

    site_directory directory;
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto s = parse_site((*list)[i], i);
        if (!s)
            return s.error();
        if (directory.find(s->id))
            return make_error(errc::invalid_argument,
                              site_label(i, s->id) + "the id is already used by another site");
        for (const auto& number : s->phone_numbers)
            if (const auto* owner = directory.find_by_number(number))
                return make_error(errc::invalid_argument,
                                  site_label(i, s->id) + "phone number " + number +
                                      " already belongs to site '" + owner->id + "'");
        directory.sites.push_back(std::move(*s));
    }
    return directory;
}

result<site_directory> read_sites_file(const std::filesystem::path& path)
{
    const auto text = read_text_file(path);
    if (!text)
        return text.error();
    auto directory = parse_sites(*text);
    if (!directory)
        return make_error(directory.error().code, path.string() + ": " + directory.error().message);
    return directory;
}

site_directory default_sites()
{
    site_directory directory;
    directory.sites.push_back(site{.id = "demo",
                                   .allowed_origins = {"self"},
                                   .persona = donna::persona::general,
                                   .greeting = ""});
    return directory;
}

} // namespace donna::relay
