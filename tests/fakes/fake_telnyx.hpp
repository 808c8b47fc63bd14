// fake_telnyx.hpp: a faithful fake of Telnyx for the relay's tests: its REST API (Messaging and
// Call Control v2) on loopback, and its webhook side, which signs every event with an Ed25519
// key of its own (telnyx_webhook_signer) and delivers it to the relay's webhook URL until it is
// answered 2xx, as Telnyx does.
//
//   donna::fakes::fake_telnyx telnyx;
//   ASSERT_TRUE(telnyx.start());
//   cfg.telnyx_base_url = telnyx.base_url();           // "http://127.0.0.1:<port>/v2"
//   cfg.telnyx_api_key = telnyx.api_key();
//   cfg.telnyx_public_key = telnyx.signer().public_key_base64();
//   telnyx.deliver_webhooks_to("http://127.0.0.1:" + port + "/v1/webhooks/telnyx");
//   ... the relay texts someone ...
//   EXPECT_EQ(telnyx.texts_sent(), 1);                 // by idempotency key: never twice
//   telnyx.receive_text("+15550100199", "STOP");       // message.received, signed
//
// What it speaks (../shared/API-NOTES.md sections 1, 3 and 4; telnyx-node
// src/resources/messages/messages.ts, calls/calls.ts, calls/actions.ts; error codes from
// developers.telnyx.com/docs/errors). Every request needs `Authorization: Bearer <api_key>`,
// else 401 {"errors":[{"code":"10009","title":"Authentication failed",...}]}.
//   POST /v2/messages: a JSON object with `to` (+E.164, else 422 10016 at /to; absent: 422 10004),
//   `from` or `messaging_profile_id` (neither: 422 10004 at /from), `text` (an SMS without it:
//   422 10004 at /text), `media_urls` (an MMS: 1 to 10 http(s) URLs, else 422 10003), `type`
//   (SMS | MMS), `encoding` (auto | gsm7 | ucs2), `webhook_url`. Answers 200 {"data": message}:
//   id (UUID), record_type "message", direction "outbound", from {phone_number}, to
//   [{phone_number, status "queued"}], text, media [{url}], type, encoding, parts, errors [].
//   Then, with a webhook URL, message.sent (to[].status "sent") and message.finalized
//   ("delivered", or "delivery_failed" with errors [{code "40001",...}] for a number given to
//   fail_delivery_to) follow, signed, 1 s apart by occurred_at.
//   Idempotency-Key (Telnyx's general contract, developers.telnyx.com/docs/development/
//   api-fundamentals/idempotency): [A-Za-z0-9_:-]{1,255} (else 422 10015); the same key with a
//   byte-identical body is answered with the first answer again and sends nothing; with another
//   body, 422 10015.
//   POST /v2/calls: `connection_id` (must be the fake's, else 422 10005 at /connection_id),
//   `to`, `from` (+E.164, else 422 10016), `client_state` (base64, else 422 10015),
//   `command_id`, `timeout_secs`. Answers {"data":{call_control_id "v3:...", call_leg_id,
//   call_session_id, is_alive false, record_type "call", client_state?}}; then call.initiated.
//   POST /v2/calls/{id}/actions/{answer|hangup|transfer|record_start|record_stop|...}: 404
//   10005 for a call it never made; 422 90018 "Call has already ended" on an ended call; a
//   `command_id` already seen on the call is answered ok and does nothing. hangup ends the
//   call (call.hangup, normal_clearing, hangup_source caller); transfer needs `to` (422 10004)
//   and bridges (call.bridged), or, after transfers_end(cause), rings a new leg that hangs up
//   with that cause (timeout_secs 5 to 600, target_leg_client_state base64, audio_url http(s),
//   else 422 10015); record_start needs `format` and `channels`; record_stop sends
//   call.recording.saved with recording_urls. Answers {"data":{"result":"ok"}}.
//   GET /v2/calls/{id}: {"data":{call_control_id, call_leg_id, call_session_id, is_alive,
//   call_duration, record_type "call", client_state}}.
//   reject ends the call (call.hangup, call_rejected). streaming_start needs a ws(s) `stream_url`
//   (422 10015 /stream_url), takes stream_codec and stream_bidirectional_codec (PCMU, PCMA,
//   G722, OPUS, AMR-WB, L16), stream_bidirectional_mode (mp3, rtp) and
//   stream_bidirectional_sampling_rate (8000, 16000, 22050, 24000, 48000), else 422 10015;
//   it records them on the call and sends streaming.started.
//   The test side: answer_call(id) (the callee picks up: call.answered), hang_up_call(id)
//   (the far end hangs up), call_in(from, to, offered_codecs) (an incoming call:
//   call.initiated, direction incoming), wait_stream(id) (the stream the relay asked for).
//   Faults (http_fault) apply to every POST: 429 {"errors":[{"code":"10011","title":"Too many
//   requests"}]} with Retry-After, 500 {"errors":[{"code":"10007","title":"Unexpected error"}]}.
//
// Webhook delivery: one event at a time, in the order made (or shuffled with
// reorder_webhooks), after webhook_delay, each POSTed with telnyx-timestamp and telnyx-signature-ed25519 over
// "<timestamp>|<body>" until answered 2xx (a refused or unreachable relay is tried again every
// retry_interval, each time signed anew, as Telnyx retries); redeliver_all() sends every
// answered event once more (a replay).
//
// Not simulated: number pools, alphanumeric senders, short codes, long-text segmentation
// limits, scheduled sends, group MMS, conference and media-streaming commands.
#pragma once

