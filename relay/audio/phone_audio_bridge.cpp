// phone_audio_bridge.cpp: decode + resample in, resample + frame + encode out.
#include "audio/phone_audio_bridge.hpp"

#include "audio/pcm16.hpp"

#include <algorithm>

namespace donna::relay {

result<phone_audio_bridge> phone_audio_bridge::create(const phone_audio_format& from_caller,
                                                      const phone_audio_format& to_caller)
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
    return phone_audio_bridge(std::move(*decoder), std::move(*encoder), std::move(*up),
                              std::move(*down));
}

phone_audio_bridge::phone_audio_bridge(phone_decoder decoder, phone_encoder encoder, resampler up,
                                       resampler down)
    : decoder_(std::move(decoder)),
      encoder_(std::move(encoder)),
      up_(std::move(up)),
      down_(std::move(down))
{}

void phone_audio_bridge::from_caller(std::span<const std::uint8_t> payload,
                                     std::vector<std::int16_t>& pcm24k)
{
    decoded_.clear();
    decoder_.decode(payload, decoded_);
    scratch_in_.resize(decoded_.size());
    pcm16_to_float(decoded_, scratch_in_);
    scratch_out_.clear();
    up_.process(scratch_in_, scratch_out_);
    const auto before = pcm24k.size();
    pcm24k.resize(before + scratch_out_.size());
    float_to_pcm16(scratch_out_, std::span(pcm24k).subspan(before));
    last_frame_.assign(pcm24k.begin() + static_cast<std::ptrdiff_t>(before), pcm24k.end());
    losses_in_a_row_ = 0;
}

void phone_audio_bridge::conceal_frame(std::vector<std::int16_t>& pcm24k)
{
    constexpr std::size_t frame = realtime_rate * phone_frame_ms / 1000;
    ++losses_in_a_row_;
    if (losses_in_a_row_ == 1 && !last_frame_.empty()) {
        for (std::size_t i = 0; i < frame; ++i)
            pcm24k.push_back(static_cast<std::int16_t>(last_frame_[i % last_frame_.size()] / 2));
        return;
    }
    pcm24k.insert(pcm24k.end(), frame, std::int16_t{0});
}

void phone_audio_bridge::queue_resampled(const std::vector<float>& samples)
{
    for (const auto s : samples)
        outbound_.push_back(float_to_pcm16(s));
}

void phone_audio_bridge::to_caller(std::span<const std::int16_t> pcm24k)
{
    scratch_in_.resize(pcm24k.size());
    pcm16_to_float(pcm24k, scratch_in_);
    scratch_out_.clear();
    down_.process(scratch_in_, scratch_out_);
    queue_resampled(scratch_out_);
}

bool phone_audio_bridge::next_frame(std::vector<std::uint8_t>& frame)
{
    const auto samples =
        static_cast<std::size_t>(encoder_.format().sample_rate) * phone_frame_ms / 1000;
    if (outbound_.size() < samples)
        return false;
    decoded_.assign(outbound_.begin(), outbound_.begin() + static_cast<std::ptrdiff_t>(samples));
    outbound_.erase(outbound_.begin(), outbound_.begin() + static_cast<std::ptrdiff_t>(samples));
    frame.clear();
    encoder_.encode(decoded_, frame);
    return true;
}

void phone_audio_bridge::finish()
{
    scratch_out_.clear();
    down_.flush(scratch_out_);
    queue_resampled(scratch_out_);
    const auto samples =
        static_cast<std::size_t>(encoder_.format().sample_rate) * phone_frame_ms / 1000;
    if (const auto partial = outbound_.size() % samples; partial != 0)
        outbound_.insert(outbound_.end(), samples - partial, std::int16_t{0});
}

void phone_audio_bridge::clear()
{
    outbound_.clear();
    down_.reset();
}

std::size_t phone_audio_bridge::queued_ms() const
{
    return outbound_.size() * 1000 / static_cast<std::size_t>(encoder_.format().sample_rate);
}

} // namespace donna::relay
