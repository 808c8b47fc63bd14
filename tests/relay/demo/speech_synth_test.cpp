#include "demo/speech_synth.hpp"

#include "wav_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace donna::relay {
namespace {

double seconds(const std::vector<std::int16_t>& pcm)
{
    return static_cast<double>(pcm.size()) / speech_synth::sample_rate;
}

using donna::test::peak;

double rms(const std::vector<std::int16_t>& pcm)
{
    double sum = 0;
    for (std::int16_t s : pcm)
        sum += static_cast<double>(s) * s;
    return pcm.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(pcm.size()));
}

TEST(SpeechSynth, ShortSentenceIsNonSilentSpeechOfPlausibleDuration)
{
    auto synth = speech_synth::create();
    ASSERT_TRUE(synth) << synth.error().message;
    auto pcm = synth->synthesize("Hello, this is DONNA.");
    ASSERT_TRUE(pcm) << pcm.error().message;
    EXPECT_GT(seconds(*pcm), 0.5);
    EXPECT_LT(seconds(*pcm), 5.0);
    EXPECT_GT(peak(*pcm), 3000); // about -20 dBFS: speech, not dither
    EXPECT_GT(rms(*pcm), 300.0); // energy throughout, not one click
}

TEST(SpeechSynth, LongerTextGivesLongerAudio)
{
    auto synth = speech_synth::create();
    ASSERT_TRUE(synth) << synth.error().message;
    auto short_pcm = synth->synthesize("Hello.");
    auto long_pcm = synth->synthesize("Hello. This sentence has quite a few more words in it.");
    ASSERT_TRUE(short_pcm && long_pcm);
    EXPECT_GT(seconds(*long_pcm), seconds(*short_pcm) + 1.0);
}

TEST(SpeechSynth, UnknownVoiceIsInvalidArgument)
{
    auto synth = speech_synth::create("no-such-voice-xyz");
    ASSERT_FALSE(synth);
    EXPECT_EQ(synth.error().code, errc::invalid_argument);
    EXPECT_NE(synth.error().message.find("no-such-voice-xyz"), std::string::npos);
}

TEST(SpeechSynth, EmptyTextIsInvalidArgument)
{
    auto synth = speech_synth::create();
    ASSERT_TRUE(synth) << synth.error().message;
    auto pcm = synth->synthesize("");
    ASSERT_FALSE(pcm);
    EXPECT_EQ(pcm.error().code, errc::invalid_argument);
}

TEST(SpeechSynth, TextOverTheLimitIsPayloadTooLarge)
{
    auto synth = speech_synth::create();
    ASSERT_TRUE(synth) << synth.error().message;
    auto pcm = synth->synthesize(std::string(speech_synth::max_text_bytes + 1, 'a'));
    ASSERT_FALSE(pcm);
    EXPECT_EQ(pcm.error().code, errc::payload_too_large);
}

// espeak-ng is process-global: two synthesisers with different voices on two threads must
// each get their own complete speech (the global lock serialises them).
TEST(SpeechSynth, TwoVoicesOnTwoThreadsBothGetSpeech)
{
    auto english = speech_synth::create("en-us");
    auto german = speech_synth::create("de");
    ASSERT_TRUE(english) << english.error().message;
    ASSERT_TRUE(german) << german.error().message;
    std::vector<std::int16_t> a;
    std::vector<std::int16_t> b;
    std::thread first([&] {
        for (int i = 0; i < 3; ++i)
            if (auto pcm = english->synthesize("One two three four five."))
                a = std::move(*pcm);
    });
    std::thread second([&] {
        for (int i = 0; i < 3; ++i)
            if (auto pcm = german->synthesize("Eins zwei drei vier fuenf."))
                b = std::move(*pcm);
    });
    first.join();
    second.join();
    EXPECT_GT(seconds(a), 1.0);
    EXPECT_GT(seconds(b), 1.0);
    EXPECT_GT(peak(a), 3000);
    EXPECT_GT(peak(b), 3000);
}

} // namespace
} // namespace donna::relay
