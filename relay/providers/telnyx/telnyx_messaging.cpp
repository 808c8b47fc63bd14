// telnyx_messaging.cpp: the send request, and the message object read back.
#include "providers/telnyx/telnyx_messaging.hpp"

#include "config/config.hpp"
#include "protocol/json_fields.hpp"
#include "providers/telnyx/telnyx_errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace donna::relay {
namespace {

using json = nlohmann::json;

std::string phone_of(const json& party)
{
    if (party.is_string())
        return party.get<std::string>();
    return party.is_object() ? json_string_member(party, "phone_number") : std::string();
}

} // namespace

upstream_request telnyx_send_message_request(const config& cfg, const telnyx_message_params& p)
{
    json body = {{"to", p.to},
                 {"text", p.text},
                 {"type", p.media_urls.empty() ? "SMS" : "MMS"},
                 {"encoding", "auto"}};
    if (!p.media_urls.empty())
        body["media_urls"] = p.media_urls;
    if (!cfg.telnyx_phone_number.empty())
        body["from"] = cfg.telnyx_phone_number;
    if (!cfg.telnyx_messaging_profile_id.empty())
        body["messaging_profile_id"] = cfg.telnyx_messaging_profile_id;
    if (!cfg.telnyx_webhook_url.empty())
        body["webhook_url"] = cfg.telnyx_webhook_url;
    upstream_request req{.method = "POST", .url = cfg.telnyx_base_url + "/messages"};
    req.headers.emplace_back("Authorization", "Bearer " + cfg.telnyx_api_key);
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("Accept", "application/json");
    if (!p.idempotency_key.empty())
        req.headers.emplace_back("Idempotency-Key", p.idempotency_key);
    req.body = dump_json(body);
    return req;
}

bool is_telnyx_idempotency_key(std::string_view key)
{
    return !key.empty() && key.size() <= 255 && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == ':' || c == '-';
    });
}

result<telnyx_message> parse_telnyx_message(const json& payload)
{
    if (!payload.is_object())
        return make_error(errc::not_an_object, "a Telnyx message must be a JSON object");
    telnyx_message m;
    m.id = json_string_member(payload, "id");
    if (m.id.empty())
        return make_error(errc::missing_field, "a Telnyx message without its id");
    m.direction = json_string_member(payload, "direction");
    m.type = json_string_member(payload, "type");
    m.text = json_string_member(payload, "text");
    if (const auto* from = json_member(payload, "from"); from != nullptr)
        m.from = phone_of(*from);
    if (const auto* to = json_member(payload, "to"); to != nullptr) {
        // An array of recipients on messages; a bare string on some inbound payloads.
        if (to->is_array()) {
            for (const auto& r : *to)
                m.to.push_back(
                    {phone_of(r), r.is_object() ? json_string_member(r, "status") : std::string()});
        } else {
            m.to.push_back({phone_of(*to), {}});
        }
    }
    if (const auto* media = json_member(payload, "media"); media != nullptr && media->is_array())
        for (const auto& item : *media)
            if (item.is_object())
                if (auto url = json_string_member(item, "url"); !url.empty())
                    m.media_urls.push_back(std::move(url));
    if (const auto* errors = json_member(payload, "errors"); errors != nullptr)
        m.errors = telnyx_errors_in(*errors);
    return m;
}

result<telnyx_message> parse_telnyx_message_answer(const std::string& body)
{
    const auto parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object())
        return make_error(errc::invalid_json, "Telnyx's answer is not a JSON object");
    const auto* data = json_member(parsed, "data");
    if (data == nullptr)
        return make_error(errc::missing_field, "Telnyx's answer has no data");
    return parse_telnyx_message(*data);
}

bool is_final_message_status(std::string_view status)
{
    return status == "delivered" || status == "delivery_unconfirmed" ||
           is_failed_message_status(status);
}

bool is_failed_message_status(std::string_view status)
{
    return status == "sending_failed" || status == "delivery_failed";
}

} // namespace donna::relay
