// voice_chat_service.hpp: the Whisper voice chat (the seed's api/voice-chat.php), the
// non-realtime path: a recorded turn in; its transcript, DONNA's reply as text and then as
// ElevenLabs speech out, each streamed as soon as it exists.
//
//   services.voice_chat().start(settings, std::move(request), {
//       .on_transcript = [](std::string_view text) { ... },   // what Whisper heard
//       .on_delta = [](std::string_view d) { ... },           // the reply's tokens
//       .on_reply = [](const chat_turn_outcome& o) { ... },   // the whole reply (or fallback)
//       .on_audio = [](std::string_view pcm) { ... },         // PCM16 LE 24 kHz, even lengths
//       .on_done = [](const voice_chat_outcome& o) { ... }}); // exactly once
//
// Steps: the audio (already converted, voice/voice_upload) goes to /audio/transcriptions; an
// empty transcript ends the turn (no_speech); the text goes through chat_service (moderation,
// history, fallback); the reply is spoken by speech_service as pcm_24000. A step that fails
// ends the turn with its code, after whatever the earlier steps delivered: a refused message
// has no reply, a failed synthesis still leaves the reply's text. Callbacks run on the upstream
// client's strand: post to your own.
#pragma once

#include "chat/chat_service.hpp"
#include "voice/voice_upload.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace donna::relay {

class http_client;
class speech_service;
class usage_meter;
struct relay_metrics;
class logger;
struct live_settings;

struct voice_chat_request {
    chat_turn_request turn; // its text is filled in from the transcript
    voice_turn_audio audio;
    std::string voice_id; // "" = DEFAULT_VOICE_ID
};

struct voice_chat_outcome {
    std::string error_code; // "" when transcript, reply and audio all came
    std::string error_message;
    int http_status = 200; // for a failure before anything streamed
    std::string transcript;
    std::size_t audio_bytes = 0;
};

struct voice_chat_events {
    std::function<void(std::string_view text)> on_transcript;
    std::function<void(std::string_view delta)> on_delta;
    std::function<void(const chat_turn_outcome& reply)> on_reply;
    std::function<void(std::string_view pcm)> on_audio;
    std::function<void(const voice_chat_outcome& outcome)> on_done;
};

class voice_chat_service {
public:
    voice_chat_service(http_client& client, chat_service& chat, speech_service& speech,
                       usage_meter& usage, relay_metrics& metrics, logger& log);

    // The turn, cancellable as a whole (nullptr when it ended at once: on_done has run).
    std::shared_ptr<upstream_call> start(std::shared_ptr<const live_settings> settings,
                                         voice_chat_request request, voice_chat_events events);

private:
    struct turn;
    void transcribed(const std::shared_ptr<turn>& t, result<upstream_response> answer);
    void speak(const std::shared_ptr<turn>& t, const std::string& reply);
    // Ends the turn once; count_error false when the step that failed already counted it.
    void finish(const std::shared_ptr<turn>& t, std::string code, const std::string& message,
                int status, bool count_error = true);

    http_client& client_;
    chat_service& chat_;
    speech_service& speech_;
    usage_meter& usage_;
    relay_metrics& metrics_;
    logger& log_;
};

} // namespace donna::relay
