// telnyx_messaging.hpp: Telnyx's Messaging API as the relay speaks it, free of I/O: the
// request that sends an SMS or MMS, and the message object Telnyx answers and puts in its
// message.sent / message.finalized / message.received webhooks (../shared/API-NOTES.md
// section 3; telnyx-node src/resources/messages/messages.ts).
//
//   auto req = telnyx_send_message_request(cfg, {.to = "+15550100199", .text = "Hi",
//                                                .idempotency_key = "donna-outbox-42"});
//   client.request("telnyx", std::move(req), ...);
//   auto sent = parse_telnyx_message_answer(response.body);   // {"data": message}
//
// Idempotency: the request carries `Idempotency-Key` (Telnyx's general contract,
// developers.telnyx.com/docs/development/api-fundamentals/idempotency: a successful answer
// is replayed for 24 hours to a request with the same key, method, path and byte-identical
// body; the same key with another body is a 422). The body is built deterministically (sorted
// keys, no time in it), so a retry of the same outbox row is the same request.
#pragma once

#include "core/error.hpp"
#include "providers/telnyx/telnyx_errors.hpp"
#include "upstream/http_client.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

struct config;

struct telnyx_message_params {
    std::string to;                           // +E.164
    std::string text;                         // SMS text; MMS caption
    std::vector<std::string> media_urls = {}; // non-empty: an MMS
    std::string idempotency_key = {};         // [A-Za-z0-9_:-]{1,255}; "" sends none
};

// POST {TELNYX_BASE_URL}/messages with Authorization: Bearer TELNYX_API_KEY and
// {"to","text","type":"SMS"|"MMS","encoding":"auto","media_urls"?, "from"? (TELNYX_PHONE_NUMBER),
// "messaging_profile_id"? (TELNYX_MESSAGING_PROFILE_ID), "webhook_url"? (TELNYX_WEBHOOK_URL)}.
upstream_request telnyx_send_message_request(const config& cfg, const telnyx_message_params& p);

// Whether Telnyx would take this as an Idempotency-Key.
bool is_telnyx_idempotency_key(std::string_view key);

struct telnyx_recipient {
    std::string phone_number;
    std::string status; // queued | sending | sent | delivered | sending_failed |
                        // delivery_failed | delivery_unconfirmed (| webhook_delivered)
};

struct telnyx_message {
    std::string id;        // Telnyx's message id (a UUID)
    std::string direction; // "outbound" | "inbound"
    std::string type;      // "SMS" | "MMS"
    std::string from;      // from.phone_number
    std::vector<telnyx_recipient> to;
    std::string text;
    std::vector<std::string> media_urls; // media[].url
    std::vector<telnyx_error> errors;    // payload.errors[]
};

// A message object (the webhook's data.payload, or the answer's data). Errors: not_an_object,
// missing_field (id).
result<telnyx_message> parse_telnyx_message(const nlohmann::json& payload);
// The send answer's body: {"data": message}.
result<telnyx_message> parse_telnyx_message_answer(const std::string& body);

// A recipient status no later event changes (delivered, delivery_unconfirmed, a failure).
bool is_final_message_status(std::string_view status);
// A recipient status that says the text did not arrive.
bool is_failed_message_status(std::string_view status);

} // namespace donna::relay
