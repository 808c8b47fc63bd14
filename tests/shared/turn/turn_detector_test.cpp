#include "turn/turn_detector.hpp"

#include "wav_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace donna {
namespace {

constexpr int input_rates[] = {48000, 24000, 16000, 44100};

std::string file_name(const std::string& stem, int rate)
{
    return stem + "_" + std::to_string(rate) + ".wav";
}

// Reads a generated fixture; an unreadable file fails the calling test.
std::vector<float> load(const std::string& name, int expected_rate)
{
    auto wav = test::read_wav(test::audio_path(name));
    EXPECT_TRUE(wav.has_value()) << (wav ? "" : wav.error().message);
    if (!wav)
        return {};
    EXPECT_EQ(wav->sample_rate, expected_rate) << name;
    return std::move(wav->samples);
}

std::int64_t ms_to_samples(int ms, int rate)
{
    return static_cast<std::int64_t>(ms) * rate / 1000;
}

double samples_to_ms(std::int64_t samples, int rate)
{
    return static_cast<double>(samples) * 1000.0 / rate;
}

// Ground truth measured independently of the detector: the first and last 10 ms window of a
// noise-free file whose peak exceeds -40 dBFS. Returns [start, end) in samples, {-1, -1} for
// a file without speech.
struct span_samples {
    std::int64_t start = -1;
    std::int64_t end = -1;
};

span_samples true_speech(const std::vector<float>& clean, int rate)
{
    const auto window = static_cast<std::size_t>(rate / 100);
    const float peak_threshold = std::pow(10.0f, -40.0f / 20.0f);
    span_samples truth;
    for (std::size_t begin = 0; begin + window <= clean.size(); begin += window) {
        float peak = 0.0f;
        for (std::size_t i = begin; i < begin + window; ++i)
            peak = std::max(peak, std::fabs(clean[i]));
        if (peak > peak_threshold) {
            if (truth.start < 0)
                truth.start = static_cast<std::int64_t>(begin);
            truth.end = static_cast<std::int64_t>(begin + window);
        }
    }
    return truth;
}

turn_detector make_detector(int rate, const turn_config& config = {})
{
    auto detector = turn_detector::create(rate, config);
    EXPECT_TRUE(detector.has_value()) << (detector ? "" : detector.error().message);
    return *detector;
}

std::vector<turn_event> run_whole(turn_detector& detector, const std::vector<float>& samples)
{
    std::vector<turn_event> events;
    detector.process(samples, events);
    return events;
}

std::vector<turn_event> run(int rate, const std::vector<float>& samples,
                            const turn_config& config = {})
{
    auto detector = make_detector(rate, config);
    return run_whole(detector, samples);
}

std::size_t count(const std::vector<turn_event>& events, turn_event_kind kind)
{
    return static_cast<std::size_t>(std::count_if(
        events.begin(), events.end(), [&](const turn_event& e) { return e.kind == kind; }));
}

// Uniform white noise in [-amplitude, amplitude) from mt19937, whose output (unlike the
// standard distributions) is the same in libstdc++ and libc++.
std::vector<float> white_noise(std::size_t n, float amplitude, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<float> out(n);
    for (auto& s : out)
        s = amplitude * static_cast<float>(static_cast<double>(rng()) / 4294967296.0 * 2.0 - 1.0);
    return out;
}

// Adds `speech` onto `base` starting at `offset`.
void mix_in(std::vector<float>& base, const std::vector<float>& speech, std::size_t offset)
{
    for (std::size_t i = 0; i < speech.size() && offset + i < base.size(); ++i)
        base[offset + i] += speech[i];
}

// Noise that changes level: `first_seconds` at `first_amplitude`, then `second_amplitude`,
// with `speech` mixed in at `offset` and 2 s of the second noise after it.
std::vector<float> noise_step_with_speech(int rate, double first_seconds, float first_amplitude,
                                          float second_amplitude, std::size_t offset,
                                          const std::vector<float>& speech, std::uint32_t seed)
{
    auto samples = white_noise(offset + speech.size() + 2 * static_cast<std::size_t>(rate),
                               second_amplitude, seed);
    const auto first =
        white_noise(static_cast<std::size_t>(first_seconds * rate), first_amplitude, seed + 1);
    std::copy(first.begin(), first.end(), samples.begin());
    mix_in(samples, speech, offset);
    return samples;
}

// Exactly one turn, started and stopped within 100 ms of `truth` shifted by `offset`.
void expect_one_turn_near(const std::vector<turn_event>& events, const span_samples& truth,
                          std::size_t offset, int rate)
{
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, turn_event_kind::speech_started);
    EXPECT_EQ(events[1].kind, turn_event_kind::speech_stopped);
    const auto start = static_cast<std::int64_t>(offset) + truth.start;
    const auto end = static_cast<std::int64_t>(offset) + truth.end;
    EXPECT_LE(std::abs(events[0].sample - start), ms_to_samples(100, rate));
    EXPECT_LE(std::abs(events[1].sample - end), ms_to_samples(100, rate));
}

