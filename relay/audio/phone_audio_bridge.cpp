// phone_audio_bridge.cpp: decode + resample in, resample + frame + encode out; or, for a G.711
// call whose session takes G.711, the bytes as they are.
#include "audio/phone_audio_bridge.hpp"

#include "audio/pcm16.hpp"

#include <algorithm>

namespace donna::relay {
namespace {

// The session's PCM16 is little-endian (the Realtime API's audio/pcm).
void append_pcm16_le(std::span<const std::int16_t> samples, std::vector<std::uint8_t>& out)
{
    const auto before = out.size();
    out.resize(before + samples.size() * 2);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto v = static_cast<std::uint16_t>(samples[i]);
        out[before + 2 * i] = static_cast<std::uint8_t>(v & 0xFFU);
        out[before + 2 * i + 1] = static_cast<std::uint8_t>(v >> 8U);
    }
}

} // namespace

std::string_view realtime_format_type(session_audio format)
{
    switch (format) {
    case session_audio::pcmu:
        return "audio/pcmu";
    case session_audio::pcma:
        return "audio/pcma";
    case session_audio::pcm24k:
        break;
    }
    return "audio/pcm";
}

std::size_t session_bytes_per_ms(session_audio format)
{
    return format == session_audio::pcm24k ? std::size_t{realtime_rate} * 2 / 1000 : 8;
}

result<phone_audio_bridge> phone_audio_bridge::create(const phone_audio_format& from_caller,
                                                      const phone_audio_format& to_caller,
                                                      phone_audio_mode mode)
{
    auto decoder = phone_decoder::create(from_caller);
    if (!decoder)
        return decoder.error();
    auto encoder = phone_encoder::create(to_caller);
    if (!encoder)
        return encoder.error();
    auto up = resampler::create(from_caller.sample_rate, realtime_rate);
    if (!up)
        return up.error();
    auto down = resampler::create(realtime_rate, to_caller.sample_rate);
    if (!down)
        return down.error();
    // G.711 passes through only when both ways are the same G.711: the session takes one
    // format for input and output alike.
    auto session = session_audio::pcm24k;
    if (mode == phone_audio_mode::g711 && from_caller.encoding == to_caller.encoding) {
        if (from_caller.encoding == phone_encoding::pcmu)
            session = session_audio::pcmu;
        else if (from_caller.encoding == phone_encoding::pcma)
            session = session_audio::pcma;
    }
    return phone_audio_bridge(std::move(*decoder), std::move(*encoder), std::move(*up),
                              std::move(*down), session);
}

phone_audio_bridge::phone_audio_bridge(phone_decoder decoder, phone_encoder encoder, resampler up,
                                       resampler down, session_audio session)
    : decoder_(std::move(decoder)),
      encoder_(std::move(encoder)),
      up_(std::move(up)),
      down_(std::move(down)),
      session_(session)
{}

std::size_t phone_audio_bridge::frame_samples() const
{
    return static_cast<std::size_t>(encoder_.format().sample_rate) * phone_frame_ms / 1000;
}

void phone_audio_bridge::from_caller(std::span<const std::uint8_t> payload,
                                     std::vector<std::uint8_t>& for_session)
{
    losses_in_a_row_ = 0;
    if (passes_through()) {
        for_session.insert(for_session.end(), payload.begin(), payload.end());
        last_frame_.assign(payload.begin(), payload.end());
        return;
    }
    decoded_.clear();
    decoder_.decode(payload, decoded_);
    scratch_in_.resize(decoded_.size());
    pcm16_to_float(decoded_, scratch_in_);
    scratch_out_.clear();
    up_.process(scratch_in_, scratch_out_);
    decoded_.resize(scratch_out_.size());
    float_to_pcm16(scratch_out_, decoded_);
    const auto before = for_session.size();
    append_pcm16_le(decoded_, for_session);
    last_frame_.assign(for_session.begin() + static_cast<std::ptrdiff_t>(before),
                       for_session.end());
}

void phone_audio_bridge::conceal_frame(std::vector<std::uint8_t>& for_session)
{
    ++losses_in_a_row_;
    // The last frame as samples at the session's rate, to be repeated at half level.
    decoded_.clear();
    if (losses_in_a_row_ == 1 && !last_frame_.empty()) {
        if (passes_through())
            decoder_.decode(last_frame_, decoded_); // G.711 is stateless: decoding is free
        else
            decoded_ = pcm16_from_bytes(last_frame_);
    }
    const std::size_t frame =
        passes_through() ? frame_samples() : std::size_t{realtime_rate} * phone_frame_ms / 1000;
    std::vector<std::int16_t> concealed(frame, 0);
    if (!decoded_.empty())
        for (std::size_t i = 0; i < frame; ++i)
            concealed[i] = static_cast<std::int16_t>(decoded_[i % decoded_.size()] / 2);
    if (passes_through())
        encoder_.encode(concealed, for_session);
    else
        append_pcm16_le(concealed, for_session);
}

