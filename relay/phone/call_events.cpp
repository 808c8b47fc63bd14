// call_events.cpp: a call event's ids, parties and timeline detail.
#include "phone/call_events.hpp"

#include "config/sites.hpp"
#include "protocol/json_fields.hpp"
#include "providers/telnyx/telnyx_call_control.hpp"
#include "store/webhook_store.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace donna::relay {
namespace {

using json = nlohmann::json;

constexpr std::string_view client_state_prefix = "donna-call:";
constexpr std::string_view transfer_state_prefix = "donna-transfer:";

// The id in a client state of ours ("<prefix><id>"), 0 when it is not one.
std::int64_t id_in_state(const std::string& client_state, std::string_view prefix)
{
    const auto text = telnyx_client_state(client_state);
    if (!text.starts_with(prefix))
        return 0;
    std::int64_t id = 0;
    const auto* first = text.data() + prefix.size();
    const auto* last = text.data() + text.size();
    const auto parsed = std::from_chars(first, last, id);
    return parsed.ec == std::errc() && parsed.ptr == last && id > 0 ? id : 0;
}

std::string party(const json& payload, const char* name)
{
    const auto* value = json_member(payload, name);
    if (value == nullptr)
        return {};
    if (value->is_string())
        return value->get<std::string>();
    return value->is_object() ? json_string_member(*value, "phone_number") : std::string();
}

// What the timeline shows of each type: the payload's own fields that say what happened.
json detail_of(const std::string& type, const json& payload)
{
    json detail = json::object();
    const auto copy = [&](std::initializer_list<const char*> names) {
        for (const auto* name : names)
            if (const auto* value = json_member(payload, name); value != nullptr)
                detail[name] = *value;
    };
    if (type == "call.initiated")
        copy({"direction", "from", "to", "state", "offered_codecs"});
    else if (type == "call.bridged")
        copy({"from", "to"});
    else if (type == "call.hangup")
        copy({"hangup_cause", "hangup_source", "sip_hangup_cause"});

    else if (type == "call.recording.saved")
        copy({"channels", "recording_started_at", "recording_ended_at", "recording_urls",
              "public_recording_urls"});
    else if (type == "call.cost")
        copy({"total_cost", "billed_duration_secs", "status", "cost_parts"});
    else if (type == "call.dtmf.received")
        copy({"digit"});
    return detail;
}

std::string cost_of(const json& payload)
{
    const auto* total = json_member(payload, "total_cost");
    if (total == nullptr)
        return {};
    json cost = {{"total_cost", *total}};
    if (const auto* parts = json_member(payload, "cost_parts");
        parts != nullptr && parts->is_array() && !parts->empty() && parts->front().is_object())
        cost["currency"] = json_string_member(parts->front(), "currency");
    if (const auto* secs = json_member(payload, "billed_duration_secs"); secs != nullptr)
        cost["billed_duration_secs"] = *secs;
    return dump_json(cost);
}

} // namespace

std::string call_client_state(std::int64_t call_id)
{
    return std::string(client_state_prefix) + std::to_string(call_id);
}

std::string transfer_client_state(std::int64_t call_id)
{
    return std::string(transfer_state_prefix) + std::to_string(call_id);
}

std::optional<call_event> call_event_of(const webhook_event& stored, const json& payload,
                                        const site_directory& sites)
{
    if (!payload.is_object())
        return std::nullopt;
    call_event e;
    e.event_id = stored.event_id;
    e.event_type = stored.event_type;
    e.occurred_at_ms = stored.occurred_at_ms;
    e.call_control_id = json_string_member(payload, "call_control_id");
    e.call_leg_id = json_string_member(payload, "call_leg_id");
    e.call_session_id = json_string_member(payload, "call_session_id");
    if (e.call_control_id.empty() && e.call_leg_id.empty() && e.call_session_id.empty())
        return std::nullopt;
    const auto state = json_string_member(payload, "client_state");
    e.call_id = id_in_state(state, client_state_prefix);
    e.transfer_of = id_in_state(state, transfer_state_prefix);
    e.direction = json_string_member(payload, "direction");
    e.from = party(payload, "from");
    e.to = party(payload, "to");
    if (const auto* owner = sites.find_by_number(e.to); owner != nullptr)
        e.site = owner->id;
    e.hangup_cause = json_string_member(payload, "hangup_cause");
    e.hangup_source = json_string_member(payload, "hangup_source");
    if (e.event_type == "call.cost")
        e.cost = cost_of(payload);
    auto detail = detail_of(e.event_type, payload);
    if (e.transfer_of != 0) // a transfer's leg: its events told apart in the caller's timeline
        detail["call_leg_id"] = e.call_leg_id;
    e.detail = dump_json(detail);
    return e;
}

} // namespace donna::relay
