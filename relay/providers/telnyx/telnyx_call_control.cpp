// telnyx_call_control.cpp: Call Control requests and answers.
#include "providers/telnyx/telnyx_call_control.hpp"

#include "audio/base64.hpp"
#include "config/config.hpp"
#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <span>

namespace donna::relay {
namespace {

using json = nlohmann::json;

std::string encoded_state(const std::string& text)
{
    return base64_encode(
        std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

upstream_request telnyx_request(const config& cfg, std::string method, const std::string& path)
{
    upstream_request req{.method = std::move(method), .url = cfg.telnyx_base_url + path};
    req.headers.emplace_back("Authorization", "Bearer " + cfg.telnyx_api_key);
    req.headers.emplace_back("Accept", "application/json");
    return req;
}

void add_if(json& body, const char* name, const std::string& value)
{
    if (!value.empty())
        body[name] = value;
}

} // namespace

bool is_telnyx_call_control_id(std::string_view id)
{
    return !id.empty() && id.size() <= 256 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == ':' || c == '_' || c == '-' || c == '.';
    });
}

upstream_request telnyx_dial_request(const config& cfg, const telnyx_dial_params& p)
{
    json body = {{"connection_id", cfg.telnyx_connection_id},
                 {"to", p.to},
                 {"from", p.from.empty() ? cfg.telnyx_phone_number : p.from},
                 {"timeout_secs", p.timeout_secs}};
    if (!p.client_state.empty())
        body["client_state"] = encoded_state(p.client_state);
    add_if(body, "command_id", p.command_id);
    add_if(body, "webhook_url", cfg.telnyx_webhook_url);
    auto req = telnyx_request(cfg, "POST", "/calls");
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = dump_json(body);
    return req;
}

upstream_request telnyx_command_request(const config& cfg, std::string_view call_control_id,
                                        std::string_view action, const telnyx_command_params& p)
{
    json body = json::object();
    add_if(body, "command_id", p.command_id);
    if (!p.client_state.empty())
        body["client_state"] = encoded_state(p.client_state);
    add_if(body, "to", p.to);
    add_if(body, "from", p.from);
    if (!p.target_leg_client_state.empty())
        body["target_leg_client_state"] = encoded_state(p.target_leg_client_state);
    if (p.timeout_secs > 0)
        body["timeout_secs"] = p.timeout_secs;
    add_if(body, "audio_url", p.audio_url);
    add_if(body, "format", p.format);
    add_if(body, "channels", p.channels);
    add_if(body, "cause", p.cause);
    if (!p.stream_url.empty()) {
        body["stream_url"] = p.stream_url;
        body["stream_track"] = "inbound_track";
        body["stream_bidirectional_mode"] = "rtp";
        add_if(body, "stream_codec", p.stream_codec);
        add_if(body, "stream_bidirectional_codec", p.stream_codec);
        if (p.stream_sampling_rate > 0)
            body["stream_bidirectional_sampling_rate"] = p.stream_sampling_rate;
        add_if(body, "stream_auth_token", p.stream_auth_token);
    }
    auto req = telnyx_request(
        cfg, "POST", "/calls/" + std::string(call_control_id) + "/actions/" + std::string(action));
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = dump_json(body);
    return req;
}

upstream_request telnyx_call_status_request(const config& cfg, std::string_view call_control_id)
{
    return telnyx_request(cfg, "GET", "/calls/" + std::string(call_control_id));
}

result<telnyx_call> parse_telnyx_call_answer(const std::string& body)
{
    const auto parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object())
        return make_error(errc::invalid_json, "Telnyx's answer is not a JSON object");
    const auto* data = json_member(parsed, "data");
    if (data == nullptr || !data->is_object())
        return make_error(errc::missing_field, "Telnyx's answer has no data object");
    telnyx_call call;
    call.call_control_id = json_string_member(*data, "call_control_id");
    if (call.call_control_id.empty())
        return make_error(errc::missing_field, "Telnyx's answer names no call_control_id");
    call.call_leg_id = json_string_member(*data, "call_leg_id");
    call.call_session_id = json_string_member(*data, "call_session_id");
    if (const auto* alive = json_member(*data, "is_alive"); alive != nullptr && alive->is_boolean())
        call.is_alive = alive->get<bool>();
    if (const auto* d = json_member(*data, "call_duration"); d != nullptr && d->is_number_integer())
        call.call_duration = d->get<std::int64_t>();
    call.start_time = json_string_member(*data, "start_time");
    call.end_time = json_string_member(*data, "end_time");
    call.client_state = telnyx_client_state(json_string_member(*data, "client_state"));
    return call;
}

std::string telnyx_client_state(std::string_view base64)
{
    auto bytes = base64_decode(base64);
    if (!bytes)
        return {};
    return {bytes->begin(), bytes->end()};
}

} // namespace donna::relay
