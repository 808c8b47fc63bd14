// phone_bridge_bench.cpp: the phone bridge's work per 20 ms frame in each direction (issue
// 19, item 8), as relay/realtime/phone_call_session does it: the caller's media payload
// (base64) decoded, resampled to 24 kHz PCM16 and wrapped as an input_audio_buffer.append;
// DONNA's 24 kHz audio (a delta's base64) resampled to the call's rate, encoded and wrapped as
// a Telnyx media frame. For PCMU at 8 kHz, L16 at 16 kHz and G.722, side by side with G.711
// passed straight through (a session configured for audio/pcmu: base64 in, base64 out, no
// transcoding), the baseline. The bridge's added delay (the resamplers' filter delay, both
// ways) is reported as counters.
//
// Audio: DONNA_BENCH_AUDIO names speech_48000.wav of the test fixtures; the 8, 16 and 24 kHz
// renderings beside it are read (bench/run.sh generates them all).
#include "audio/base64.hpp"
#include "audio/pcm16.hpp"
#include "audio/phone_audio_bridge.hpp"
#include "audio/resampler.hpp"
#include "providers/telnyx/telnyx_media.hpp"
#include "wav_file.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace {

using donna::relay::phone_audio_bridge;
using donna::relay::phone_audio_format;
using donna::relay::phone_audio_format_of;

std::vector<std::int16_t> speech(int rate)
{
    const char* path = std::getenv("DONNA_BENCH_AUDIO");
    if (path == nullptr) {
        std::cerr << "DONNA_BENCH_AUDIO is not set (bench/run.sh sets it)\n";
        std::exit(2);
    }
    std::string name = path;
    name.replace(name.find("48000"), 5, std::to_string(rate));
    auto wav = donna::test::read_wav(name);
    if (!wav || wav->sample_rate != rate) {
        std::cerr << "cannot use " << name << "\n";
        std::exit(2);
    }
    std::vector<std::int16_t> pcm(wav->samples.size());
    donna::float_to_pcm16(wav->samples, pcm);
    return pcm;
}

phone_audio_format format_of(std::int64_t which)
{
    switch (which) {
    case 0:
        return *phone_audio_format_of("PCMU", 8000);
    case 1:
        return *phone_audio_format_of("L16", 16000);
    default:
        return *phone_audio_format_of("G722", 8000);
    }
}

const char* label_of(std::int64_t which)
{
    return which == 0 ? "PCMU 8 kHz" : which == 1 ? "L16 16 kHz" : "G.722";
}

// The caller's speech as the media frames' base64 payloads, 20 ms each.
std::vector<std::string> caller_payloads(const phone_audio_format& format)
{
    const auto pcm = speech(format.sample_rate);
    auto encoder = donna::relay::phone_encoder::create(format);
    const std::size_t frame = static_cast<std::size_t>(format.sample_rate) / 50;
    std::vector<std::string> out;
    for (std::size_t at = 0; at + frame <= pcm.size(); at += frame) {
        std::vector<std::uint8_t> bytes;
        encoder->encode(std::span(pcm).subspan(at, frame), bytes);
        out.push_back(donna::base64_encode(bytes));
    }
    return out;
}

// DONNA's speech as 20 ms deltas of 24 kHz PCM16, base64.
std::vector<std::string> reply_deltas()
{
    const auto pcm = speech(24000);
    std::vector<std::string> out;
    for (std::size_t at = 0; at + 480 <= pcm.size(); at += 480)
        out.push_back(donna::base64_encode(donna::pcm16_to_bytes(std::span(pcm).subspan(at, 480))));
    return out;
}

std::string append_event(const std::vector<std::uint8_t>& session_audio)
{
    std::string event = R"({"type":"input_audio_buffer.append","audio":")";
    event.append(donna::base64_encode(session_audio));
    event.append("\"}");
    return event;
}

void BM_PhoneCallerToSession(benchmark::State& state)
{
    const auto format = format_of(state.range(0));
    const auto payloads = caller_payloads(format);
    auto bridge = phone_audio_bridge::create(format, format);
    std::vector<std::uint8_t> pcm24k;
    std::size_t i = 0;
    for (auto _ : state) {
        auto bytes = donna::base64_decode(payloads[i++ % payloads.size()]);
        pcm24k.clear();
        bridge->from_caller(*bytes, pcm24k);
        benchmark::DoNotOptimize(append_event(pcm24k));
    }
    auto up = donna::resampler::create(format.sample_rate, 24000);
    state.counters["delay_ms"] = up->delay_seconds() * 1000;
    state.SetLabel(label_of(state.range(0)));
}
BENCHMARK(BM_PhoneCallerToSession)->Arg(0)->Arg(1)->Arg(2);

void BM_PhoneSessionToCaller(benchmark::State& state)
{
    const auto format = format_of(state.range(0));
    const auto deltas = reply_deltas();
    auto bridge = phone_audio_bridge::create(format, format);
    std::vector<std::uint8_t> frame;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto bytes = donna::base64_decode(deltas[i++ % deltas.size()]);
        bridge->to_caller(*bytes);
        while (bridge->next_frame(frame))
            benchmark::DoNotOptimize(donna::relay::telnyx_media_out(donna::base64_encode(frame)));
    }
    auto down = donna::resampler::create(24000, format.sample_rate);
    state.counters["delay_ms"] = down->delay_seconds() * 1000;
    state.SetLabel(label_of(state.range(0)));
}
BENCHMARK(BM_PhoneSessionToCaller)->Arg(0)->Arg(1)->Arg(2);

// Baseline: G.711 straight through (DONNA_PHONE_AUDIO=g711), each way through the same
// bridge: the payload's base64 decoded, its bytes passed on and encoded again into the other
// side's event, nothing transcoded.
void BM_G711PassThroughCallerToSession(benchmark::State& state)
{
    const auto format = format_of(0);
    const auto payloads = caller_payloads(format);
    auto bridge = phone_audio_bridge::create(format, format, donna::relay::phone_audio_mode::g711);
    std::vector<std::uint8_t> session;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto bytes = donna::base64_decode(payloads[i++ % payloads.size()]);
        session.clear();
        bridge->from_caller(*bytes, session);
        benchmark::DoNotOptimize(append_event(session));
    }
    state.counters["delay_ms"] = 0;
}
BENCHMARK(BM_G711PassThroughCallerToSession);

void BM_G711PassThroughSessionToCaller(benchmark::State& state)
{
    const auto format = format_of(0);
    const auto payloads = caller_payloads(format); // a pcmu session's deltas are PCMU
    auto bridge = phone_audio_bridge::create(format, format, donna::relay::phone_audio_mode::g711);
    std::vector<std::uint8_t> frame;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto bytes = donna::base64_decode(payloads[i++ % payloads.size()]);
        bridge->to_caller(*bytes);
        while (bridge->next_frame(frame))
            benchmark::DoNotOptimize(donna::relay::telnyx_media_out(donna::base64_encode(frame)));
    }
    state.counters["delay_ms"] = 0;
}
BENCHMARK(BM_G711PassThroughSessionToCaller);

} // namespace

BENCHMARK_MAIN();