TEST(TurnDetector, FindsExactlyOneTurnWithin100MsOfTheTrueBoundariesAtEveryRate)
{
    for (const int rate : input_rates) {
        SCOPED_TRACE(rate);
        const auto truth = true_speech(load(file_name("turn_clean", rate), rate), rate);
        ASSERT_GT(truth.start, 0);
        const auto events = run(rate, load(file_name("turn", rate), rate));
        ASSERT_EQ(events.size(), 2u);
        EXPECT_EQ(events[0].kind, turn_event_kind::speech_started);
        EXPECT_EQ(events[1].kind, turn_event_kind::speech_stopped);
        const auto tolerance = ms_to_samples(100, rate);
        EXPECT_LE(std::abs(events[0].sample - truth.start), tolerance)
            << "start off by " << samples_to_ms(events[0].sample - truth.start, rate) << " ms";
        EXPECT_LE(std::abs(events[1].sample - truth.end), tolerance)
            << "stop off by " << samples_to_ms(events[1].sample - truth.end, rate) << " ms";
    }
}

TEST(TurnDetector, FindsSpeechAfterDigitalSilenceWithin50Ms)
{
    const int rate = 24000;
    const auto clean = load(file_name("turn_clean", rate), rate);
    const auto truth = true_speech(clean, rate);
    const auto events = run(rate, clean);
    ASSERT_EQ(events.size(), 2u);
    // The floor is learnt from the first frame that is not digital silence, here the onset
    // itself, so detection waits for the speech to rise 12 dB above its first frame.
    EXPECT_LE(std::abs(events[0].sample - truth.start), ms_to_samples(50, rate));
    EXPECT_LE(std::abs(events[1].sample - truth.end), ms_to_samples(20, rate));
}

TEST(TurnDetector, WhiteNoiseAloneGivesNoEventAtAnyRate)
{
    for (const int rate : input_rates) {
        SCOPED_TRACE(rate);
        auto detector = make_detector(rate);
        const auto events = run_whole(detector, load(file_name("noise", rate), rate));
        EXPECT_TRUE(events.empty());
        EXPECT_FALSE(detector.in_speech());
    }
}

TEST(TurnDetector, RandomChunkSizesGiveTheSameEventsAsOneBlock)
{
    for (const int rate : {44100, 16000}) {
        SCOPED_TRACE(rate);
        const auto samples = load(file_name("turn", rate), rate);
        auto whole = make_detector(rate);
        const auto expected = run_whole(whole, samples);
        ASSERT_EQ(expected.size(), 2u);

        auto chunked = make_detector(rate);
        std::vector<turn_event> events;
        std::mt19937 rng(20240611);
        std::size_t pos = 0;
        while (pos < samples.size()) {
            const std::size_t n = std::min<std::size_t>(1 + rng() % 4000, samples.size() - pos);
            chunked.process(std::span<const float>(samples).subspan(pos, n), events);
            pos += n;
        }
        EXPECT_EQ(events, expected);
        EXPECT_EQ(chunked.position(), whole.position());
        EXPECT_EQ(chunked.level(), whole.level());
        EXPECT_EQ(chunked.noise_floor_db(), whole.noise_floor_db());
    }
}

TEST(TurnDetector, ThresholdOneDetectsNothingEvenInSpeech)
{
    const int rate = 24000;
    EXPECT_TRUE(run(rate, load(file_name("turn", rate), rate), {.threshold = 1.0f}).empty());
    EXPECT_TRUE(run(rate, load(file_name("turn_clean", rate), rate), {.threshold = 1.0f}).empty());
}

