// demo_conversation.hpp: the relay's demo mode: a local stand-in for the OpenAI Realtime API
// that speaks the same wire format (GA or beta dialect), so that with no OpenAI key a newcomer
// still sees the whole loop: speech in, turn detected, a reply spoken (by espeak-ng).
//
// Pure logic, no sockets: the relay passes each client event's text in and sends the returned
// server events, in order, back to the client.
//
//   auto synth = donna::relay::speech_synth::create();
//   donna::relay::demo_conversation demo("Hello, I am DONNA.", donna::dialect::ga, *synth);
//   for (auto& event : demo.start()) send(event);                    // session.created
//   for (auto& event : demo.on_client_event(text)) send(event);      // per client event
//
// What it does, as a real Realtime server would say it:
// - session.update -> session.updated. Server VAD's threshold, prefix_padding_ms and
//   silence_duration_ms drive shared/turn's turn_detector (semantic_vad runs the same detector
//   with its defaults); turn_detection null turns detection off (manual turns).
// - input_audio_buffer.append (base64 PCM16, 24 kHz) feeds the detector. A detected turn gives
//   speech_started, speech_stopped, committed, the user item, an honest transcript
//   ("(demo mode: 1.4 seconds of speech)") and, if create_response is on, a spoken reply.
// - input_audio_buffer.commit commits the buffer the same way, without a reply of its own
//   (the real API never answers a manual commit by itself): the next response.create answers.
// - conversation.item.create adds an item; response.create speaks a reply to the latest
//   unanswered user turn (typed text is quoted back), or the greeting when there is none.
// - Replies are complete when returned: audio in 100 ms deltas (4800 bytes), the transcript
//   a few words per delta; text-only sessions get text events and no audio.
// - response.cancel always finds nothing to cancel (replies never stay in progress);
//   conversation.item.truncate, input_audio_buffer.clear are answered like the real API;
//   malformed or unsupported events get an error event, never an exception.
//
// Not thread-safe: one conversation per client connection, used from its strand. The
// speech_synth must outlive the conversation.
#pragma once

#include "core/error.hpp"
#include "demo/speech_synth.hpp"
#include "protocol/realtime_events.hpp"
#include "turn/turn_detector.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

class demo_conversation {
public:
    // The audio rate both ways (the Realtime API's audio/pcm).
    static constexpr int sample_rate = 24000;
    // Samples per response.output_audio.delta: 100 ms.
    static constexpr std::size_t audio_delta_samples = 2400;
    // Items remembered for conversation.item.truncate; older ones are forgotten, so a client
    // cannot grow the relay's memory without bound.
    static constexpr std::size_t max_remembered_items = 256;
    // Typed text quoted back in a reply is cut to this many bytes (the synthesiser's time
    // grows with the text).
    static constexpr std::size_t max_quoted_bytes = 200;

    // An empty greeting is replaced by a short default one.
    demo_conversation(std::string greeting, donna::dialect dialect, speech_synth& synth);

    // The events a server sends when the connection opens: session.created.
    std::vector<std::string> start();

    // The server events answering one client event (JSON text), in order: often none for an
    // input_audio_buffer.append, an error event for anything malformed or unsupported.
    std::vector<std::string> on_client_event(std::string_view client_event_json);

private:
    struct item_record {
        std::string id;
        bool assistant_audio = false; // only these can be truncated
        std::int64_t audio_ms = 0;    // length of its audio (after any truncation)
    };

    // client events
    void dispatch(std::string_view client_event_json);
    void on_session_update(const nlohmann::json& session, const std::optional<std::string>& cause);
    void on_append(const std::string& audio_base64, const std::optional<std::string>& cause);
    void on_commit(const std::optional<std::string>& cause);
    void on_clear();
    void on_item_create(const nlohmann::json& event, const std::optional<std::string>& cause);
    void on_truncate(const conversation_item_truncate& truncate);
    void on_response_create(const std::optional<nlohmann::json>& params);

    // turn handling
    void handle_turn_event(const turn_event& event);
    void commit_user_audio(const std::string& item_id, const std::string& transcript);
    void restart_detector();

    // responses
    void respond(const std::string& text, bool text_only);
    bool session_text_only() const;

    // output
    nlohmann::json envelope(realtime_event_type type);
    void emit(const nlohmann::json& event);
    void emit_error(std::string code, std::string message, std::optional<std::string> param,
                    std::optional<std::string> cause);
    // conversation.item.added and .done (GA), or .created (beta).
    void announce_item(const nlohmann::json& item, const std::optional<std::string>& previous);
    std::string next_id(std::string_view prefix);
    void remember_item(item_record record);
    item_record* find_item(const std::string& id);

    std::string greeting_;
    donna::dialect dialect_;
    speech_synth& synth_;
    nlohmann::json session_;

    // turn detection
    bool vad_on_ = true;
    bool create_response_ = true;
    std::optional<turn_detector> detector_;
    std::int64_t detector_base_ = 0;  // stream sample of the detector's position 0
    std::int64_t stream_samples_ = 0; // every sample appended this session
    std::int64_t buffer_start_ = 0;   // stream sample where the uncommitted buffer begins
    std::string speech_item_id_;      // the user item of the turn in progress
    std::int64_t speech_onset_ = 0;   // stream sample where its speech began
    std::vector<float> samples_;      // scratch: one append's audio as floats
    std::vector<turn_event> turn_events_;

    // conversation
    std::optional<std::string> last_item_id_;
    std::optional<std::string> pending_reply_; // what the next response.create says
    std::deque<item_record> items_;
    std::uint64_t counter_ = 0;
    std::vector<std::string> out_;
};

} // namespace donna::relay
