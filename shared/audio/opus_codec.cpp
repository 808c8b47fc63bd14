// opus_codec.cpp: libopus calls, every return code checked.
#include "audio/opus_codec.hpp"

#include <opus.h>

#include <string>

namespace donna {
namespace {

error opus_failure(const char* what, int code)
{
    return make_error(errc::codec_error, std::string(what) + ": " + opus_strerror(code));
}

bool valid_rate(int rate)
{
    return rate == 48000 || rate == 24000 || rate == 16000 || rate == 12000 || rate == 8000;
}

error bad_rate(int rate)
{
    return make_error(errc::invalid_argument,
                      "Opus sample rate must be 8000, 12000, 16000, 24000 or 48000, got " +
                          std::to_string(rate));
}

} // namespace

void opus_encoder::deleter::operator()(OpusEncoder* e) const noexcept
{
    opus_encoder_destroy(e);
}

void opus_decoder::deleter::operator()(OpusDecoder* d) const noexcept
{
    opus_decoder_destroy(d);
}

result<opus_encoder> opus_encoder::create(const opus_encoder_config& config)
{
    if (!valid_rate(config.sample_rate))
        return bad_rate(config.sample_rate);
    if (config.bitrate < 6000 || config.bitrate > 510000)
        return make_error(errc::invalid_argument, "Opus bitrate must be 6000..510000, got " +
                                                      std::to_string(config.bitrate));
    if (config.complexity < 0 || config.complexity > 10)
        return make_error(errc::invalid_argument, "Opus complexity must be 0..10, got " +
                                                      std::to_string(config.complexity));
    if (config.frame_ms != 10 && config.frame_ms != 20 && config.frame_ms != 40 &&
        config.frame_ms != 60)
        return make_error(errc::invalid_argument, "Opus frames must be 10, 20, 40 or 60 ms, got " +
                                                      std::to_string(config.frame_ms));
    int rc = OPUS_OK;
    const int application = config.application == opus_application::voip ? OPUS_APPLICATION_VOIP
                                                                         : OPUS_APPLICATION_AUDIO;
    opus_encoder enc;
    enc.state_.reset(opus_encoder_create(config.sample_rate, 1, application, &rc));
    if (rc != OPUS_OK || !enc.state_)
        return opus_failure("opus_encoder_create", rc);
    enc.sample_rate_ = config.sample_rate;
    enc.frame_ms_ = config.frame_ms;
    OpusEncoder* e = enc.state_.get();
    if ((rc = opus_encoder_ctl(e, OPUS_SET_BITRATE(config.bitrate))) != OPUS_OK)
        return opus_failure("OPUS_SET_BITRATE", rc);
    if ((rc = opus_encoder_ctl(e, OPUS_SET_VBR(1))) != OPUS_OK)
        return opus_failure("OPUS_SET_VBR", rc);
    if ((rc = opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(config.complexity))) != OPUS_OK)
        return opus_failure("OPUS_SET_COMPLEXITY", rc);
    if ((rc = opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE))) != OPUS_OK)
        return opus_failure("OPUS_SET_SIGNAL", rc);
    return enc;
}

result<std::size_t> opus_encoder::encode(std::span<const float> frame,
                                         std::span<std::uint8_t> packet)
{
    if (frame.size() != frame_size())
        return make_error(errc::invalid_argument, "Opus frame must be " +
                                                      std::to_string(frame_size()) + " samples (" +
                                                      std::to_string(frame_ms_) + " ms), got " +
                                                      std::to_string(frame.size()));
    if (packet.empty())
        return make_error(errc::invalid_argument, "Opus packet buffer is empty");
    const auto capacity = static_cast<opus_int32>(std::min(packet.size(), opus_max_packet));
    const int n = opus_encode_float(state_.get(), frame.data(), static_cast<int>(frame.size()),
                                    packet.data(), capacity);
    if (n < 0)
        return opus_failure("opus_encode_float", n);
    return static_cast<std::size_t>(n);
}

int opus_encoder::lookahead() const noexcept
{
    opus_int32 samples = 0;
    opus_encoder_ctl(state_.get(), OPUS_GET_LOOKAHEAD(&samples));
    return samples;
}

result<opus_decoder> opus_decoder::create(int sample_rate)
{
    if (!valid_rate(sample_rate))
        return bad_rate(sample_rate);
    int rc = OPUS_OK;
    opus_decoder dec;
    dec.state_.reset(opus_decoder_create(sample_rate, 1, &rc));
    if (rc != OPUS_OK || !dec.state_)
        return opus_failure("opus_decoder_create", rc);
    dec.sample_rate_ = sample_rate;
    return dec;
}

result<std::size_t> opus_decoder::decode(std::span<const std::uint8_t> packet, std::span<float> pcm)
{
    if (packet.empty())
        return make_error(errc::empty_payload, "Opus packet is empty");
    if (packet.size() > opus_max_packet)
        return make_error(errc::payload_too_large,
                          "Opus packet of " + std::to_string(packet.size()) + " bytes exceeds " +
                              std::to_string(opus_max_packet));
    const int n =
        opus_decode_float(state_.get(), packet.data(), static_cast<opus_int32>(packet.size()),
                          pcm.data(), static_cast<int>(pcm.size()), 0);
    if (n < 0)
        return opus_failure("opus_decode_float", n);
    return static_cast<std::size_t>(n);
}

result<std::size_t> opus_decoder::decode_lost(std::span<float> pcm)
{
    const int n =
        opus_decode_float(state_.get(), nullptr, 0, pcm.data(), static_cast<int>(pcm.size()), 0);
    if (n < 0)
        return opus_failure("opus_decode_float (concealment)", n);
    return static_cast<std::size_t>(n);
}

} // namespace donna
