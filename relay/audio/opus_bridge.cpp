#include "audio/opus_bridge.hpp"

#include "audio/base64.hpp"
#include "audio/pcm16.hpp"
#include "protocol/audio_frame.hpp"
#include "protocol/json_fields.hpp"
#include "protocol/realtime_events.hpp"

#include <nlohmann/json.hpp>
#include <opus.h>

#include <algorithm>
#include <array>
#include <utility>

namespace donna::relay {
namespace {

// 120 ms at 24 kHz: the longest audio one Opus packet can hold (RFC 6716 section 3.2.5).
constexpr std::size_t max_packet_samples = 2880;

std::string frame_name(std::uint16_t sequence)
{
    return "opus_input frame " + std::to_string(sequence);
}

// Checks the packet's structure (TOC, frame count, frame lengths) without touching the
// decoder, so a corrupt packet is refused before concealment has run for the frames before
// it; returns the samples it holds at 24 kHz.
result<std::size_t> packet_samples(std::span<const std::uint8_t> packet)
{
    const auto size = static_cast<opus_int32>(packet.size());
    std::array<const unsigned char*, 48> frames{};
    std::array<opus_int16, 48> sizes{};
    const int count =
        opus_packet_parse(packet.data(), size, nullptr, frames.data(), sizes.data(), nullptr);
    if (count < 0)
        return make_error(errc::codec_error,
                          std::string("corrupt Opus packet (") + opus_strerror(count) + ")");
    const int samples = opus_packet_get_nb_samples(packet.data(), size, bridge_sample_rate);
    if (samples <= 0 || static_cast<std::size_t>(samples) > max_packet_samples)
        return make_error(errc::codec_error, "corrupt Opus packet (holds " +
                                                 std::to_string(samples) +
                                                 " samples; 1 to 120 ms expected)");
    return static_cast<std::size_t>(samples);
}

std::string append_event(std::span<const float> pcm)
{
    std::vector<std::int16_t> samples(pcm.size());
    float_to_pcm16(pcm, samples);
    input_audio_buffer_append append;
    append.audio = base64_encode(pcm16_to_bytes(samples));
    return serialize(append);
}

} // namespace

// ---------------------------------------------------------------- input

opus_input_bridge::opus_input_bridge(opus_decoder decoder) : decoder_(std::move(decoder))
{}

result<opus_input_bridge> opus_input_bridge::create()
{
    auto decoder = opus_decoder::create(bridge_sample_rate);
    if (!decoder)
        return decoder.error();
    return opus_input_bridge(std::move(*decoder));
}

result<std::string> opus_input_bridge::on_frame(std::span<const std::uint8_t> frame)
{
    auto view = decode_audio_frame(frame);
    if (!view)
        return make_error(view.error().code, "opus_input frame refused: " + view.error().message);
    const std::uint16_t sequence = view->header.sequence;
    if (view->header.kind != audio_frame_kind::opus_input)
        return make_error(errc::invalid_argument,
                          frame_name(sequence) + " has kind " +
                              std::string(to_string(view->header.kind)) +
                              "; only opus_input frames carry microphone audio");

    std::size_t lost = 0;
    if (last_sequence_) {
        const int ahead = sequence_delta(*last_sequence_, sequence);
        if (ahead <= 0)
            return make_error(errc::out_of_range,
                              frame_name(sequence) + " is not after frame " +
                                  std::to_string(*last_sequence_) +
                                  " (a duplicate or reordered frame would repeat audio)");
        lost = std::min(static_cast<std::size_t>(ahead - 1), max_concealed_frames);
    }
    auto samples = packet_samples(view->payload);
    if (!samples)
        return make_error(samples.error().code,
                          frame_name(sequence) + ": " + samples.error().message);

    pcm_.resize(lost * last_frame_samples_ + *samples);
    std::size_t produced = 0;
    for (std::size_t i = 0; i < lost; ++i) {
        auto n = decoder_.decode_lost(std::span(pcm_).subspan(produced, last_frame_samples_));
        if (!n)
            return make_error(n.error().code, frame_name(sequence) + ": " + n.error().message);
        produced += *n;
    }
    auto n = decoder_.decode(view->payload, std::span(pcm_).subspan(produced));
    if (!n)
        return make_error(n.error().code, frame_name(sequence) + ": " + n.error().message);
    produced += *n;

    last_sequence_ = sequence;
    last_frame_samples_ = *n;
    samples_decoded_ += produced;
    return append_event(std::span(pcm_).first(produced));
}

double opus_input_bridge::seconds_decoded() const noexcept
{
    return static_cast<double>(samples_decoded_) / bridge_sample_rate;
}

// ---------------------------------------------------------------- output

opus_output_bridge::opus_output_bridge(opus_encoder encoder) : encoder_(std::move(encoder))
{
    pending_.reserve(bridge_frame_samples * 8);
}

result<opus_output_bridge> opus_output_bridge::create()
{
    auto encoder = opus_encoder::create({.sample_rate = bridge_sample_rate});
    if (!encoder)
        return encoder.error();
    return opus_output_bridge(std::move(*encoder));
}

status opus_output_bridge::encode_pending(std::vector<std::vector<std::uint8_t>>& frames,
                                          bool flush)
{
    if (flush && pending_.size() % bridge_frame_samples != 0)
        pending_.resize((pending_.size() / bridge_frame_samples + 1) * bridge_frame_samples, 0.0f);
    std::array<std::uint8_t, opus_max_packet> packet{};
    std::size_t used = 0;
    for (; pending_.size() - used >= bridge_frame_samples; used += bridge_frame_samples) {
        auto size =
            encoder_.encode(std::span(pending_).subspan(used, bridge_frame_samples), packet);
        if (!size)
            return size.error();
        std::vector<std::uint8_t> frame;
        if (auto st = encode_audio_frame({audio_frame_kind::opus_output, sequence_, timestamp_},
                                         std::span(packet).first(*size), frame);
            !st)
            return st.error();
        frames.push_back(std::move(frame));
        sequence_ = next_sequence(sequence_);
        timestamp_ += static_cast<std::uint32_t>(bridge_frame_samples); // wraps like RTP's
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
    return ok();
}

result<opus_output_bridge::converted>
opus_output_bridge::on_server_event(std::string_view event_json)
{
    auto type = peek_event_type(event_json);
    if (!type)
        return make_error(type.error().code, "server event refused: " + type.error().message);
    const auto known = event_type_from_name(*type);
    converted out;
    if (known && known->first == realtime_event_type::response_output_audio_done) {
        odd_byte_.reset(); // half a sample at the end of a response is not a sample
        if (auto st = encode_pending(out.frames, true); !st)
            return st.error();
        out.event_text = std::string(event_json);
        return out;
    }
    if (!known || known->first != realtime_event_type::response_output_audio_delta) {
        out.event_text = std::string(event_json);
        return out;
    }

    auto event = nlohmann::json::parse(event_json, nullptr, false);
    if (event.is_discarded() || !event.is_object())
        return make_error(errc::invalid_json,
                          std::string(*type) + " is not valid JSON (invalid UTF-8?)");
    const auto delta = event.find("delta");
    if (delta == event.end() || !delta->is_string())
        return make_error(delta == event.end() ? errc::missing_field : errc::wrong_type,
                          std::string(*type) + " needs a base64 string in 'delta'");
    auto bytes = base64_decode(delta->get_ref<const std::string&>());
    if (!bytes)
        return make_error(bytes.error().code,
                          std::string(*type) + " delta: " + bytes.error().message);
    if (odd_byte_) {
        bytes->insert(bytes->begin(), *odd_byte_);
        odd_byte_.reset();
    }
    if (bytes->size() % 2 != 0) {
        odd_byte_ = bytes->back();
        bytes->pop_back();
    }
    const auto samples = pcm16_from_bytes(*bytes);
    const std::size_t start = pending_.size();
    pending_.resize(start + samples.size());
    pcm16_to_float(samples, std::span(pending_).subspan(start));
    if (auto st = encode_pending(out.frames, false); !st)
        return st.error();

    *delta = "";
    out.event_text = dump_json(event);
    return out;
}

} // namespace donna::relay
