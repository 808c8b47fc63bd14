// call_store.hpp: the phone calls the relay knows of (the `calls` table) and each call's
// timeline (`call_events`): calls the admin started (POST /v1/calls) and calls that came in,
// kept from the provider's events (phone/phone_events). Parameterised SQL only.
//
//   call_store calls(db);
//   auto id = calls.create({.site = "demo", .direction = "outbound", .to = "+15550100199", ...});
//   calls.dialed(*id, {"v3:...", leg, session});
//   calls.apply(event);                 // call.answered, call.hangup...: status by occurred_at
//   auto page = calls.list({.number = "+15550100199", .before_id = cursor, .limit = 50});
//
// Out of order: each call keeps the time of the event its status came from; an event that
// occurred earlier never moves the status back (a call.answered that arrives after the
// call.hangup leaves the call ended), and `ended` is final. Every event joins the timeline in
// the order it occurred, once per event id.
#pragma once

#include "core/error.hpp"
#include "store/database.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace donna::relay {

struct call_record {
    std::int64_t id = 0; // the relay's call id
    std::string site;
    std::string direction = "outbound"; // outbound | inbound
    std::string from;
    std::string to;
    // dialing (asked of the provider) | initiated | answered | bridged | ended | failed
    std::string status = "dialing";
    std::string call_control_id = {};
    std::string call_leg_id = {};
    std::string call_session_id = {};
    std::int64_t created_at = 0;     // unix seconds
    std::int64_t answered_at_ms = 0; // 0: not answered
    std::int64_t ended_at_ms = 0;    // 0: not ended
    std::string hangup_cause = {};   // normal_clearing, user_busy, no_answer...
    std::string hangup_source = {};  // caller | callee | unknown
    std::string error = {};          // why it failed, when it did
    std::string cost = {};           // JSON {"amount","currency"} from call.cost, "" when none
    std::int64_t status_at_ms = 0;   // when the event behind `status` occurred
};

struct call_event_row {
    std::string event_id;
    std::string event_type;
    std::int64_t occurred_at_ms = 0;
    std::string detail; // JSON: what the event says that the timeline shows
};

// One provider event about a call, as phone/phone_events reads it.
struct call_event {
    std::string event_id;
    std::string event_type; // call.initiated, call.answered, call.bridged, call.hangup...
    std::int64_t occurred_at_ms = 0;
    std::string call_control_id;
    std::string call_leg_id;
    std::string call_session_id;
    std::int64_t call_id = 0; // from client_state ("donna-call:<id>"), 0 when not ours
    // The leg a transfer of our call dialed (its client_state "donna-transfer:<id>", set as the
    // transfer's target_leg_client_state): the event joins that call's timeline as
    // "transfer_leg.<what>" and changes nothing else of it (the person's phone ringing out
    // does not end the caller's call). 0: not such a leg.
    std::int64_t transfer_of = 0;
    std::string direction; // incoming | outgoing (call.initiated)
    std::string from;
    std::string to;
    std::string site;   // for a call that came in: the site whose number was called
    std::string detail; // JSON for the timeline
    std::string hangup_cause = {};
    std::string hangup_source = {};
    std::string cost = {}; // call.cost: JSON {"amount","currency"}
};

struct call_filter {
    std::string site = {};
    std::string number = {};    // either side
    std::string direction = {}; // outbound | inbound
    std::string status = {};
    std::int64_t since = 0;     // created_at >= since (unix s); 0: no bound
    std::int64_t until = 0;     // created_at < until; 0: no bound
    std::int64_t before_id = 0; // the cursor: ids below it (0: from the newest)
    std::size_t limit = 50;
};

class call_store {
public:
    static constexpr std::size_t max_list = 200;

    explicit call_store(database& db) : db_(db) {}

    // A call the relay is about to ask the provider for; its id.
    result<std::int64_t> create(const call_record& call);
    // The provider took the dial: its ids.
    status dialed(std::int64_t id, const std::string& call_control_id,
                  const std::string& call_leg_id, const std::string& call_session_id);
    // The provider refused the dial.
    status failed(std::int64_t id, const std::string& why, std::int64_t now_ms);

    // An event about a call: finds (or, for a call that came in, makes) its row, adds it to the
    // timeline once, and moves the status when the event is the latest. The call's id, or 0
    // when the event is about no call the relay knows (and not one coming in).
    result<std::int64_t> apply(const call_event& event);

    // Something the relay itself saw on a call (its transcript, both ways: "transcript"
    // with {"role":"caller"|"donna","text"}), added to the timeline under an id of its own
    // ("relay-<call>-<n>", n counted per call). not_found for no such call.
    status note(std::int64_t call_id, const std::string& event_type, const std::string& detail,
                std::int64_t occurred_at_ms);

    // not_found when there is none.
    result<call_record> get(std::int64_t id);
    result<std::vector<call_event_row>> timeline(std::int64_t id);
    // Newest first.
    result<std::vector<call_record>> list(const call_filter& filter);

private:
    result<std::int64_t> apply_transfer_leg(const call_event& event);

    database& db_;
};

} // namespace donna::relay