void phone_audio_bridge::queue_resampled(const std::vector<float>& samples)
{
    if (!passes_through()) {
        for (const auto s : samples)
            outbound_.push_back(float_to_pcm16(s));
        return;
    }
    decoded_.resize(samples.size());
    float_to_pcm16(samples, decoded_);
    scratch_bytes_.clear();
    encoder_.encode(decoded_, scratch_bytes_); // G.711: nothing carried from frame to frame
    outbound_bytes_.insert(outbound_bytes_.end(), scratch_bytes_.begin(), scratch_bytes_.end());
}

void phone_audio_bridge::to_caller(std::span<const std::uint8_t> session_audio_bytes)
{
    if (passes_through()) {
        outbound_bytes_.insert(outbound_bytes_.end(), session_audio_bytes.begin(),
                               session_audio_bytes.end());
        return;
    }
    // An odd trailing byte is not a sample; the API sends whole ones.
    scratch_in_.resize(session_audio_bytes.size() / 2);
    for (std::size_t i = 0; i < scratch_in_.size(); ++i) {
        const auto v = static_cast<std::uint16_t>(session_audio_bytes[2 * i] |
                                                  (session_audio_bytes[2 * i + 1] << 8U));
        scratch_in_[i] = pcm16_to_float(static_cast<std::int16_t>(v));
    }
    scratch_out_.clear();
    down_.process(scratch_in_, scratch_out_);
    queue_resampled(scratch_out_);
}

void phone_audio_bridge::speak(std::span<const std::int16_t> pcm24k)
{
    scratch_in_.resize(pcm24k.size());
    pcm16_to_float(pcm24k, scratch_in_);
    scratch_out_.clear();
    down_.process(scratch_in_, scratch_out_);
    queue_resampled(scratch_out_);
}

bool phone_audio_bridge::next_frame(std::vector<std::uint8_t>& frame)
{
    frame.clear();
    if (passes_through()) {
        const auto bytes = phone_bytes_per(encoder_.format(), phone_frame_ms);
        if (outbound_bytes_.size() < bytes)
            return false;
        const auto end = outbound_bytes_.begin() + static_cast<std::ptrdiff_t>(bytes);
        frame.assign(outbound_bytes_.begin(), end);
        outbound_bytes_.erase(outbound_bytes_.begin(), end);
        return true;
    }
    const auto samples = frame_samples();
    if (outbound_.size() < samples)
        return false;
    const auto end = outbound_.begin() + static_cast<std::ptrdiff_t>(samples);
    decoded_.assign(outbound_.begin(), end);
    outbound_.erase(outbound_.begin(), end);
    encoder_.encode(decoded_, frame);
    return true;
}

void phone_audio_bridge::finish()
{
    scratch_out_.clear();
    down_.flush(scratch_out_);
    queue_resampled(scratch_out_);
    if (passes_through()) {
        const auto bytes = phone_bytes_per(encoder_.format(), phone_frame_ms);
        if (const auto partial = outbound_bytes_.size() % bytes; partial != 0) {
            const std::vector<std::int16_t> silence(bytes - partial, 0);
            scratch_bytes_.clear();
            encoder_.encode(silence, scratch_bytes_);
            outbound_bytes_.insert(outbound_bytes_.end(), scratch_bytes_.begin(),
                                   scratch_bytes_.end());
        }
        return;
    }
    const auto samples = frame_samples();
    if (const auto partial = outbound_.size() % samples; partial != 0)
        outbound_.insert(outbound_.end(), samples - partial, std::int16_t{0});
}

void phone_audio_bridge::clear()
{
    outbound_.clear();
    outbound_bytes_.clear();
    down_.reset();
}

std::size_t phone_audio_bridge::queued_ms() const
{
    const auto rate = static_cast<std::size_t>(encoder_.format().sample_rate);
    if (passes_through())
        return outbound_bytes_.size() * 1000 / rate; // G.711: one byte a sample
    return outbound_.size() * 1000 / rate;
}

} // namespace donna::relay