#include "fake_http_server.hpp"
#include "telnyx_webhook_signer.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace donna::fakes {

// The key every request needs, assembled at run time so that no key-like literal sits in
// the source.
std::string fake_telnyx_default_key();

struct fake_telnyx_options {
    std::string api_key = fake_telnyx_default_key();
    std::string connection_id = "1684641123236054244"; // the Call Control app dialing needs
    http_fault fault = http_fault::none;
    int fault_count = 1;
    int retry_after_seconds = 1;
    // Between deliveries of an unanswered webhook.
    std::chrono::milliseconds retry_interval = std::chrono::milliseconds(50);
    bool reorder_webhooks = false; // deliver pending events in a random order
    // Before each delivery (Telnyx's queues are not instant): events made meanwhile pile up,
    // and with reorder_webhooks go out in a shuffled order.
    std::chrono::milliseconds webhook_delay = std::chrono::milliseconds(0);
};

// One text the fake accepted (replays of an idempotency key are not new texts).
struct fake_text {
    std::string id;
    std::string from;
    std::string messaging_profile_id;
    std::string to;
    std::string text;
    std::vector<std::string> media_urls;
    std::string idempotency_key;
};

struct fake_call {
    std::string call_control_id;
    std::string call_leg_id;
    std::string call_session_id;
    std::string from;
    std::string to;
    std::string client_state; // base64, as sent
    std::string state;        // "dialing", "answered", "bridged", "hangup"
    std::string transferred_to;
    // The last transfer, as asked: the caller's reason played to the person (audio_url), the
    // new leg's client state (base64), how long it rings (0: Telnyx's default).
    std::string transfer_audio_url;
    std::string transfer_target_client_state;
    int transfer_timeout_secs = 0;
    int streams = 0; // streaming_start commands carried out
    bool recording = false;
    std::vector<std::string> commands; // action names carried out, in order
    std::string offered_codecs;        // call_in's offer, in call.initiated
    // streaming_start, as asked (the media stream then opens from the test's side:
    // fake_media_stream, with these).
    std::string stream_url;
    std::string stream_auth_token;
    std::string stream_codec;
    std::string stream_bidirectional_mode;
    std::string stream_bidirectional_codec;
    int stream_sampling_rate = 0;
    std::string hangup_cause; // once ended: normal_clearing, call_rejected...
};

class fake_telnyx : public fake_http_server {
public:
    explicit fake_telnyx(const fake_telnyx_options& options = {});
    ~fake_telnyx();

    std::string base_url() const; // "http://127.0.0.1:<port>/v2"
    const std::string& api_key() const;
    const std::string& connection_id() const;
    const telnyx_webhook_signer& signer() const;

    // Where events go from now on ("" stops delivery; events wait).
    void deliver_webhooks_to(const std::string& url);
    // A later message.finalized to this number says delivery_failed (40001, not routable).
    void fail_delivery_to(const std::string& number);

    // The texts accepted, in order; how many; how many times a key was answered in all.
    std::vector<fake_text> texts() const;
    int texts_sent() const;
    int answers_for_key(const std::string& idempotency_key) const;

    // Someone texts the business: message.received from `from` to `to` (the fake's number when
    // "" : the relay's TELNYX_PHONE_NUMBER is the test's business). Its event id.
    std::string receive_text(const std::string& from, const std::string& to,
                             const std::string& text);

    std::vector<fake_call> calls() const;
    // How the next transfers end: "" (the person answers: call.bridged) or a hangup_cause of
    // the new leg's ("timeout": nobody answered, "user_busy"): its call.initiated, then its
    // call.hangup, with the transfer's target_leg_client_state; the caller's call stays up,
    // as Telnyx leaves it.
    void transfers_end(const std::string& hangup_cause);
    // The callee answers / the far end hangs up / someone calls in.
    void answer_call(const std::string& call_control_id);
    void hang_up_call(const std::string& call_control_id);
    // An incoming call; `offered_codecs` is what call.initiated says the caller's side offers
    // ("" : the field left out). Its call_control_id.
    std::string call_in(const std::string& from, const std::string& to,
                        const std::string& offered_codecs = "");
    // The call with this id, once the relay has asked for its media stream (streaming_start);
    // nullopt if it has not within the timeout.
    std::optional<fake_call>
    wait_stream(const std::string& call_control_id,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    // Any signed event of the test's making, queued like the fake's own. Its body.
    std::string send_event(const std::string& type, const nlohmann::json& payload);

    // Webhooks: made so far, answered 2xx (each event once), POSTs tried in all.
    int webhooks_made() const;
    int webhooks_answered() const;
    int webhook_attempts() const;
    // Waits until every event made so far is answered; false on timeout.
    bool wait_webhooks_answered(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    // Every event answered so far goes out again (a replay), in the original order.
    void redeliver_all();

    struct api;
    struct webhooks;

private:
    std::unique_ptr<webhooks> webhooks_;
    api& api_;
};

} // namespace donna::fakes
