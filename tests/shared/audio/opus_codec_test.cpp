#include "audio/opus_codec.hpp"

#include "audio/framer.hpp"
#include "audio/resampler.hpp"
#include "wav_file.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <numbers>

namespace donna {
namespace {

using std::numbers::pi;

struct round_trip {
    std::vector<float> original; // whole 20 ms frames of the input
    std::vector<float> decoded;  // aligned with original (decoder delay removed)
    std::vector<std::size_t> packet_bytes;
    std::vector<bool> frame_is_speech;
};

double frame_energy_db(std::span<const float> frame)
{
    double sum = 1e-12;
    for (float v : frame)
        sum += double{v} * v;
    return 10 * std::log10(sum / static_cast<double>(frame.size()));
}

round_trip encode_decode(const std::vector<float>& input, int rate)
{
    auto enc = opus_encoder::create({.sample_rate = rate});
    auto dec = opus_decoder::create(rate);
    EXPECT_TRUE(enc && dec);
    round_trip rt;
    const std::size_t frame = frame_samples(rate);
    std::array<std::uint8_t, opus_max_packet> packet{};
    std::vector<float> pcm(frame);
    framer f(frame);
    f.push(input, [&](std::span<const float> in) {
        rt.original.insert(rt.original.end(), in.begin(), in.end());
        rt.frame_is_speech.push_back(frame_energy_db(in) > -45.0);
        auto size = enc->encode(in, packet);
        ASSERT_TRUE(size) << size.error().message;
        rt.packet_bytes.push_back(*size);
        auto n = dec->decode(std::span(packet.data(), *size), pcm);
        ASSERT_TRUE(n) << n.error().message;
        ASSERT_EQ(*n, frame);
        rt.decoded.insert(rt.decoded.end(), pcm.begin(), pcm.end());
    });
    const auto delay = static_cast<std::size_t>(enc->lookahead());
    rt.decoded.erase(rt.decoded.begin(), rt.decoded.begin() + static_cast<std::ptrdiff_t>(delay));
    rt.original.resize(rt.decoded.size());
    return rt;
}

// Mean absolute difference of log band energies (Hann-windowed DFT, 1/3-octave-ish bands
// from 100 Hz to 7 kHz) over the speech frames: a spectral distance, the right yardstick
// for a speech codec (waveform SNR punishes phase changes the ear does not hear).
double mean_band_distance_db(const round_trip& rt, int rate)
{
    const std::size_t n = frame_samples(rate);
    std::vector<double> window(n);
    for (std::size_t i = 0; i < n; ++i)
        window[i] = 0.5 - 0.5 * std::cos(2 * pi * static_cast<double>(i) / static_cast<double>(n));
    std::vector<double> edges;
    for (double f = 100; f < 7000; f *= 1.26)
        edges.push_back(f);
    auto bands = [&](const float* x) {
        std::vector<double> energy(edges.size() - 1, 1e-9);
        for (std::size_t k = 1; k < n / 2; ++k) {
            const double freq = static_cast<double>(k) * rate / static_cast<double>(n);
            std::size_t b = 0;
            while (b + 1 < edges.size() && edges[b + 1] <= freq)
                ++b;
            if (freq < edges.front() || b + 1 >= edges.size())
                continue;
            double re = 0, im = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const double phase = 2 * pi * static_cast<double>(k * i) / static_cast<double>(n);
                re += x[i] * window[i] * std::cos(phase);
                im -= x[i] * window[i] * std::sin(phase);
            }
            energy[b] += re * re + im * im;
        }
        for (double& e : energy)
            e = 10 * std::log10(e);
        return energy;
    };
    double total = 0;
    std::size_t count = 0;
    for (std::size_t f = 0; (f + 1) * n <= rt.decoded.size(); ++f) {
        if (!rt.frame_is_speech[f])
            continue;
        const auto a = bands(rt.original.data() + f * n);
        const auto b = bands(rt.decoded.data() + f * n);
        for (std::size_t i = 0; i < a.size(); ++i) {
            total += std::abs(a[i] - b[i]);
            ++count;
        }
    }
    return count ? total / static_cast<double>(count) : 1e9;
}

double speech_bitrate(const round_trip& rt)
{
    double bytes = 0;
    std::size_t frames = 0;
    for (std::size_t f = 0; f < rt.packet_bytes.size(); ++f) {
        if (rt.frame_is_speech[f]) {
            bytes += static_cast<double>(rt.packet_bytes[f]);
            ++frames;
        }
    }
    return bytes * 8.0 / (static_cast<double>(frames) * frame_ms / 1000.0);
}

class OpusSpeech : public ::testing::TestWithParam<int> {};

TEST_P(OpusSpeech, RoundTripKeepsTheSpeechSpectrumWithin4dB)
{
    const int rate = GetParam();
    auto wav = test::read_wav(test::audio_path("speech_" + std::to_string(rate) + ".wav"));
    ASSERT_TRUE(wav) << wav.error().message;
    const auto rt = encode_decode(wav->samples, rate);
    const double distance = mean_band_distance_db(rt, rate);
    RecordProperty("band_distance_db", std::to_string(distance));
    EXPECT_LT(distance, 4.0) << "mean band-energy difference, dB";
}

TEST_P(OpusSpeech, BitrateOverSpeechSitsNearThe24kTarget)
{
    const int rate = GetParam();
    auto wav = test::read_wav(test::audio_path("speech_" + std::to_string(rate) + ".wav"));
    ASSERT_TRUE(wav);
    const auto rt = encode_decode(wav->samples, rate);
    const double kbps = speech_bitrate(rt) / 1000.0;
    RecordProperty("speech_kbps", std::to_string(kbps));
    EXPECT_GT(kbps, 24.0 * 0.7);
    EXPECT_LT(kbps, 24.0 * 1.3);
}

INSTANTIATE_TEST_SUITE_P(Rates, OpusSpeech, ::testing::Values(48000, 24000));

TEST(OpusCodec, DecodedSpeechIsNotSilence)
{
    auto wav = test::read_wav(test::audio_path("speech_24000.wav"));
    ASSERT_TRUE(wav);
    const auto rt = encode_decode(wav->samples, 24000);
    double original = 0, decoded = 0;
    for (std::size_t i = 0; i < rt.decoded.size(); ++i) {
        original += double{rt.original[i]} * rt.original[i];
        decoded += double{rt.decoded[i]} * rt.decoded[i];
    }
    EXPECT_NEAR(10 * std::log10(decoded / original), 0.0, 3.0) << "level changed by more than 3 dB";
}

TEST(OpusCodec, EncoderRejectsFramesThatAreNotTwentyMilliseconds)
{
    auto enc = opus_encoder::create({.sample_rate = 48000});
    ASSERT_TRUE(enc);
    std::array<std::uint8_t, opus_max_packet> packet{};
    auto r = enc->encode(std::vector<float>(480, 0.0f), packet);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_argument);
    EXPECT_NE(r.error().message.find("960 samples"), std::string::npos) << r.error().message;
}

