// voice_upload.cpp: WAV and audio-frame uploads -> 16 kHz mono WAV.
#include "voice/voice_upload.hpp"

#include "audio/opus_codec.hpp"
#include "audio/pcm16.hpp"
#include "audio/resampler.hpp"
#include "audio/wav.hpp"
#include "protocol/audio_frame.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace donna::relay {
namespace {

constexpr int frames_rate = 24000;
constexpr std::size_t max_concealed_frames = 50; // 1 s: a longer gap is a pause, not loss

std::string media_type(std::string_view content_type)
{
    std::string type(content_type.substr(0, content_type.find(';')));
    while (!type.empty() && type.back() == ' ')
        type.pop_back();
    std::ranges::transform(type, type.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return type;
}

std::span<const std::uint8_t> bytes_of(std::string_view s)
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

voice_upload_error invalid(std::string message)
{
    return voice_upload_error{
        .http_status = 400, .code = "invalid_audio", .message = std::move(message)};
}

// The client's length-prefixed audio frames -> float samples at 24 kHz.
std::variant<wav_audio, voice_upload_error> decode_frames(std::span<const std::uint8_t> body,
                                                          std::size_t max_samples)
{
    auto decoder = opus_decoder::create(frames_rate);
    if (!decoder)
        return invalid("cannot start the Opus decoder: " + decoder.error().message);
    wav_audio audio{.sample_rate = frames_rate, .samples = {}};
    std::array<float, std::size_t{frames_rate} / 50 * 6> pcm{}; // 120 ms, the longest Opus packet
    std::optional<std::uint16_t> last_sequence;
    std::size_t pos = 0, index = 0;
    while (pos < body.size()) {
        const auto where = "frame " + std::to_string(index) + ": ";
        if (body.size() - pos < 2)
            return invalid(where + "a length prefix is cut short");
        const std::size_t length = std::size_t{body[pos]} << 8 | body[pos + 1];
        pos += 2;
        if (length > body.size() - pos)
            return invalid(where + "its length " + std::to_string(length) +
                           " runs past the end of the upload");
        const auto frame = decode_audio_frame(body.subspan(pos, length));
        pos += length;
        if (!frame)
            return invalid(where + frame.error().message);
        const auto kind = frame->header.kind;
        if (kind != audio_frame_kind::opus_input && kind != audio_frame_kind::pcm16_input)
            return invalid(where + "kind " + std::string(to_string(kind)) +
                           " is not microphone audio (opus_input or pcm16_input)");
        if (last_sequence) {
            const auto delta = sequence_delta(*last_sequence, frame->header.sequence);
            if (delta <= 0)
                return invalid(where + "sequence " + std::to_string(frame->header.sequence) +
                               " repeats or goes back");
            if (kind == audio_frame_kind::opus_input)
                for (int lost = 1; lost < delta && lost <= int{max_concealed_frames}; ++lost) {
                    const auto n = decoder->decode_lost(std::span(pcm).first(frames_rate / 50));
                    if (n)
                        audio.samples.insert(audio.samples.end(), pcm.begin(),
                                             pcm.begin() + static_cast<std::ptrdiff_t>(*n));
                }
        }
        last_sequence = frame->header.sequence;
        if (kind == audio_frame_kind::opus_input) {
            const auto n = decoder->decode(frame->payload, pcm);
            if (!n)
                return invalid(where + n.error().message);
            audio.samples.insert(audio.samples.end(), pcm.begin(),
                                 pcm.begin() + static_cast<std::ptrdiff_t>(*n));
        } else {
            for (const auto s : pcm16_from_bytes(frame->payload))
                audio.samples.push_back(pcm16_to_float(s));
        }
        if (audio.samples.size() > max_samples)
            break; // already too long: the caller says so
        ++index;
    }
    return audio;
}

} // namespace

std::variant<voice_turn_audio, voice_upload_error>
convert_voice_upload(std::string_view content_type, std::string_view body, int max_seconds)
{
    const auto type = media_type(content_type);
    wav_audio audio;
    if (type == "audio/wav" || type == "audio/x-wav" || type == "audio/wave") {
        auto wav = decode_wav(bytes_of(body));
        if (!wav)
            return invalid(wav.error().message);
        audio = std::move(*wav);
    } else if (type == "application/x-donna-audio-frames") {
        auto frames =
            decode_frames(bytes_of(body), static_cast<std::size_t>(max_seconds + 1) * frames_rate);
        if (auto* e = std::get_if<voice_upload_error>(&frames))
            return std::move(*e);
        audio = std::move(std::get<wav_audio>(frames));
    } else {
        return voice_upload_error{
            .http_status = 415,
            .code = "unsupported_media_type",
            .message = "send the turn as audio/wav or application/x-donna-audio-frames, not '" +
                       type + "'"};
    }
    const double seconds = audio.seconds();
    if (seconds > max_seconds)
        return voice_upload_error{
            .http_status = 413,
            .code = "audio_too_long",
            .message = "the recording lasts " + std::to_string(static_cast<int>(seconds)) +
                       " s; a turn may last at most " + std::to_string(max_seconds) + " s"};
    if (seconds < 0.1)
        return voice_upload_error{.http_status = 400,
                                  .code = "audio_too_short",
                                  .message = "the recording is shorter than 0.1 s"};
    std::vector<float> resampled;
    if (audio.sample_rate == whisper_sample_rate) {
        resampled = std::move(audio.samples);
    } else {
        auto r = resampler::create(audio.sample_rate, whisper_sample_rate);
        if (!r)
            return invalid("cannot resample " + std::to_string(audio.sample_rate) +
                           " Hz audio: " + r.error().message);
        resampled.reserve(static_cast<std::size_t>(seconds * whisper_sample_rate) + 64);
        r->process(audio.samples, resampled);
        r->flush(resampled);
    }
    const auto wav = encode_wav(resampled, whisper_sample_rate);
    return voice_turn_audio{.wav = std::string(wav.begin(), wav.end()), .seconds = seconds};
}

} // namespace donna::relay
