// voice_client.hpp: the client's behaviour, free of the browser: the connection to the relay
// (token, WebSocket, reconnect with backoff), the microphone path and turn taking
// (hands-free or push-to-talk), DONNA's voice with barge-in, and the chat.
//
//   voice_client client(io);                 // io: client_io over the browser
//   client.start();                          // asks for a token, then connects
//   ... the platform forwards what happens: client.on_socket_text(text), on_capture(batch) ...
//   ui::draw(client);                        // the UI reads state and calls the actions
//
// Turn taking. Hands-free: the microphone streams continuously and the server's
// turn_detection (server_vad, with the same threshold, prefix padding and silence duration as
// the client's detector) ends turns and starts responses; the client's own detector drives the
// level meter and stops DONNA's voice the moment the visitor speaks. Push-to-talk: the
// server's turn detection is off; audio is sent only while the talk control is held, and
// releasing it commits the turn and asks for a response.
//
// Barge-in: playback is flushed at once and the queued audio dropped; when the worklet reports
// how much it had really played, conversation.item.truncate tells the server the audio_end_ms
// the visitor heard, so DONNA's memory of what it said matches what was heard.
#pragma once

#include "client/capture_pipeline.hpp"
#include "client/client_io.hpp"
#include "client/playback_pipeline.hpp"
#include "client/playback_timeline.hpp"
#include "client/reconnect_backoff.hpp"
#include "client/transcript.hpp"

#include "protocol/donna_events.hpp"
#include "protocol/realtime_events.hpp"
#include "turn/turn_detector.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace donna::client {

enum class link_state { idle, fetching_token, connecting, connected, waiting_to_retry, failed };
enum class mic_state { off, starting, on, failed };
enum class talk_mode { hands_free, push_to_talk };
std::string_view to_string(link_state s);
std::string_view to_string(mic_state s);
std::string_view to_string(talk_mode m);

// What POST /v1/session answered (through web/session.js).
struct session_grant {
    std::string token = {};
    std::string realtime_url = {}; // ws(s)://relay/v1/realtime?donna_client=1&...
    std::string greeting = {};
    std::string persona = {};
    uplink_format uplink = uplink_format::opus;
};

class voice_client {
public:
    // Session failures after which retrying cannot help (the site is not allowed here).
    static bool is_permanent_failure(std::string_view code);
    // Push-to-talk presses shorter than this are discarded (the API needs 100 ms to commit).
    static constexpr std::uint64_t min_turn_samples = capture_pipeline::wire_rate / 10;

    explicit voice_client(client_io& io);

    // --- actions (the UI, keyboard, page options) ---
    void start();
    // False (and the text is not sent) while not connected: the UI keeps the draft.
    bool send_text(std::string text);
    void set_persona(persona p);
    void set_mode(talk_mode mode);
    void set_turn(const turn_config& turn); // validated; applied to both detectors
    void microphone(bool on);
    void push_to_talk(bool pressed);
    void dismiss_error(std::size_t index) { transcript_.dismiss_error(index); }

    // --- what the browser reports ---
    void on_session(session_grant grant);
    void on_session_failed(std::string_view code, std::string_view message);
    void on_socket_open();
    void on_socket_text(std::string_view text);
    void on_socket_binary(std::span<const std::uint8_t> bytes);
    void on_socket_closed(int code, std::string_view reason);
    void on_timer();
    void on_audio_ready(int output_rate);
    void on_microphone_started(int input_rate);
    void on_microphone_failed(std::string_view kind, std::string_view message);
    void on_capture(std::span<const float> samples);
    void on_playback_progress(std::uint64_t played, std::uint64_t queued);
    void on_playback_flushed(std::uint64_t played);

    // --- state the UI shows ---
    link_state link() const noexcept { return link_; }
    const std::string& link_detail() const noexcept { return link_detail_; }
    mic_state mic() const noexcept { return mic_; }
    const std::string& mic_message() const noexcept { return mic_message_; }
    talk_mode mode() const noexcept { return mode_; }
    bool talking() const noexcept { return talking_; }
    persona current_persona() const noexcept { return persona_; }
    const turn_config& turn() const noexcept { return turn_; }
    float level() const noexcept { return capture_ ? capture_->level() : 0.0f; }
    bool in_speech() const noexcept { return capture_ && capture_->in_speech(); }
    bool donna_speaking() const noexcept { return timeline_ && timeline_->audible(played_); }
    const transcript& chat() const noexcept { return transcript_; }
    std::uint64_t sent_samples() const noexcept { return capture_ ? capture_->sent_samples() : 0; }

private:
    void connect();
    void retry_later(const std::string& reason);
    void handle_donna_event(std::string_view text);
    void handle_realtime_event(std::string_view text);
    void on_session_created();
    void on_audio_delta(const audio_delta& delta);
    void play(std::span<const float> samples);
    void barge_in(std::string_view cause);
    void send_session_settings();
    void send(std::string_view text);
    void send_uplink();
    void set_link(link_state s, std::string detail);
    void report(std::string_view type, const nlohmann::json& fields = nlohmann::json::object());

    client_io& io_;
    link_state link_ = link_state::idle;
    std::string link_detail_;
    reconnect_backoff backoff_;
    std::optional<session_grant> grant_;
    bool greeted_ = false;
    bool socket_open_ = false;

    persona persona_ = persona::general;
    talk_mode mode_ = talk_mode::hands_free;
    turn_config turn_{};
    uplink_format uplink_ = uplink_format::opus;

    mic_state mic_ = mic_state::off;
    std::string mic_message_;
    bool talking_ = false;
    std::uint64_t turn_start_samples_ = 0;
    std::optional<capture_pipeline> capture_;
    uplink_messages uplink_messages_;
    std::vector<turn_event> turn_events_;

    std::optional<playback_pipeline> playback_;
    std::optional<playback_timeline> timeline_;
    std::vector<float> decoded_;
    std::string audio_item_;   // the item the latest audio delta belongs to
    std::string muted_item_;   // cut off by a barge-in: its remaining audio is dropped
    std::uint64_t played_ = 0; // the playback worklet's latest count
    bool flush_pending_ = false;
    bool response_active_ = false;

    transcript transcript_;
};

} // namespace donna::client
