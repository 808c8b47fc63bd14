// telnyx_call_control.hpp: Telnyx Call Control v2 as the relay speaks it, free of I/O: dial,
// the call commands (POST /calls/{call_control_id}/actions/{name}), a call's live status, and
// their answers (../shared/API-NOTES.md section 1; telnyx-node src/resources/calls/calls.ts,
// calls/actions.ts).
//
//   auto req = telnyx_dial_request(cfg, {.to = "+15550100199", .client_state = "call-17",
//                                        .command_id = "dial-17"});
//   auto req = telnyx_command_request(cfg, id, "hangup", {.command_id = "hangup-17"});
//
// `client_state` travels base64-encoded, as Telnyx requires; the relay passes plain text in
// and reads plain text back (telnyx_client_state). `command_id` makes a command idempotent:
// Telnyx ignores a command whose id it has seen on the same call.
#pragma once

#include "core/error.hpp"
#include "upstream/http_client.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

struct config;

struct telnyx_dial_params {
    std::string to;
    std::string from = {}; // "" : TELNYX_PHONE_NUMBER
    std::string client_state = {};
    std::string command_id = {};
    int timeout_secs = 30;
};

struct telnyx_command_params {
    std::string command_id = {};
    std::string client_state = {};
    std::string to = {};                      // transfer
    std::string from = {};                    // transfer
    std::string target_leg_client_state = {}; // transfer (plain; sent base64)
    int timeout_secs = 0;                     // transfer: 0 leaves it out
    std::string audio_url = {};               // transfer: played to the person who answers
    std::string format = {};                  // record_start: mp3 | wav
    std::string channels = {};                // record_start: single | dual
    std::string cause = {};                   // reject: CALL_REJECTED | USER_BUSY
    // streaming_start: the caller's track to stream_url, and what is sent back played to the
    // caller ("rtp" mode: Telnyx's default, mp3, drops raw audio silently).
    std::string stream_url = {};
    std::string stream_auth_token = {};
    std::string stream_codec = {}; // also the bidirectional codec
    int stream_sampling_rate = 0;  // of the audio sent back; 0: not said
};

// A call_control_id as Telnyx writes them ("v3:..."): letters, digits, ':', '_', '-', '.',
// at most 256; checked before it goes into a URL path.
bool is_telnyx_call_control_id(std::string_view id);

// POST {base}/calls with connection_id (TELNYX_CONNECTION_ID), to, from, timeout_secs,
// webhook_url (TELNYX_WEBHOOK_URL) and the optional fields given.
upstream_request telnyx_dial_request(const config& cfg, const telnyx_dial_params& p);
// POST {base}/calls/{id}/actions/{action} with the fields that action takes.
upstream_request telnyx_command_request(const config& cfg, std::string_view call_control_id,
                                        std::string_view action, const telnyx_command_params& p);
// GET {base}/calls/{id}
upstream_request telnyx_call_status_request(const config& cfg, std::string_view call_control_id);

struct telnyx_call {
    std::string call_control_id;
    std::string call_leg_id;
    std::string call_session_id;
    bool is_alive = false;
    std::int64_t call_duration = 0; // seconds
    std::string start_time;
    std::string end_time;
    std::string client_state; // decoded
};

// {"data":{...}} of a dial or a status answer. Errors: invalid_json, missing_field.
result<telnyx_call> parse_telnyx_call_answer(const std::string& body);

// A client_state as sent (base64) back to the text the relay put in; "" when it is not base64.
std::string telnyx_client_state(std::string_view base64);

} // namespace donna::relay
