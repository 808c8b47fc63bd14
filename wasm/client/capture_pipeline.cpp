// capture_pipeline.cpp
#include "client/capture_pipeline.hpp"

#include "audio/base64.hpp"
#include "audio/pcm16.hpp"
#include "protocol/audio_frame.hpp"
#include "protocol/realtime_events.hpp"

#include <utility>

namespace donna::client {
namespace {
// PCM16 appends of 100 ms: 6.5 KB events, the size the Realtime API's own examples use;
// 20 ms appends would multiply the JSON overhead by five.
constexpr std::size_t pcm16_append_samples = capture_pipeline::wire_rate / 10;

std::size_t frame_samples_for(uplink_format format)
{
    return frame_samples(capture_pipeline::wire_rate, format == uplink_format::opus
                                                          ? capture_pipeline::opus_frame_ms
                                                          : capture_pipeline::pcm16_frame_ms);
}
} // namespace

result<capture_pipeline> capture_pipeline::create(int input_rate, const turn_config& turn,
                                                  uplink_format format)
{
    auto r = resampler::create(input_rate, wire_rate);
    if (!r)
        return r.error();
    auto d = turn_detector::create(wire_rate, turn);
    if (!d)
        return d.error();
    auto e = opus_encoder::create({.sample_rate = wire_rate, .frame_ms = opus_frame_ms});
    if (!e)
        return e.error();
    return capture_pipeline(input_rate, std::move(*r), *d, std::move(*e), format);
}

capture_pipeline::capture_pipeline(int input_rate, resampler r, const turn_detector& d,
                                   opus_encoder e, uplink_format format)
    : input_rate_(input_rate),
      resampler_(std::move(r)),
      detector_(d),
      encoder_(std::move(e)),
      format_(format),
      framer_(frame_samples_for(format)),
      packet_(opus_max_packet)
{
    wire_.reserve(frame_samples(wire_rate) * 6);
    pcm16_pending_.reserve(pcm16_append_samples);
}

void capture_pipeline::process(std::span<const float> in, bool sending, uplink_messages& out,
                               std::vector<turn_event>& events)
{
    wire_.clear();
    resampler_.process(in, wire_);
    detector_.process(wire_, events);
    if (!sending) {
        framer_.reset();
        return;
    }
    framer_.push(wire_, [&](std::span<const float> frame) { send_frame(frame, out); });
}

void capture_pipeline::finish(uplink_messages& out)
{
    if (framer_.pending() > 0) {
        const std::vector<float> silence(framer_.frame_size() - framer_.pending(), 0.0f);
        framer_.push(silence, [&](std::span<const float> frame) { send_frame(frame, out); });
    }
    flush_pcm16(out);
}

void capture_pipeline::send_frame(std::span<const float> frame, uplink_messages& out)
{
    sent_samples_ += frame.size();
    if (format_ == uplink_format::pcm16) {
        const std::size_t at = pcm16_pending_.size();
        pcm16_pending_.resize(at + frame.size());
        float_to_pcm16(frame, std::span(pcm16_pending_).subspan(at));
        if (pcm16_pending_.size() >= pcm16_append_samples)
            flush_pcm16(out);
        return;
    }
    const auto size = encoder_.encode(frame, packet_);
    if (!size)
        return; // libopus refuses only malformed input; a lost frame is concealed remotely
    std::vector<std::uint8_t> message;
    const auto st = encode_audio_frame(
        {.kind = audio_frame_kind::opus_input, .sequence = sequence_, .timestamp = timestamp_},
        std::span(packet_.data(), *size), message);
    sequence_ = next_sequence(sequence_);
    timestamp_ += static_cast<std::uint32_t>(frame.size());
    if (st)
        out.binary.push_back(std::move(message));
}

void capture_pipeline::flush_pcm16(uplink_messages& out)
{
    if (pcm16_pending_.empty())
        return;
    const auto bytes = pcm16_to_bytes(pcm16_pending_);
    input_audio_buffer_append append;
    append.audio = base64_encode(bytes);
    out.text.push_back(serialize(append));
    pcm16_pending_.clear();
}

void capture_pipeline::set_format(uplink_format format)
{
    if (format_ == format)
        return;
    pcm16_pending_.clear();
    format_ = format;
    framer_ = framer(frame_samples_for(format)); // a partial frame of the old format is dropped
}

void capture_pipeline::restart()
{
    resampler_.reset();
    detector_.reset();
    framer_.reset();
    pcm16_pending_.clear();
}

} // namespace donna::client
