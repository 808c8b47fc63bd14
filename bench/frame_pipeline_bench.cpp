// frame_pipeline_bench.cpp: the client's per-frame cost of sending microphone audio:
// one 20 ms batch of real speech through the browser client's own capture path
// (wasm/client/capture_pipeline: resample to 24 kHz, turn detection, 40 ms Opus packets),
// the same stages hand-assembled with 20 ms packets (the baseline), and each stage alone.
// The same source runs natively and as WASM under node (bench/run.sh runs both and writes
// BENCHMARKS.md).
//
// Audio: DONNA_BENCH_AUDIO names a 48 kHz speech WAV (bench/run.sh generates it with the
// test fixture script); speech, not a sine, because Opus costs far more on speech.
#include "client/capture_pipeline.hpp"

#include "audio/framer.hpp"
#include "audio/opus_codec.hpp"
#include "audio/pcm16.hpp"
#include "audio/resampler.hpp"
#include "turn/turn_detector.hpp"
#include "wav_file.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <iostream>

namespace {

constexpr int capture_rate = 48000;
constexpr int wire_rate = 24000;

const std::vector<float>& speech()
{
    static const std::vector<float> samples = [] {
        const char* path = std::getenv("DONNA_BENCH_AUDIO");
        if (!path) {
            std::cerr << "DONNA_BENCH_AUDIO is not set (bench/run.sh sets it)\n";
            std::exit(2);
        }
        auto wav = donna::test::read_wav(path);
        if (!wav || wav->sample_rate != capture_rate) {
            std::cerr << "cannot use " << path << ": need a 48 kHz WAV\n";
            std::exit(2);
        }
        // Whole frames of speech only: trim the silence espeak adds at either end.
        auto& s = wav->samples;
        std::size_t first = 0, last = s.size();
        while (first < last && std::abs(s[first]) < 0.01f)
            ++first;
        while (last > first && std::abs(s[last - 1]) < 0.01f)
            --last;
        std::vector<float> trimmed(s.begin() + static_cast<std::ptrdiff_t>(first),
                                   s.begin() + static_cast<std::ptrdiff_t>(last));
        trimmed.resize(trimmed.size() / 960 * 960);
        return trimmed;
    }();
    return samples;
}

// Cycles through the speech 20 ms at a time.
struct frame_source {
    std::span<const float> next()
    {
        const auto& s = speech();
        if (pos + 960 > s.size())
            pos = 0;
        auto frame = std::span<const float>(s).subspan(pos, 960);
        pos += 960;
        return frame;
    }
    std::size_t pos = 0;
};

struct pipeline {
    donna::resampler resample = *donna::resampler::create(capture_rate, wire_rate);
    donna::turn_detector vad = *donna::turn_detector::create(wire_rate);
    donna::opus_encoder opus = *donna::opus_encoder::create({.sample_rate = wire_rate});
    std::vector<float> at_wire_rate;
    std::vector<std::int16_t> pcm = std::vector<std::int16_t>(960);
    std::vector<donna::turn_event> events;
    donna::framer frames{donna::frame_samples(wire_rate)};
    std::array<std::uint8_t, donna::opus_max_packet> packet{};
    std::size_t bytes = 0;

