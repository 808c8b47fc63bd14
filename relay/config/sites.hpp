// sites.hpp: the customer sites that may embed DONNA, read from a JSON sites file: which
// origins may open a session for a site, and the persona and greeting it starts with.
//
//   auto sites = donna::relay::read_sites_file("sites.json");
//   if (!sites) fail(sites.error().message);   // "site 2 ('acme'): allowed_origins[0] ..."
//   const auto* s = sites->find("acme");
//   if (!s || !sites->origin_allowed(*s, request_origin, "https://relay.example")) -> 403
//
// File shape (unknown fields are an error, so that a typo cannot silently drop a setting):
//   {"sites": [{"id": "acme", "allowed_origins": ["https://www.acme.example", "self"],
//               "persona": "receptionist", "greeting": "Hello, Acme reception.",
//               "staff_emails": ["desk@acme.example"], "staff_phones": ["+15550100100"],
//               "daily_email_cap": 100, "daily_sms_cap": 100, "notify_staff": true,
//               "phone_numbers": ["+15550100100"],
//               "templates": {"staff_notification": {"subject": "...", "text": "...",
//                                                    "html": "..."},
//                             "visitor_confirmation": {...}}}]}
// Only id, allowed_origins and persona are required. The templates' fields are optional
// (outbox/mail_templates has the built-in ones and the placeholders).
// Origins are stored normalised (lower-case scheme and host, default port removed).
#pragma once

#include "config/business_hours.hpp"

#include "core/error.hpp"
#include "protocol/donna_events.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

struct site {
    std::string id;                           // [a-z0-9-]{1,64}, unique in the file
    std::vector<std::string> allowed_origins; // normalised origins, or "self"
    donna::persona persona = donna::persona::general;
    std::string greeting; // optional, at most 500 characters
    // Who DONNA may always write to (policy/recipient_policy), and who hears of a new message
    // or callback request (notify_staff): email addresses and E.164 numbers, at most 10 each.
    std::vector<std::string> staff_emails = {};
    std::vector<std::string> staff_phones = {};
    // The business's own numbers (E.164, at most 10): a text or call to one of them is this
    // site's, answered with its persona. A number belongs to one site at most.
    std::vector<std::string> phone_numbers = {};
    // When the business takes calls (config/business_hours); nullopt: always.
    std::optional<business_hours> hours = {};
    int daily_email_cap = 100; // emails to visitors per UTC day, 0 to 100000
    int daily_sms_cap = 100;   // text messages to visitors per UTC day
    bool notify_staff = true;  // email staff_emails about each message and callback request
    // A call from a number linked to a signed-in user gets that user's memories. Off by
    // default: caller id can be forged, and memories are personal.
    bool trust_caller_id = false;
    // Each field "" for the built-in one.
    struct mail_template {
        std::string subject = {}, text = {}, html = {};
    };
    mail_template staff_notification = {};
    mail_template visitor_confirmation = {};
};

struct site_directory {
    std::vector<site> sites;

    const site* find(std::string_view id) const;
    // The site whose phone_numbers hold `number`, or null.
    const site* find_by_number(std::string_view number) const;
    // Exact match of the normalised `origin` (the request's Origin header) against the site's
    // list. The entry "self" allows a request whose Origin equals `self_origin`, the relay's
    // own origin. A malformed or "null" origin is never allowed.
    bool origin_allowed(const site& s, std::string_view origin, std::string_view self_origin) const;
};

// "scheme://host[:port]" with a lower-case scheme (http or https) and host and no default
// port, or nullopt when `origin` is not exactly an http(s) origin (path, query, userinfo...).
std::optional<std::string> normalize_origin(std::string_view origin);

// Errors name the site (index and id) and the field: invalid_json, not_an_object,
// missing_field, wrong_type, out_of_range (unknown persona, greeting too long),
// invalid_argument.
result<site_directory> parse_sites(std::string_view json_text);
// As parse_sites, prefixed with the path; errc::not_found when the file does not exist.
result<site_directory> read_sites_file(const std::filesystem::path& path);

// What the relay uses without a sites file: one site "demo", served to the relay's own
// pages only ("self"), with the general persona.
site_directory default_sites();

} // namespace donna::relay
