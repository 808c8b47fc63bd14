// phone_codec.cpp: the four encodings over spandsp's G.711 and G.722, and L16 by hand (it is
// only a byte order).
#include "audio/phone_codec.hpp"

extern "C" {
#include <spandsp/telephony.h>
// g711.h's inline coders use top_bit() without including where it lives.
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
#include <spandsp/g722.h>
}

#include <string>

namespace donna::relay {
namespace {

constexpr int g722_bit_rate = 64000; // the rate every G.722 telephone stream uses

} // namespace

result<phone_audio_format> phone_audio_format_of(std::string_view encoding, int sample_rate)
{
    const auto refuse = [&] {
        return make_error(errc::invalid_argument,
                          "the call's audio is " + std::string(encoding) + " at " +
                              std::to_string(sample_rate) +
                              " Hz; the relay takes PCMU or PCMA at 8000 Hz, L16 at 8000 or "
                              "16000 Hz, or G722");
    };
    if (encoding == "PCMU" || encoding == "PCMA") {
        if (sample_rate != 8000)
            return refuse();
        return phone_audio_format{encoding == "PCMU" ? phone_encoding::pcmu : phone_encoding::pcma,
                                  8000};
    }
    if (encoding == "L16") {
        if (sample_rate != 8000 && sample_rate != 16000)
            return refuse();
        return phone_audio_format{phone_encoding::l16, sample_rate};
    }
    if (encoding == "G722") {
        if (sample_rate != 8000 && sample_rate != 16000)
            return refuse();
        return phone_audio_format{phone_encoding::g722, 16000};
    }
    return refuse();
}

std::string_view phone_encoding_name(phone_encoding encoding)
{
    switch (encoding) {
    case phone_encoding::pcmu:
        return "PCMU";
    case phone_encoding::pcma:
        return "PCMA";
    case phone_encoding::l16:
        return "L16";
    case phone_encoding::g722:
        return "G722";
    }
    return "PCMU";
}

std::size_t phone_bytes_per(const phone_audio_format& format, int ms)
{
    const auto samples =
        static_cast<std::size_t>(format.sample_rate) * static_cast<std::size_t>(ms) / 1000;
    switch (format.encoding) {
    case phone_encoding::l16:
        return samples * 2;
    case phone_encoding::g722:
        return samples / 2; // 4 bits a sample at 64 kbit/s
    case phone_encoding::pcmu:
    case phone_encoding::pcma:
        break;
    }
    return samples;
}

// ---------------------------------------------------------------- decoder

struct phone_decoder::g722_state {
    g722_decode_state_t* state = g722_decode_init(nullptr, g722_bit_rate, 0);
    g722_state() = default;
    g722_state(const g722_state&) = delete;
    g722_state& operator=(const g722_state&) = delete;
    ~g722_state()
    {
        if (state != nullptr)
            g722_decode_free(state);
    }
};

phone_decoder::phone_decoder(const phone_audio_format& format) : format_(format)
{}
phone_decoder::phone_decoder(phone_decoder&&) noexcept = default;
phone_decoder& phone_decoder::operator=(phone_decoder&&) noexcept = default;
phone_decoder::~phone_decoder() = default;

result<phone_decoder> phone_decoder::create(const phone_audio_format& format)
{
    phone_decoder decoder(format);
    if (format.encoding == phone_encoding::g722) {
        decoder.g722_ = std::make_unique<g722_state>();
        if (decoder.g722_->state == nullptr)
            return make_error(errc::codec_error, "the G.722 decoder could not be made");
    }
    return decoder;
}

void phone_decoder::decode(std::span<const std::uint8_t> payload, std::vector<std::int16_t>& out)
{
    switch (format_.encoding) {
    case phone_encoding::pcmu:
        for (const auto byte : payload)
            out.push_back(ulaw_to_linear(byte));
        return;
    case phone_encoding::pcma:
        for (const auto byte : payload)
            out.push_back(alaw_to_linear(byte));
        return;
    case phone_encoding::l16:
        for (const auto byte : payload) {
            if (carry_ < 0) {
                carry_ = byte;
                continue;
            }
            out.push_back(static_cast<std::int16_t>(
                static_cast<std::uint16_t>((static_cast<unsigned>(carry_) << 8U) | byte)));
            carry_ = -1;
        }
        return;
    case phone_encoding::g722: {
        const auto before = out.size();
        out.resize(before + payload.size() * 2); // two samples a byte at 64 kbit/s
        const int made = g722_decode(g722_->state, out.data() + before, payload.data(),
                                     static_cast<int>(payload.size()));
        out.resize(before + static_cast<std::size_t>(made > 0 ? made : 0));
        return;
    }
    }
}

// ---------------------------------------------------------------- encoder

struct phone_encoder::g722_state {
    g722_encode_state_t* state = g722_encode_init(nullptr, g722_bit_rate, 0);
    g722_state() = default;
    g722_state(const g722_state&) = delete;
    g722_state& operator=(const g722_state&) = delete;
    ~g722_state()
    {
        if (state != nullptr)
            g722_encode_free(state);
    }
};

phone_encoder::phone_encoder(const phone_audio_format& format) : format_(format)
{}
phone_encoder::phone_encoder(phone_encoder&&) noexcept = default;
phone_encoder& phone_encoder::operator=(phone_encoder&&) noexcept = default;
phone_encoder::~phone_encoder() = default;

result<phone_encoder> phone_encoder::create(const phone_audio_format& format)
{
    phone_encoder encoder(format);
    if (format.encoding == phone_encoding::g722) {
        encoder.g722_ = std::make_unique<g722_state>();
        if (encoder.g722_->state == nullptr)
            return make_error(errc::codec_error, "the G.722 encoder could not be made");
    }
    return encoder;
}

void phone_encoder::encode(std::span<const std::int16_t> samples, std::vector<std::uint8_t>& out)
{
    switch (format_.encoding) {
    case phone_encoding::pcmu:
        for (const auto s : samples)
            out.push_back(linear_to_ulaw(s));
        return;
    case phone_encoding::pcma:
        for (const auto s : samples)
            out.push_back(linear_to_alaw(s));
        return;
    case phone_encoding::l16:
        for (const auto s : samples) {
            const auto bits = static_cast<std::uint16_t>(s);
            out.push_back(static_cast<std::uint8_t>(bits >> 8U));
            out.push_back(static_cast<std::uint8_t>(bits & 0xFFU));
        }
        return;
    case phone_encoding::g722: {
        const auto before = out.size();
        out.resize(before + samples.size() / 2 + 1);
        const int made = g722_encode(g722_->state, out.data() + before, samples.data(),
                                     static_cast<int>(samples.size()));
        out.resize(before + static_cast<std::size_t>(made > 0 ? made : 0));
        return;
    }
    }
}

} // namespace donna::relay