TEST(TurnDetector, PrefixPaddingIsReflectedInAudioStartAndClampedAtTheStreamStart)
{
    const int rate = 16000;
    const auto samples = load(file_name("turn", rate), rate);
    for (const int padding_ms : {0, 300, 1000}) {
        SCOPED_TRACE(padding_ms);
        const auto events = run(rate, samples, {.prefix_padding_ms = padding_ms});
        ASSERT_EQ(events.size(), 2u);
        EXPECT_EQ(events[0].audio_start_sample, events[0].sample - ms_to_samples(padding_ms, rate));
        EXPECT_EQ(events[1].audio_start_sample, events[0].audio_start_sample);
    }
    // Speech starts ~1.5 s in: a 5 s padding reaches back past the stream's start.
    const auto events = run(rate, samples, {.prefix_padding_ms = 5000});
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].audio_start_sample, 0);
}

TEST(TurnDetector, SilenceLongerThanTheTrailingSilenceEmitsNoStop)
{
    const int rate = 48000;
    auto detector = make_detector(rate, {.silence_duration_ms = 3000});
    const auto events = run_whole(detector, load(file_name("turn", rate), rate));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, turn_event_kind::speech_started);
    EXPECT_TRUE(detector.in_speech());
}

TEST(TurnDetector, StopIsEmittedSilenceDurationAfterTheLastVoicedFrame)
{
    // 150 ms is shorter than espeak's ~160-230 ms pauses between phrases, so it splits the
    // sentence into several turns; 500 ms and more keep it whole.
    const int rate = 24000;
    const auto samples = load(file_name("turn", rate), rate);
    for (const int silence_ms : {150, 500, 1000}) {
        SCOPED_TRACE(silence_ms);
        auto detector = make_detector(rate, {.silence_duration_ms = silence_ms});
        std::vector<turn_event> events;
        const auto frame = static_cast<std::size_t>(rate / 100);
        for (std::size_t pos = 0; pos < samples.size(); pos += frame) {
            const auto before = events.size();
            const auto n = std::min(frame, samples.size() - pos);
            detector.process(std::span<const float>(samples).subspan(pos, n), events);
            for (auto i = before; i < events.size(); ++i) {
                if (events[i].kind == turn_event_kind::speech_stopped) {
                    EXPECT_EQ(detector.position(),
                              events[i].sample + ms_to_samples(silence_ms, rate));
                }
            }
        }
        const auto stops = count(events, turn_event_kind::speech_stopped);
        EXPECT_EQ(count(events, turn_event_kind::speech_started), stops);
        if (silence_ms < 160) {
            EXPECT_GT(stops, 1u);
        } else {
            EXPECT_EQ(stops, 1u);
        }
    }
}

TEST(TurnDetector, InvalidConfigsAndRatesAreRejectedWithInvalidArgument)
{
    struct bad_case {
        int rate;
        turn_config config;
        std::string names;
    };
    const bad_case cases[] = {
        {24000, {.threshold = -0.1f}, "-0.1"},
        {24000, {.threshold = 1.5f}, "1.5"},
        {24000, {.threshold = std::numeric_limits<float>::quiet_NaN()}, "nan"},
        {24000, {.prefix_padding_ms = -1}, "-1"},
        {24000, {.silence_duration_ms = -20}, "-20"},
        {22050, {}, "22050"},
        {0, {}, "0"},
        {-16000, {}, "-16000"},
    };
    for (const auto& c : cases) {
        auto detector = turn_detector::create(c.rate, c.config);
        ASSERT_FALSE(detector.has_value()) << c.names;
        EXPECT_EQ(detector.error().code, errc::invalid_argument);
        EXPECT_NE(detector.error().message.find(c.names), std::string::npos)
            << detector.error().message;
    }
    for (const int rate : {8000, 16000, 24000, 44100, 48000})
        EXPECT_TRUE(turn_detector::create(rate).has_value()) << rate;
    EXPECT_TRUE(turn_detector::create(24000, {.threshold = 0.0f}).has_value());
    EXPECT_TRUE(turn_detector::create(
                    24000, {.threshold = 1.0f, .prefix_padding_ms = 0, .silence_duration_ms = 0})
                    .has_value());
}

TEST(TurnDetector, ReconfigureRejectsAnInvalidConfigAndKeepsTheOldOne)
{
    auto detector = make_detector(24000, {.threshold = 0.7f});
    const auto rejected = detector.reconfigure({.threshold = 2.0f});
    ASSERT_FALSE(rejected.has_value());
    EXPECT_EQ(rejected.error().code, errc::invalid_argument);
    EXPECT_EQ(detector.config().threshold, 0.7f);
}

