// voice_upload.hpp: a recorded voice-chat turn as the client uploads it, turned into the WAV
// Whisper is sent (16-bit mono at 16 kHz: Whisper's own rate, a third of 48 kHz's bytes).
//
//   Content-Type: audio/wav (also audio/x-wav, audio/wave): a WAV file, 16-bit PCM or 32-bit
//     float, any rate from 8 to 192 kHz, channels mixed to mono.
//   Content-Type: application/x-donna-audio-frames: the client's own binary audio frames
//     (shared/protocol/audio_frame.hpp), opus_input or pcm16_input at 24 kHz, each preceded by
//     its length as a 16-bit big-endian number. A gap in sequence numbers is concealed (lost
//     Opus packets keep the turn's duration), up to a second.
//
//   auto turn = convert_voice_upload(content_type, body, 60);
//   if (!turn) return refuse(turn.error());      // code + human message
//   form.add_file("file", "turn.wav", "audio/wav", turn->wav);
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace donna::relay {

inline constexpr int whisper_sample_rate = 16000;

struct voice_turn_audio {
    std::string wav; // RIFF/WAVE, 16-bit mono, whisper_sample_rate
    double seconds = 0;
};

struct voice_upload_error {
    int http_status = 400;
    std::string code; // unsupported_media_type, invalid_audio, audio_too_short, audio_too_long
    std::string message;
};

// Longer than max_seconds: audio_too_long (413); under 0.1 s: audio_too_short.
std::variant<voice_turn_audio, voice_upload_error>
convert_voice_upload(std::string_view content_type, std::string_view body, int max_seconds);

} // namespace donna::relay