// The browser client sends 40 ms packets (wasm/client/capture_pipeline): one packet carries
// the whole 40 ms, and a decoder that knows nothing of the choice gets all of it back.
TEST(OpusCodec, FortyMillisecondFramesAreOnePacketEachAndDecodeWhole)
{
    auto wav = test::read_wav(test::audio_path("speech_24000.wav"));
    ASSERT_TRUE(wav);
    auto enc = opus_encoder::create({.sample_rate = 24000, .frame_ms = 40});
    auto dec = opus_decoder::create(24000);
    ASSERT_TRUE(enc && dec);
    EXPECT_EQ(enc->frame_size(), 960u);
    std::array<std::uint8_t, opus_max_packet> packet{};
    std::vector<float> pcm(2880);
    double original = 0;
    double decoded = 0;
    std::size_t packets = 0;
    framer f(enc->frame_size());
    f.push(wav->samples, [&](std::span<const float> in) {
        auto size = enc->encode(in, packet);
        ASSERT_TRUE(size) << size.error().message;
        auto n = dec->decode(std::span(packet.data(), *size), pcm);
        ASSERT_TRUE(n) << n.error().message;
        ASSERT_EQ(*n, 960u);
        for (std::size_t i = 0; i < in.size(); ++i) {
            original += double{in[i]} * in[i];
            decoded += double{pcm[i]} * pcm[i];
        }
        ++packets;
    });
    EXPECT_EQ(packets, wav->samples.size() / 960);
    EXPECT_NEAR(10 * std::log10(decoded / original), 0.0, 3.0) << "level changed by more than 3 dB";
    EXPECT_FALSE(enc->encode(std::vector<float>(480, 0.0f), packet)); // 20 ms is not 40 ms
}

TEST(OpusCodec, CreateRejectsInvalidSettings)
{
    EXPECT_EQ(opus_encoder::create({.sample_rate = 44100}).error().code, errc::invalid_argument);
    EXPECT_EQ(opus_encoder::create({.bitrate = 100}).error().code, errc::invalid_argument);
    EXPECT_EQ(opus_encoder::create({.complexity = 11}).error().code, errc::invalid_argument);
    EXPECT_EQ(opus_encoder::create({.frame_ms = 30}).error().code, errc::invalid_argument);
    EXPECT_EQ(opus_decoder::create(22050).error().code, errc::invalid_argument);
}

TEST(OpusCodec, DecoderReportsCorruptAndEmptyPacketsAsTypedErrors)
{
    auto dec = opus_decoder::create(24000);
    ASSERT_TRUE(dec);
    std::vector<float> pcm(5760);
    // TOC code 3 (arbitrary frame count) with no frame-count byte: malformed.
    const std::uint8_t corrupt[] = {0x03};
    auto r = dec->decode(corrupt, pcm);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::codec_error);
    EXPECT_NE(r.error().message.find("opus_decode_float"), std::string::npos);
    EXPECT_EQ(dec->decode({}, pcm).error().code, errc::empty_payload);
    std::vector<std::uint8_t> huge(opus_max_packet + 1, 0);
    EXPECT_EQ(dec->decode(huge, pcm).error().code, errc::payload_too_large);
}

TEST(OpusCodec, LostFrameIsConcealedWithAFullFrame)
{
    auto dec = opus_decoder::create(24000);
    ASSERT_TRUE(dec);
    std::vector<float> pcm(480);
    auto n = dec->decode_lost(pcm);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, 480u);
}

TEST(OpusCodec, LookaheadMatchesLibopusAtBothRates)
{
    // 2.5 ms algorithmic delay + 4 ms look-ahead at the codec's rate (OPUS_GET_LOOKAHEAD).
    EXPECT_EQ(opus_encoder::create({.sample_rate = 48000})->lookahead(), 312);
    EXPECT_EQ(opus_encoder::create({.sample_rate = 24000})->lookahead(), 156);
}

} // namespace
} // namespace donna