TEST(TurnDetector, LevelIsHighDuringSpeechAndLowInNoise)
{
    const int rate = 24000;
    const auto truth = true_speech(load(file_name("turn_clean", rate), rate), rate);
    const auto samples = load(file_name("turn", rate), rate);
    auto detector = make_detector(rate);
    std::vector<turn_event> events;
    const auto frame = static_cast<std::size_t>(rate / 100);
    float max_noise_level = 0.0f;
    float max_speech_level = 0.0f;
    double speech_level_sum = 0.0;
    int speech_frames = 0;
    for (std::size_t pos = 0; pos + frame <= samples.size(); pos += frame) {
        detector.process(std::span<const float>(samples).subspan(pos, frame), events);
        const auto start = static_cast<std::int64_t>(pos);
        if (start + static_cast<std::int64_t>(frame) <= truth.start) {
            max_noise_level = std::max(max_noise_level, detector.level());
            EXPECT_NEAR(detector.level_db(), -38.8f, 2.0f) << "at " << samples_to_ms(start, rate);
            EXPECT_NEAR(detector.noise_floor_db(), -39.0f, 2.0f);
        } else if (start < truth.end) {
            max_speech_level = std::max(max_speech_level, detector.level());
            speech_level_sum += detector.level();
            ++speech_frames;
        }
    }
    EXPECT_LT(max_noise_level, 0.2f);
    EXPECT_GT(max_speech_level, 0.9f);
    EXPECT_GT(speech_level_sum / speech_frames, 0.5);
}

TEST(TurnDetector, LevelsReadSilenceBeforeTheFirstFrameAndForDigitalSilence)
{
    auto detector = make_detector(16000);
    EXPECT_EQ(detector.level(), 0.0f);
    EXPECT_EQ(detector.level_db(), -100.0f);
    std::vector<turn_event> events;
    const std::vector<float> zeros(1600, 0.0f);
    detector.process(zeros, events);
    EXPECT_EQ(detector.level(), 0.0f);
    EXPECT_EQ(detector.level_db(), -100.0f);
    EXPECT_EQ(detector.noise_floor_db(), -65.0f);
    EXPECT_TRUE(events.empty());
}

TEST(TurnDetector, NonFiniteSamplesCountAsSilence)
{
    auto detector = make_detector(16000);
    std::vector<turn_event> events;
    std::vector<float> bad(1600, std::numeric_limits<float>::quiet_NaN());
    bad[7] = std::numeric_limits<float>::infinity();
    detector.process(bad, events);
    EXPECT_EQ(detector.level_db(), -100.0f);
    const auto noise = white_noise(1600, 0.02f, 1);
    detector.process(noise, events);
    EXPECT_TRUE(std::isfinite(detector.level_db()));
    EXPECT_GT(detector.level_db(), -45.0f);
    EXPECT_TRUE(events.empty());
}

TEST(TurnDetector, ZerosFromAStartingMicrophoneDoNotMakeTheRoomNoiseSpeech)
{
    // Browsers deliver zeros until the device runs; the floor must be learnt from the room.
    const int rate = 24000;
    auto samples = std::vector<float>(static_cast<std::size_t>(rate / 2), 0.0f);
    const auto noise = load(file_name("noise", rate), rate);
    samples.insert(samples.end(), noise.begin(), noise.end());
    EXPECT_TRUE(run(rate, samples).empty());
}

TEST(TurnDetector, ReconfigureLowersTheThresholdLive)
{
    const int rate = 24000;
    const auto samples = load(file_name("turn", rate), rate);
    const std::span<const float> all(samples);
    const auto one_second = static_cast<std::size_t>(rate);
    auto detector = make_detector(rate, {.threshold = 1.0f});
    std::vector<turn_event> events;
    detector.process(all.first(one_second), events);
    ASSERT_TRUE(detector.reconfigure({.threshold = 0.5f}).has_value());
    detector.process(all.subspan(one_second), events);
    EXPECT_EQ(events, run(rate, samples));
}

TEST(TurnDetector, ReconfigureShorterSilenceEndsAnOverdueTurnAtTheNextFrame)
{
    const int rate = 24000;
    const auto samples = load(file_name("turn", rate), rate);
    const auto truth = true_speech(load(file_name("turn_clean", rate), rate), rate);
    const std::span<const float> all(samples);
    auto detector = make_detector(rate, {.silence_duration_ms = 3000});
    std::vector<turn_event> events;
    // One second after speech ended, still inside the 3 s silence window.
    const auto cut = static_cast<std::size_t>(truth.end + rate);
    detector.process(all.first(cut), events);
    ASSERT_EQ(events.size(), 1u);
    ASSERT_TRUE(detector.in_speech());

    ASSERT_TRUE(detector.reconfigure({.silence_duration_ms = 500}).has_value());
    detector.process(all.subspan(cut, static_cast<std::size_t>(rate / 100)), events);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].kind, turn_event_kind::speech_stopped);
    EXPECT_FALSE(detector.in_speech());
    EXPECT_EQ(events, run(rate, samples));
}

