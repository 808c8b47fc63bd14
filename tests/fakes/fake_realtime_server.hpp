// fake_realtime_server.hpp: a faithful fake of the OpenAI Realtime API (WebSocket) on
// loopback, so that tests can point OPENAI_BASE_URL at it instead of api.openai.com.
//
//   donna::fakes::fake_realtime_server fake;
//   ASSERT_TRUE(fake.start());
//   cfg.openai_base_url = fake.base_url();   // "http://127.0.0.1:<port>/v1"
//   ... drive the relay: its upstream connects to ws://127.0.0.1:<port>/v1/realtime?model=...
//   ASSERT_TRUE(fake.wait_until([](const auto& c) { return !c.empty() && c[0].closed; }));
//
// What it speaks (openai-node src/resources/realtime/realtime.ts for GA, .../beta/realtime for
// beta): the upgrade needs `Authorization: Bearer <api_key>` (or the browser subprotocol
// `openai-insecure-api-key.<key>`), path /v1/realtime and a `model` query parameter; refusals
// are HTTP errors with OpenAI's `{"error":{"message","type","param","code"}}` body. A request
// with `OpenAI-Beta: realtime=v1` (or subprotocol `openai-beta.realtime-v1`) gets the beta
// event names and the flat beta session; any other gets GA. Client events are answered as the
// API does (session.updated, input_audio_buffer.committed, conversation.item.*, a whole
// streamed response for response.create, error events for bad input without closing).
// The fake's event names and shapes are written out here, not taken from shared/protocol, so
// that a mistake there cannot hide behind the same mistake here.
//
// Strict where the API is, so that tests catch what production would hit:
// input_audio_buffer.commit of under 100 ms is an error (input_audio_buffer_commit_empty); a
// GA session.update needs session.type "realtime"; conversation.item.truncate needs a known
// assistant item and an audio_end_ms within its audio; unknown event types are errors;
// session.reasoning ({effort: minimal|low|medium|high|xhigh} or null) and
// session.parallel_tool_calls (a boolean) are taken only by a reasoning model (`model`
// gpt-realtime-2, -2.1, -2.1-mini...; its session starts with reasoning.effort "low"), are
// unsupported_parameter errors for any other model and unknown_parameter errors in beta.
//
// Function calls, as scripted by the test (script_function_calls): the next response calls
// the given functions instead of speaking, each as a function_call output item (output_item
// .added, function_call_arguments.delta and .done, output_item.done, the conversation item,
// then response.done with the calls in its output). As the API does, GA's
// response.function_call_arguments.done names the function and beta's does not; a model can
// call only a function the session declared in session.tools, so a script naming any other is
// ignored and the response speaks. A function_call_output item must answer a call in the
// conversation (invalid_value on item.call_id otherwise).
//
// Audio formats as the session's updates set them: audio/pcm at 24 kHz (the default),
// audio/pcmu and audio/pcma (beta: pcm16, g711_ulaw, g711_alaw); anything else is an
// invalid_value error. Input is counted (the 100 ms commit minimum, truncation bounds) and
// recorded in the input format; responses speak response_audio converted to the output
// format (G.711 at 8 kHz by spandsp's coders).
//
// Not simulated: voice activity detection (turn detection is accepted in the session but
// never fires: the client commits and asks for responses itself), transcription of input
// audio, rate_limits.updated. A response is sent at once, not paced in real
// time, so a response.cancel always finds no active response (as after a real response.done).
//
// Thread safety: every public member may be called from any thread once start() returned;
// the server runs on one thread of its own, which the destructor stops and joins.
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace donna::fakes {

enum class realtime_fault {
    none,
    reject_unauthorized, // every upgrade answered HTTP 401 + OpenAI error JSON body
    refuse_first_n,      // the first `refuse_count` upgrades answered 503 (then normal)
    stall_handshake,     // accept TCP, never answer the upgrade (client must time out)
    close_mid_response,  // after sending `close_after_deltas` audio deltas, drop the TCP connection
    error_on_response,   // response.create answered with an error event (server_error)
};

struct fake_realtime_options {
    std::string api_key = "sk-fake-test-key"; // Authorization: Bearer <key> required, else 401
    realtime_fault fault = realtime_fault::none;
    int refuse_count = 0;
    int close_after_deltas = 2;
    std::vector<std::int16_t> response_audio = {}; // PCM16 24 kHz mono for response audio deltas
                                                   // (empty: 1.0 s of a 440 Hz tone)
    std::string response_text = "Hello from the fake.";
    std::size_t delta_bytes = 4800; // audio bytes per delta (100 ms); 0 is taken as 4800
};

// One call the model makes in a scripted response: the function's name and the arguments'
// JSON text exactly as the model would write it (malformed on purpose if the test wants).
struct fake_function_call {
    std::string name;
    std::string arguments;
};

// One accepted upgrade (refused upgrades are only counted by upgrade_attempts()).
struct recorded_connection {
    std::string target;                     // e.g. "/v1/realtime?model=gpt-realtime"
    std::string authorization, openai_beta; // request headers as received
    std::vector<std::string> client_events; // every text frame received, in order
    std::size_t input_audio_bytes = 0;      // decoded bytes of all input_audio_buffer.append
    std::vector<std::uint8_t> input_bytes;  // those bytes themselves, as appended
    std::string input_format;               // the session's input format at the last append
    std::vector<std::int16_t> input_audio;  // the audio as PCM16 (G.711: decoded, 8 kHz)
    std::vector<std::uint8_t> output_audio; // every response audio delta's bytes, in order
    bool closed = false;                    // the client side closed / connection ended
};

class fake_realtime_server {
public:
    explicit fake_realtime_server(fake_realtime_options options = {});
    ~fake_realtime_server();
    fake_realtime_server(const fake_realtime_server&) = delete;
    fake_realtime_server& operator=(const fake_realtime_server&) = delete;

    // Listens on 127.0.0.1, an ephemeral port; fails (io_error) if it cannot, or if called twice.
    status start();
    std::uint16_t port() const;
    // "http://127.0.0.1:<port>/v1", as OPENAI_BASE_URL would be.
    std::string base_url() const;

    // Changes the fault for upgrades and client events from now on. `count` is the new
    // refuse_count for refuse_first_n and, when > 0, the new close_after_deltas for
    // close_mid_response; other faults ignore it.
    void set_fault(realtime_fault f, int count = 0);

    // A copy of every accepted connection so far, in order of acceptance.
    std::vector<recorded_connection> connections() const;
    // WebSocket upgrade requests received, whatever their answer (refused, stalled, accepted).
    int upgrade_attempts() const;

    // Waits until pred(a snapshot of connections()) is true, re-checking whenever a
    // connection changes (and at least every 50 ms); false if `timeout` passes first.
    bool wait_until(const std::function<bool(const std::vector<recorded_connection>&)>& pred,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    // The next response.create (of any session) is answered with these calls; each call of
    // this function scripts one more response, in order. Responses after the scripts speak.
    void script_function_calls(std::vector<fake_function_call> calls);
    // The next response sends response.created, then holds the rest (and every event after
    // it) until release_response(): a response still under way, as the test needs it.
    void hold_next_response();
    void release_response();

    // Sends this text as-is to every open session, after whatever is already queued.
    void send_to_all(const std::string& server_event_json);
    // Ends every open session from the server side with a normal close frame (code 1000).
    void close_all();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace donna::fakes
