// The phone codecs (relay/audio/phone_codec) and one call's audio bridge
// (relay/audio/phone_audio_bridge): each encoding carries a tone through at the level and
// pitch it went in with, L16 is big-endian, the bridge frames DONNA's audio in whole 20 ms
// packets of the call's codec, and a lost frame is concealed; a G.711 call passed straight
// through (DONNA_PHONE_AUDIO=g711) keeps every byte both ways.
#include "audio/pcm16.hpp"
#include "audio/phone_audio_bridge.hpp"
#include "audio/phone_codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace donna::relay {
namespace {

constexpr double two_pi = 6.28318530717958647692;

std::vector<std::int16_t> phone_tone(int rate, double hz, double seconds, double level = 8000)
{
    const auto n = static_cast<std::size_t>(rate * seconds);
    std::vector<std::int16_t> out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::int16_t>(level *
                                           std::sin(two_pi * hz * static_cast<double>(i) / rate));
    return out;
}

double rms_of(std::span<const std::int16_t> x)
{
    double sum = 0;
    for (const auto v : x)
        sum += static_cast<double>(v) * v;
    return x.empty() ? 0 : std::sqrt(sum / static_cast<double>(x.size()));
}

// The tone's pitch from its upward zero crossings.
double pitch_of(std::span<const std::int16_t> x, int rate)
{
    int crossings = 0;
    for (std::size_t i = 1; i < x.size(); ++i)
        if (x[i - 1] < 0 && x[i] >= 0)
            ++crossings;
    return crossings * static_cast<double>(rate) / static_cast<double>(x.size());
}

// Encodes and decodes a 1 kHz tone; the middle of what comes back (past any codec delay).
std::vector<std::int16_t> through(const phone_audio_format& format)
{
    auto encoder = phone_encoder::create(format);
    auto decoder = phone_decoder::create(format);
    EXPECT_TRUE(encoder && decoder);
    const auto tone = phone_tone(format.sample_rate, 1000, 0.5);
    std::vector<std::uint8_t> bytes;
    encoder->encode(tone, bytes);
    EXPECT_EQ(bytes.size(), phone_bytes_per(format, 500));
    std::vector<std::int16_t> back;
    decoder->decode(bytes, back);
    EXPECT_EQ(back.size(), tone.size());
    return {back.begin() + static_cast<std::ptrdiff_t>(back.size() / 4),
            back.end() - static_cast<std::ptrdiff_t>(back.size() / 4)};
}

TEST(PhoneCodec, EachEncodingCarriesAToneAtItsLevelAndPitch)
{
    const double level = 8000 / std::sqrt(2.0);
    for (const auto& [name, rate] : std::vector<std::pair<const char*, int>>{
             {"PCMU", 8000}, {"PCMA", 8000}, {"L16", 8000}, {"L16", 16000}, {"G722", 8000}}) {
        const auto format = phone_audio_format_of(name, rate);
        ASSERT_TRUE(format) << name;
        const auto back = through(*format);
        EXPECT_NEAR(rms_of(back), level, level * 0.1) << name << " " << rate;
        EXPECT_NEAR(pitch_of(back, format->sample_rate), 1000, 20) << name << " " << rate;
    }
}

TEST(PhoneCodec, L16IsBigEndianAndAnOddPayloadKeepsItsLastByteForTheNext)
{
    auto format = phone_audio_format_of("L16", 16000);
    ASSERT_TRUE(format);
    auto encoder = phone_encoder::create(*format);
    ASSERT_TRUE(encoder);
    std::vector<std::uint8_t> bytes;
    const std::vector<std::int16_t> samples{0x1234, -2};
    encoder->encode(samples, bytes);
    EXPECT_EQ(bytes, (std::vector<std::uint8_t>{0x12, 0x34, 0xFF, 0xFE}));

    auto decoder = phone_decoder::create(*format);
    ASSERT_TRUE(decoder);
    std::vector<std::int16_t> out;
    const std::vector<std::uint8_t> first{0x12, 0x34, 0xFF};
    const std::vector<std::uint8_t> second{0xFE};
    decoder->decode(first, out);
    EXPECT_EQ(out, (std::vector<std::int16_t>{0x1234}));
    decoder->decode(second, out);
    EXPECT_EQ(out, (std::vector<std::int16_t>{0x1234, -2}));
}

TEST(PhoneCodec, G722IsSixteenKilohertzAudioWhateverItsRtpClockSays)
{
    const auto format = phone_audio_format_of("G722", 8000);
    ASSERT_TRUE(format);
    EXPECT_EQ(format->sample_rate, 16000);
    EXPECT_EQ(phone_bytes_per(*format, 20), 160u);
    EXPECT_EQ(phone_encoding_name(format->encoding), "G722");
}

TEST(PhoneCodec, AnEncodingOrRateItCannotCarryIsRefusedNamingWhatItTakes)
{
    for (const auto& [name, rate] : std::vector<std::pair<const char*, int>>{
             {"OPUS", 48000}, {"AMR-WB", 16000}, {"PCMU", 16000}, {"L16", 48000}, {"", 8000}}) {
        const auto format = phone_audio_format_of(name, rate);
        ASSERT_FALSE(format) << name;
        EXPECT_EQ(format.error().code, errc::invalid_argument);
        EXPECT_NE(format.error().message.find("PCMU or PCMA at 8000 Hz"), std::string::npos);
    }
}

// A caller's tone at 8 kHz through the bridge in 20 ms packets, as a call sends them: the
// session's audio, whole (`keep_last`: only the last packet's).
std::vector<std::int16_t> call_in_packets(phone_audio_bridge& bridge,
                                          const phone_audio_format& format, double seconds,
                                          bool keep_last = false)
{
    auto encoder = phone_encoder::create(format);
    const auto tone = phone_tone(8000, 440, seconds);
    std::vector<std::uint8_t> session;
    for (std::size_t at = 0; at < tone.size(); at += 160) {
        std::vector<std::uint8_t> packet;
        encoder->encode(std::span(tone).subspan(at, 160), packet);
        if (keep_last)
            session.clear();
        bridge.from_caller(packet, session);
    }
    return pcm16_from_bytes(session);
}

std::vector<std::uint8_t> conceal(phone_audio_bridge& bridge)
{
    std::vector<std::uint8_t> bytes;
    bridge.conceal_frame(bytes);
    return bytes;
}

TEST(PhoneAudioBridge, TheCallersAudioReachesTheSessionAt24kHzWithItsDurationLevelAndPitch)
{
    const auto pcmu = phone_audio_format_of("PCMU", 8000);
    auto bridge = phone_audio_bridge::create(*pcmu, *pcmu);
    ASSERT_TRUE(bridge);
    const auto session = call_in_packets(*bridge, *pcmu, 1.0);
    // One second at 24 kHz, less what the resampler's filter still holds (a few ms).
    EXPECT_NEAR(static_cast<double>(session.size()), 24000, 24000 * 0.01);
    const std::span middle(session.data() + 4000, 16000);
    EXPECT_NEAR(rms_of(middle), 8000 / std::sqrt(2.0), 8000 * 0.1);
    EXPECT_NEAR(pitch_of(middle, 24000), 440, 10);
}

TEST(PhoneAudioBridge, DonnasAudioGoesToTheCallerInWhole20msFramesOfTheCallsCodec)
{
    const auto caller = phone_audio_format_of("PCMU", 8000);
    const auto wideband = phone_audio_format_of("L16", 16000);
    auto bridge = phone_audio_bridge::create(*caller, *wideband);
    ASSERT_TRUE(bridge);
    const auto reply = phone_tone(24000, 440, 0.51); // 510 ms: 25 frames and a half
    bridge->to_caller(pcm16_to_bytes(reply));
    std::vector<std::uint8_t> frame;
    std::vector<std::int16_t> heard;
    auto decoder = phone_decoder::create(*wideband);
    int frames = 0;
    while (bridge->next_frame(frame)) {
        EXPECT_EQ(frame.size(), 640u); // 20 ms of 16 kHz L16
        decoder->decode(frame, heard);
        ++frames;
    }
    EXPECT_LE(frames, 25);
    bridge->finish(); // the reply's end: its tail goes out, padded to a whole frame
    while (bridge->next_frame(frame)) {
        EXPECT_EQ(frame.size(), 640u);
        decoder->decode(frame, heard);
        ++frames;
    }
    EXPECT_EQ(frames, 26);
    EXPECT_EQ(bridge->queued_ms(), 0u);
    const std::span middle(heard.data() + 1600, 4800);
    EXPECT_NEAR(rms_of(middle), 8000 / std::sqrt(2.0), 8000 * 0.1);
    EXPECT_NEAR(pitch_of(middle, 16000), 440, 10);
}

TEST(PhoneAudioBridge, ClearDropsEverythingQueuedForTheCaller)
{
    const auto pcma = phone_audio_format_of("PCMA", 8000);
    auto bridge = phone_audio_bridge::create(*pcma, *pcma);
    ASSERT_TRUE(bridge);
    bridge->to_caller(pcm16_to_bytes(phone_tone(24000, 440, 1.0)));
    EXPECT_GE(bridge->queued_ms(), 980u);
    bridge->clear();
    EXPECT_EQ(bridge->queued_ms(), 0u);
    std::vector<std::uint8_t> frame;
    EXPECT_FALSE(bridge->next_frame(frame));
}

TEST(PhoneAudioBridge, ALostFrameIsTheLastOneAtHalfLevelThenSilence)
{
    const auto l16 = phone_audio_format_of("L16", 8000);
    auto bridge = phone_audio_bridge::create(*l16, *l16);
    ASSERT_TRUE(bridge);
    const auto last = call_in_packets(*bridge, *l16, 0.2, true);
    ASSERT_EQ(last.size(), 480u);
    const auto concealed = pcm16_from_bytes(conceal(*bridge));
    ASSERT_EQ(concealed.size(), 480u);
    EXPECT_NEAR(rms_of(concealed), rms_of(last) / 2, 2);
    const auto second = pcm16_from_bytes(conceal(*bridge));
    ASSERT_EQ(second.size(), 480u);
    EXPECT_EQ(rms_of(second), 0);
}

// ------------------------------------------------------------ G.711 straight through

TEST(PhoneAudioBridge, AG711CallPassesTheCallersBytesToTheSessionUnchanged)
{
    const auto pcmu = phone_audio_format_of("PCMU", 8000);
    auto bridge = phone_audio_bridge::create(*pcmu, *pcmu, phone_audio_mode::g711);
    ASSERT_TRUE(bridge);
    EXPECT_EQ(bridge->session_format(), session_audio::pcmu);
    EXPECT_EQ(realtime_format_type(bridge->session_format()), "audio/pcmu");
    EXPECT_EQ(session_bytes_per_ms(bridge->session_format()), 8u);
    std::vector<std::uint8_t> sent;
    std::vector<std::uint8_t> session;
    auto encoder = phone_encoder::create(*pcmu);
    const auto tone = phone_tone(8000, 440, 0.2);
    for (std::size_t at = 0; at < tone.size(); at += 160) {
        std::vector<std::uint8_t> packet;
        encoder->encode(std::span(tone).subspan(at, 160), packet);
        sent.insert(sent.end(), packet.begin(), packet.end());
        bridge->from_caller(packet, session);
    }
    EXPECT_EQ(session, sent);
}

TEST(PhoneAudioBridge, AG711SessionsAudioReachesTheCallerUnchangedIn160ByteFramesPaddedWithSilence)
{
    const auto pcma = phone_audio_format_of("PCMA", 8000);
    auto bridge = phone_audio_bridge::create(*pcma, *pcma, phone_audio_mode::g711);
    ASSERT_TRUE(bridge);
    EXPECT_EQ(bridge->session_format(), session_audio::pcma);
    std::vector<std::uint8_t> reply(3 * 160 + 50);
    for (std::size_t i = 0; i < reply.size(); ++i)
        reply[i] = static_cast<std::uint8_t>(i * 7 + 3);
    // In deltas that do not line up with frames, as the API's do not.
    bridge->to_caller(std::span(reply).first(100));
    bridge->to_caller(std::span(reply).subspan(100));
    EXPECT_EQ(bridge->queued_ms(), 66u);
    std::vector<std::uint8_t> heard, frame;
    while (bridge->next_frame(frame)) {
        EXPECT_EQ(frame.size(), 160u);
        heard.insert(heard.end(), frame.begin(), frame.end());
    }
    EXPECT_EQ(heard.size(), 480u);
    bridge->finish();
    ASSERT_TRUE(bridge->next_frame(frame));
    heard.insert(heard.end(), frame.begin(), frame.end());
    EXPECT_FALSE(bridge->next_frame(frame));
    ASSERT_EQ(heard.size(), 640u);
    EXPECT_TRUE(std::equal(reply.begin(), reply.end(), heard.begin()));
    // A-law's silence (0 encoded is 0xD5) after the reply's last byte.
    EXPECT_TRUE(std::all_of(heard.begin() + 530, heard.end(), [](auto b) { return b == 0xD5; }));
}

TEST(PhoneAudioBridge, OnlyG711PassesThroughAWidebandCallIsStillConverted)
{
    const auto l16 = phone_audio_format_of("L16", 16000);
    auto bridge = phone_audio_bridge::create(*l16, *l16, phone_audio_mode::g711);
    ASSERT_TRUE(bridge);
    EXPECT_EQ(bridge->session_format(), session_audio::pcm24k);
    const auto pcmu = phone_audio_format_of("PCMU", 8000);
    auto converting = phone_audio_bridge::create(*pcmu, *pcmu);
    ASSERT_TRUE(converting);
    EXPECT_EQ(converting->session_format(), session_audio::pcm24k);
    EXPECT_EQ(realtime_format_type(converting->session_format()), "audio/pcm");
}

TEST(PhoneAudioBridge, APassedThroughCallsLostFrameIsTheLastOneAtHalfLevelThenSilence)
{
    const auto pcmu = phone_audio_format_of("PCMU", 8000);
    auto bridge = phone_audio_bridge::create(*pcmu, *pcmu, phone_audio_mode::g711);
    ASSERT_TRUE(bridge);
    auto codec = phone_decoder::create(*pcmu);
    std::vector<std::uint8_t> session;
    auto encoder = phone_encoder::create(*pcmu);
    const auto tone = phone_tone(8000, 440, 0.02);
    std::vector<std::uint8_t> packet;
    encoder->encode(tone, packet);
    bridge->from_caller(packet, session);
    std::vector<std::int16_t> last, concealed, second;
    codec->decode(packet, last);
    codec->decode(conceal(*bridge), concealed);
    ASSERT_EQ(concealed.size(), 160u);
    EXPECT_NEAR(rms_of(concealed), rms_of(last) / 2, rms_of(last) * 0.05);
    const auto silent = conceal(*bridge);
    ASSERT_EQ(silent.size(), 160u);
    codec->decode(silent, second);
    EXPECT_EQ(rms_of(second), 0);
}

TEST(PhoneAudioBridge, TheRelaysOwnWordsReachAPassedThroughCallInItsCodec)
{
    const auto pcmu = phone_audio_format_of("PCMU", 8000);
    auto bridge = phone_audio_bridge::create(*pcmu, *pcmu, phone_audio_mode::g711);
    ASSERT_TRUE(bridge);
    bridge->speak(phone_tone(24000, 440, 0.5)); // espeak's lines are 24 kHz PCM16
    bridge->finish();
    auto decoder = phone_decoder::create(*pcmu);
    std::vector<std::uint8_t> frame;
    std::vector<std::int16_t> heard;
    while (bridge->next_frame(frame)) {
        EXPECT_EQ(frame.size(), 160u);
        decoder->decode(frame, heard);
    }
    // 500 ms at 8 kHz and the resampler's filter tail, in whole frames.
    EXPECT_EQ(heard.size() % 160, 0u);
    EXPECT_GE(heard.size(), 4000u);
    EXPECT_LE(heard.size(), 4160u);
    const std::span middle(heard.data() + 800, 2400);
    EXPECT_NEAR(rms_of(middle), 8000 / std::sqrt(2.0), 8000 * 0.1);
    EXPECT_NEAR(pitch_of(middle, 8000), 440, 10);
}

} // namespace
} // namespace donna::relay