TEST(TurnDetector, ResetStartsANewStream)
{
    const int rate = 16000;
    const auto samples = load(file_name("turn", rate), rate);
    auto detector = make_detector(rate);
    const auto first = run_whole(detector, samples);
    detector.reset();
    EXPECT_EQ(detector.position(), 0);
    EXPECT_FALSE(detector.in_speech());
    EXPECT_EQ(run_whole(detector, samples), first);
}

TEST(TurnDetector, FloorDropsFastAfterALoudNoiseStart)
{
    // 2 s of loud noise (-25 dBFS RMS), then quiet noise (-45 dBFS) with speech 1.5 s later.
    const int rate = 24000;
    const auto speech = load(file_name("speech", rate), rate);
    const auto speech_truth = true_speech(speech, rate);
    const auto loud = 2 * static_cast<std::size_t>(rate);
    const auto offset = loud + static_cast<std::size_t>(rate) * 3 / 2;
    const auto samples = noise_step_with_speech(rate, 2.0, 0.097f, 0.0097f, offset, speech, 7);

    auto detector = make_detector(rate);
    std::vector<turn_event> events;
    const std::span<const float> all(samples);
    // Half a second after the noise dropped the floor has followed it down.
    const auto settled = loud + static_cast<std::size_t>(rate / 2);
    detector.process(all.first(settled), events);
    EXPECT_TRUE(events.empty());
    EXPECT_NEAR(detector.noise_floor_db(), -45.5f, 1.5f);
    detector.process(all.subspan(settled), events);

    expect_one_turn_near(events, speech_truth, offset, rate);
}

TEST(TurnDetector, FloorRisesToLouderNoiseWithoutAFalseTurn)
{
    // Noise steps up by 8 dB (-46 -> -38 dBFS RMS; below the 12 dB the default threshold asks
    // for): no event, the
    // floor climbs to the new level within 4 s, and speech on top is still found.
    const int rate = 16000;
    const auto speech = load(file_name("speech", rate), rate);
    const auto speech_truth = true_speech(speech, rate);
    const auto quiet = 2 * static_cast<std::size_t>(rate);
    const auto offset = quiet + 5 * static_cast<std::size_t>(rate);
    const auto samples = noise_step_with_speech(rate, 2.0, 0.00866f, 0.0217f, offset, speech, 11);

    auto detector = make_detector(rate);
    std::vector<turn_event> events;
    const std::span<const float> all(samples);
    detector.process(all.first(quiet), events);
    EXPECT_NEAR(detector.noise_floor_db(), -46.5f, 1.5f);
    const auto settled = quiet + 4 * static_cast<std::size_t>(rate);
    detector.process(all.subspan(quiet, settled - quiet), events);
    EXPECT_TRUE(events.empty());
    EXPECT_NEAR(detector.noise_floor_db(), -38.5f, 1.5f);
    detector.process(all.subspan(settled), events);

    expect_one_turn_near(events, speech_truth, offset, rate);
}

TEST(TurnDetector, ALargeStepInStationaryNoiseCannotHoldSpeechForever)
{
    // Noise jumps by 20 dB (-51 -> -31 dBFS RMS): that reads as speech at first, but the floor's freeze during
    // speech is bounded, so it catches up and the false turn ends.
    const int rate = 16000;
    auto samples = white_noise(14 * static_cast<std::size_t>(rate), 0.05f, 21);
    const auto before = white_noise(2 * static_cast<std::size_t>(rate), 0.005f, 22);
    std::copy(before.begin(), before.end(), samples.begin());
    auto detector = make_detector(rate);
    const auto events = run_whole(detector, samples);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].kind, turn_event_kind::speech_stopped);
    EXPECT_FALSE(detector.in_speech());
    EXPECT_NEAR(detector.noise_floor_db(), -31.3f, 1.5f);
}

TEST(TurnDetector, EventKindsHaveWireNames)
{
    EXPECT_STREQ(to_string(turn_event_kind::speech_started), "speech_started");
    EXPECT_STREQ(to_string(turn_event_kind::speech_stopped), "speech_stopped");
}

} // namespace
} // namespace donna
