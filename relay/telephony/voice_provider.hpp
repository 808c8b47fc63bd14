// voice_provider.hpp: what the relay asks of a phone-call provider (VOICE_PROVIDER, default
// telnyx), and all its callers (the admin's call API, the phone bridge) know of one: dial a
// call, act on one, read its live status. A provider is added by implementing this and
// registering a factory in telephony/phone_providers; no caller changes.
//
//   voice.dial({.to = "+15550100199", .client_state = "call-17", .command_id = "dial-17"},
//              [](provider_result<dialed_call> r) { ... r->call_control_id ... });
//   voice.command({.action = call_action::hangup, .call_control_id = id,
//                  .command_id = "hangup-17"}, [](provider_result<command_done> r) { ... });
#pragma once

#include "telephony/provider_result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

struct dial_request {
    std::string to;                // +E.164 (or a SIP URI)
    std::string from = {};         // "" : the relay's own number (TELNYX_PHONE_NUMBER)
    std::string client_state = {}; // comes back in every event of the call (our call id)
    std::string command_id = {};   // idempotency: the same id is one dial
    int timeout_secs = 30;         // ring this long before giving up
};

struct dialed_call {
    std::string call_control_id; // what commands name the call by
    std::string call_leg_id;
    std::string call_session_id;
};

// The first five are the admin's (POST /v1/calls/<id>/actions/<name>); reject and
// stream_media are the relay's own, when a call comes in (phone/call_answering).
enum class call_action {
    answer,
    hangup,
    transfer,
    record_start,
    record_stop,
    reject,
    stream_media
};

// "answer" ... "record_stop" (Telnyx's path names), the actions an admin may ask for; nullopt
// for another word (reject and stream_media included).
std::optional<call_action> call_action_named(std::string_view name);
// Every action's name: also "reject" and "streaming_start".
std::string_view call_action_name(call_action action);

// Where and how a call's audio is streamed to the relay and back (stream_media).
struct media_stream_request {
    std::string url;        // wss://<relay>/v1/phone/media?call=<id>
    std::string auth_token; // sent back on the WebSocket upgrade, checked there
    std::string codec;      // both ways: PCMU | PCMA | L16 | G722
    int sample_rate = 8000; // of the audio sent back: 8000 | 16000
};

struct call_command {
    call_action action = call_action::hangup;
    std::string call_control_id;
    std::string command_id = {};   // idempotency: the same id on the same call is one command
    std::string client_state = {}; // replaces the call's client state (our call id)
    std::string to = {};           // transfer: where to
    std::string from = {};         // transfer: the caller id shown ("" : the provider's default)
    // transfer: the new leg's client state (plain text; the provider's events about that leg
    // carry it), how long it rings (0: the provider's default) and a recording played to the
    // person who answers before the caller is put through ("": none).
    std::string target_client_state = {};
    int ring_seconds = 0;
    std::string whisper_url = {};
    std::string record_format = "mp3";          // record_start: mp3 | wav
    std::string record_channels = "single";     // record_start: single | dual
    media_stream_request media = {};            // stream_media
    std::string reject_cause = "CALL_REJECTED"; // reject: CALL_REJECTED | USER_BUSY
};

struct command_done {};

struct call_status {
    std::string call_control_id;
    std::string call_leg_id;
    std::string call_session_id;
    bool is_alive = false;
    std::int64_t duration_seconds = 0;
    std::string start_time = {}; // ISO 8601, as the provider says
    std::string end_time = {};
};

class voice_provider {
public:
    virtual ~voice_provider() = default;
    // Each calls `done` exactly once, on any thread.
    virtual void dial(const dial_request& request,
                      std::function<void(provider_result<dialed_call>)> done) = 0;
    virtual void command(const call_command& command,
                         std::function<void(provider_result<command_done>)> done) = 0;
    virtual void status(const std::string& call_control_id,
                        std::function<void(provider_result<call_status>)> done) = 0;
};

} // namespace donna::relay
