#include "audio/resampler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

namespace donna {
namespace {

using std::numbers::pi;
constexpr int rates[] = {48000, 44100, 24000, 16000};

// Linear chirp from f0 to f1 over `seconds`; phase is analytic so it can be evaluated at
// any (fractional) time to build the ideal output.
struct chirp {
    double f0, f1, seconds, amplitude;
    double at(double t) const
    {
        const double k = (f1 - f0) / seconds;
        return amplitude * std::sin(2.0 * pi * (f0 * t + 0.5 * k * t * t));
    }
};

std::vector<float> render(const chirp& c, int rate)
{
    std::vector<float> x(static_cast<std::size_t>(c.seconds * rate));
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(c.at(static_cast<double>(i) / rate));
    return x;
}

std::vector<float> tone(double freq, double seconds, int rate, double amplitude = 0.5)
{
    std::vector<float> x(static_cast<std::size_t>(seconds * rate));
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(amplitude *
                                  std::sin(2.0 * pi * freq * static_cast<double>(i) / rate));
    return x;
}

double rms(std::span<const float> x)
{
    double sum = 0;
    for (float v : x)
        sum += double{v} * v;
    return std::sqrt(sum / static_cast<double>(x.size()));
}

TEST(Resampler, SweepThroughPassbandKeepsSnrAbove60dBForEveryRatePair)
{
    for (int in : rates) {
        for (int out : rates) {
            if (in == out)
                continue;
            auto r = resampler::create(in, out);
            ASSERT_TRUE(r) << r.error().message;
            const double nyquist = 0.5 * std::min(in, out);
            const chirp sweep{50.0, 0.85 * nyquist, 1.0, 0.5};
            std::vector<float> y;
            r->process(render(sweep, in), y);

            // Compare with the ideal chirp at the output rate, shifted by the filter delay;
            // skip the filter's start-up and the end where input runs out.
            const auto margin =
                static_cast<std::size_t>(std::ceil(2 * r->delay_seconds() * out)) + 4;
            ASSERT_GT(y.size(), 2 * margin);
            double signal = 0, noise = 0;
            for (std::size_t n = margin; n + margin < y.size(); ++n) {
                const double t = static_cast<double>(n) / out - r->delay_seconds();
                const double ideal = sweep.at(t);
                signal += ideal * ideal;
                noise += (y[n] - ideal) * (y[n] - ideal);
            }
            const double snr = 10 * std::log10(signal / noise);
            EXPECT_GT(snr, 60.0) << in << " -> " << out;
        }
    }
}

TEST(Resampler, ToneAboveTheNewNyquistDoesNotAlias)
{
    for (int in : rates) {
        for (int out : rates) {
            if (out >= in)
                continue;
            // 10% above the new Nyquist: a decimator without a proper filter would fold
            // this to 90% of Nyquist at nearly full level.
            const double freq = 0.55 * out;
            auto r = resampler::create(in, out);
            ASSERT_TRUE(r);
            const auto x = tone(freq, 0.5, in);
            std::vector<float> y;
            r->process(x, y);
            const auto skip = static_cast<std::size_t>(std::ceil(2 * r->delay_seconds() * out));
            const double attenuation_db = 20 * std::log10(rms(std::span(y).subspan(skip)) / rms(x));
            EXPECT_LT(attenuation_db, -60.0) << in << " -> " << out << " tone " << freq << " Hz";
        }
    }
}

TEST(Resampler, ChunkedStreamEqualsOneShot)
{
    auto whole = resampler::create(44100, 24000);
    auto chunked = resampler::create(44100, 24000);
    ASSERT_TRUE(whole && chunked);
    const auto x = tone(440.0, 0.7, 44100);
    std::vector<float> a, b;
    whole->process(x, a);
    std::mt19937 rng(7);
    std::size_t pos = 0;
    while (pos < x.size()) {
        const std::size_t n = std::min<std::size_t>(x.size() - pos, rng() % 1500);
        chunked->process(std::span(x).subspan(pos, n), b);
        pos += n;
    }
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        ASSERT_EQ(a[i], b[i]) << "sample " << i;
}

TEST(Resampler, OutputLengthFollowsTheRateRatio)
{
    for (int in : rates) {
        for (int out : rates) {
            auto r = resampler::create(in, out);
            ASSERT_TRUE(r);
            std::vector<float> y;
            r->process(std::vector<float>(static_cast<std::size_t>(in), 0.1f), y);
            EXPECT_NEAR(static_cast<double>(y.size()), out, 1.0) << in << " -> " << out;
        }
    }
}

TEST(Resampler, FlushEmitsTheTailStillInTheFilter)
{
    auto r = resampler::create(48000, 24000);
    ASSERT_TRUE(r);
    const auto x = tone(1000.0, 0.1, 48000);
    std::vector<float> y;
    r->process(x, y);
    const std::size_t before = y.size();
    r->flush(y);
    EXPECT_GE(y.size() - before, static_cast<std::size_t>(r->delay_seconds() * 24000));
    // After flush a new stream starts: silence in, silence out.
    std::vector<float> z;
    r->process(std::vector<float>(480, 0.0f), z);
    for (float v : z)
        EXPECT_EQ(v, 0.0f);
}

TEST(Resampler, SameRateIsExactPassThrough)
{
    auto r = resampler::create(24000, 24000);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->delay_seconds(), 0.0);
    const auto x = tone(300.0, 0.2, 24000);
    std::vector<float> y;
    r->process(x, y);
    EXPECT_EQ(y, x);
}

TEST(Resampler, RejectsInvalidRates)
{
    auto zero = resampler::create(0, 24000);
    ASSERT_FALSE(zero);
    EXPECT_EQ(zero.error().code, errc::invalid_argument);
    EXPECT_NE(zero.error().message.find("positive"), std::string::npos);
    auto negative = resampler::create(48000, -1);
    EXPECT_FALSE(negative);
    auto awkward = resampler::create(48000, 44099); // 44099 branches
    ASSERT_FALSE(awkward);
    EXPECT_NE(awkward.error().message.find("branches"), std::string::npos);
}

} // namespace
} // namespace donna
