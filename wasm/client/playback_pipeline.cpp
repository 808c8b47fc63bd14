// playback_pipeline.cpp
#include "client/playback_pipeline.hpp"

#include "audio/base64.hpp"
#include "audio/pcm16.hpp"
#include "protocol/audio_frame.hpp"

#include <utility>

namespace donna::client {
namespace {
constexpr std::int16_t max_concealed_frames = 5;
constexpr std::size_t max_packet_samples = playback_pipeline::wire_rate * 120 / 1000;
} // namespace

result<playback_pipeline> playback_pipeline::create(int output_rate)
{
    auto r = resampler::create(wire_rate, output_rate);
    if (!r)
        return r.error();
    auto d = opus_decoder::create(wire_rate);
    if (!d)
        return d.error();
    return playback_pipeline(std::move(*r), std::move(*d));
}

playback_pipeline::playback_pipeline(resampler r, opus_decoder d)
    : resampler_(std::move(r)), decoder_(std::move(d)), decoded_(max_packet_samples)
{}

std::size_t playback_pipeline::resample(std::span<const float> wire, std::vector<float>& out)
{
    const std::size_t before = out.size();
    resampler_.process(wire, out);
    return out.size() - before;
}

result<std::size_t> playback_pipeline::decode_frame(std::span<const std::uint8_t> message,
                                                    std::vector<float>& out)
{
    const auto frame = decode_audio_frame(message);
    if (!frame)
        return frame.error();
    if (frame->header.kind != audio_frame_kind::opus_output)
        return error{errc::unknown_frame_kind,
                     "the relay sent a " + std::string(to_string(frame->header.kind)) +
                         " frame where DONNA's voice (opus_output) was expected"};
    std::size_t produced = 0;
    if (last_sequence_) {
        const auto gap = sequence_delta(*last_sequence_, frame->header.sequence);
        if (gap <= 0)
            return std::size_t{0}; // a duplicate or late frame: already played past it
        if (gap > 1 && gap - 1 <= max_concealed_frames) {
            const std::span<float> lost(decoded_.data(), wire_rate / 50);
            for (std::int16_t i = 1; i < gap; ++i)
                if (auto n = decoder_.decode_lost(lost); n)
                    produced += resample(lost.first(*n), out);
        }
    }
    last_sequence_ = frame->header.sequence;
    const auto n = decoder_.decode(frame->payload, decoded_);
    if (!n)
        return n.error();
    produced += resample(std::span(decoded_.data(), *n), out);
    return produced;
}

result<std::size_t> playback_pipeline::decode_pcm16(std::string_view base64,
                                                    std::vector<float>& out)
{
    auto bytes = base64_decode(base64);
    if (!bytes)
        return bytes.error();
    const auto samples = pcm16_from_bytes(*bytes);
    std::vector<float> wire(samples.size());
    pcm16_to_float(samples, wire);
    return resample(wire, out);
}

void playback_pipeline::restart()
{
    resampler_.reset();
}

} // namespace donna::client