    void run(std::span<const float> capture_frame)
    {
        at_wire_rate.clear();
        resample.process(capture_frame, at_wire_rate);
        donna::float_to_pcm16(at_wire_rate, pcm);
        events.clear();
        vad.process(at_wire_rate, events);
        frames.push(at_wire_rate, [&](std::span<const float> f) {
            if (auto n = opus.encode(f, packet))
                bytes += *n;
        });
    }
};

// JIT warm-up: the first ~500 frames in WASM are 3-5x slower.
template <class F>
void warm_up(F&& f)
{
    for (int i = 0; i < 1000; ++i)
        f();
}

void BM_FramePipeline(benchmark::State& state)
{
    pipeline p;
    frame_source src;
    warm_up([&] { p.run(src.next()); });
    for (auto _ : state) {
        p.run(src.next());
        benchmark::DoNotOptimize(p.bytes);
    }
    state.counters["frame_ms"] = 20;
}
BENCHMARK(BM_FramePipeline)->Unit(benchmark::kMicrosecond);

// The client's capture path as the page runs it, per 20 ms batch at the AudioContext's rate
// (48 kHz, or 44.1 kHz as Chromium's fake microphone gives): every other batch completes a
// 40 ms Opus packet, so the figure is the mean over both.
void BM_CapturePipeline(benchmark::State& state)
{
    const int rate = static_cast<int>(state.range(0));
    std::vector<float> input;
    if (rate == capture_rate) {
        input = speech();
    } else {
        auto to_rate = *donna::resampler::create(capture_rate, rate);
        to_rate.process(speech(), input);
    }
    const auto batch = static_cast<std::size_t>(rate / 50);
    input.resize(input.size() / batch * batch);
    auto capture = *donna::client::capture_pipeline::create(rate, {});
    donna::client::uplink_messages out;
    std::vector<donna::turn_event> events;
    std::size_t pos = 0;
    std::size_t packets = 0;
    auto run = [&] {
        if (pos + batch > input.size())
            pos = 0;
        capture.process(std::span<const float>(input).subspan(pos, batch), true, out, events);
        pos += batch;
        packets += out.binary.size();
        out.clear();
        events.clear();
    };
    warm_up(run);
    for (auto _ : state)
        run();
    benchmark::DoNotOptimize(packets);
}
BENCHMARK(BM_CapturePipeline)->Arg(48000)->Arg(44100)->Unit(benchmark::kMicrosecond);

void BM_Resample48kTo24k(benchmark::State& state)
{
    auto r = *donna::resampler::create(capture_rate, wire_rate);
    frame_source src;
    std::vector<float> out;
    warm_up([&] {
        out.clear();
        r.process(src.next(), out);
    });
    for (auto _ : state) {
        out.clear();
        r.process(src.next(), out);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_Resample48kTo24k)->Unit(benchmark::kMicrosecond);

void BM_Pcm16(benchmark::State& state)
{
    frame_source src;
    std::vector<std::int16_t> pcm(960);
    for (auto _ : state) {
        donna::float_to_pcm16(src.next().first(480), pcm);
        benchmark::DoNotOptimize(pcm.data());
    }
}
BENCHMARK(BM_Pcm16)->Unit(benchmark::kMicrosecond);

void BM_TurnDetector(benchmark::State& state)
{
    auto vad = *donna::turn_detector::create(capture_rate);
    frame_source src;
    std::vector<donna::turn_event> events;
    events.reserve(8);
    warm_up([&] {
        events.clear();
        vad.process(src.next(), events);
    });
    for (auto _ : state) {
        events.clear();
        vad.process(src.next(), events);
        benchmark::DoNotOptimize(events.data());
    }
}
BENCHMARK(BM_TurnDetector)->Unit(benchmark::kMicrosecond);

void BM_OpusEncode24k(benchmark::State& state)
{
    auto resample = *donna::resampler::create(capture_rate, wire_rate);
    std::vector<float> speech24;
    resample.process(speech(), speech24);
    speech24.resize(speech24.size() / 480 * 480);
    auto enc = *donna::opus_encoder::create(
        {.sample_rate = wire_rate, .complexity = static_cast<int>(state.range(0))});
    std::array<std::uint8_t, donna::opus_max_packet> packet{};
    std::size_t pos = 0;
    auto encode_next = [&] {
        if (pos + 480 > speech24.size())
            pos = 0;
        auto n = enc.encode(std::span<const float>(speech24).subspan(pos, 480), packet);
        pos += 480;
        return n ? *n : 0;
    };
    warm_up(encode_next);
    for (auto _ : state)
        benchmark::DoNotOptimize(encode_next());
}
BENCHMARK(BM_OpusEncode24k)->Arg(5)->Arg(9)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
