// call_events.hpp: a stored Telnyx Call Control event (call.initiated, call.answered,
// call.bridged, call.hangup, call.recording.saved, call.cost...) read into what the call
// history keeps (store/call_store's call_event): the call's ids, ours from client_state
// ("donna-call:<id>", set when the relay dialed), the parties, the site whose number was
// called, and the part of the payload the timeline shows (../shared/API-NOTES.md section 1;
// call.cost per telnyx-ruby's CallCostWebhookEvent: total_cost, cost_parts[].currency,
// billed_duration_secs, status).
//
//   if (auto e = call_event_of(stored, payload, cfg.sites)) calls.apply(*e);
#pragma once

#include "store/call_store.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace donna::relay {

struct site_directory;
struct webhook_event;

// The client_state the relay gives a call it dials (or answers).
std::string call_client_state(std::int64_t call_id);
// The client_state of the leg a transfer of call `call_id` dials (target_leg_client_state).
std::string transfer_client_state(std::int64_t call_id);

// nullopt for an event that is not about a call (no call ids in its payload).
std::optional<call_event> call_event_of(const webhook_event& stored, const nlohmann::json& payload,
                                        const site_directory& sites);

} // namespace donna::relay
