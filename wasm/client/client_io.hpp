// client_io.hpp: everything voice_client asks of the browser around it. The browser's answers
// come back as voice_client's on_* calls (wasm/platform implements this over the Emscripten
// WebSocket API and web/bridge.js; tests implement it over plain buffers).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace donna::client {

class client_io {
public:
    virtual ~client_io() = default;

    // A session token for this persona; answered by on_session or on_session_failed.
    virtual void request_session(std::string_view persona) = 0;
    // Opens the relay's /v1/realtime (answers: on_socket_open/text/binary/closed).
    virtual void open_socket(const std::string& url, const std::string& token) = 0;
    virtual void close_socket() = 0;
    virtual void send_text(std::string_view text) = 0;
    virtual void send_binary(std::span<const std::uint8_t> bytes) = 0;
    // One timer; a new call replaces the pending one. Answered by on_timer.
    virtual void start_timer(std::int64_t delay_ms) = 0;

    // Answered by on_microphone_started or on_microphone_failed; then on_capture batches.
    virtual void start_microphone() = 0;
    virtual void stop_microphone() = 0;
    // Appends to the playback worklet's queue (samples at the output rate).
    virtual void play(std::span<const float> samples) = 0;
    // No more audio is coming for now: play a remainder shorter than the jitter buffer.
    virtual void drain_playback() = 0;
    // Drops the queue at once; answered by on_playback_flushed with the samples played.
    virtual void flush_playback() = 0;

    // A uniform random number in [0, 1) (reconnect jitter).
    virtual double random_unit() = 0;
    // Something the page may want to know (tests and host pages listen): a JSON object with
    // a "type" such as "speech_started", "barge_in", "link".
    virtual void notify(std::string_view event_json) = 0;
};

} // namespace donna::client
