// telnyx_event.hpp: the envelope of a Telnyx webhook, as much as the relay needs to store it
// and put it in order: {"data":{"id","event_type","occurred_at","payload",
// "record_type":"event"},"meta":{...}} (telnyx-node src/resources/webhooks.ts; telnyx-python
// types/call_initiated.py; ../shared/API-NOTES.md sections 1 and 3). Pure: no I/O.
//
//   auto event = parse_telnyx_event(body);        // id, type, occurred_at (and in ms)
//   if (!is_known_telnyx_event(event->type)) count("unknown");   // stored all the same
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

struct telnyx_event {
    std::string id;                  // data.id: the event's own id (Telnyx resends the same id)
    std::string type;                // data.event_type, e.g. "call.initiated", "message.finalized"
    std::string occurred_at;         // data.occurred_at as sent (ISO 8601)
    std::int64_t occurred_at_ms = 0; // the same in Unix milliseconds, for ordering
};

// Errors: invalid_json, not_an_object, missing_field or wrong_type (naming data.id,
// data.event_type or data.occurred_at), invalid_argument (an id over 128 characters, a type
// over 64, an occurred_at that is not an ISO 8601 time).
result<telnyx_event> parse_telnyx_event(std::string_view body);

// One of the event types Telnyx documents for Call Control, media streaming and messaging.
bool is_known_telnyx_event(std::string_view type);

// "2026-12-07T13:45:00.123456Z" or with an offset ("+01:00") as Unix milliseconds.
std::optional<std::int64_t> iso8601_unix_ms(std::string_view text);

} // namespace donna::relay
