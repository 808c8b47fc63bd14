// The logger: line format, levels, and that no secret reaches the stream.
#include "log/log.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <thread>
#include <vector>

namespace donna::relay {
namespace {

// The message part of the only line written (after "<timestamp> <level> ").
std::string logged(logger& log, std::ostringstream& out, std::string_view message)
{
    out.str("");
    log.info("test", message);
    const std::string line = out.str();
    const auto colon = line.find("test: ");
    if (colon == std::string::npos || line.back() != '\n')
        return "<malformed line: " + line + ">";
    return line.substr(colon + 6, line.size() - colon - 7);
}

TEST(Logger, WritesOneUtcLinePerMessage)
{
    std::ostringstream out;
    logger log(out);
    log.info("relay", "listening on 127.0.0.1:8080");
    log.error("upstream", "closed");
    const std::regex line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info |error) \w+: .*)");
    std::istringstream lines(out.str());
    std::string first;
    std::string second;
    ASSERT_TRUE(std::getline(lines, first));
    ASSERT_TRUE(std::getline(lines, second));
    EXPECT_TRUE(std::regex_match(first, line)) << first;
    EXPECT_TRUE(std::regex_match(second, line)) << second;
    EXPECT_TRUE(first.ends_with(" info  relay: listening on 127.0.0.1:8080")) << first;
    EXPECT_TRUE(second.ends_with(" error upstream: closed")) << second;
}

TEST(Logger, DropsLevelsBelowTheMinimum)
{
    std::ostringstream out;
    logger log(out, log_level::warn);
    log.debug("a", "debug");
    log.info("a", "info");
    log.warn("a", "warn");
    EXPECT_EQ(out.str().find("debug"), std::string::npos);
    EXPECT_EQ(out.str().find("a: info"), std::string::npos);
    EXPECT_NE(out.str().find(" warn  a: warn\n"), std::string::npos) << out.str();
}

TEST(Logger, EscapesNewlinesSoAMessageCannotForgeALine)
{
    std::ostringstream out;
    logger log(out);
    EXPECT_EQ(logged(log, out, "a\nfake info relay: b\r\tc\x01"),
              "a\\nfake info relay: b\\r\\tc\\x01");
}

TEST(Logger, RedactsBearerTokens)
{
    std::ostringstream out;
    logger log(out);
    EXPECT_EQ(logged(log, out, "Authorization: Bearer eyJhbGci.eyJzdWIi.c2ln== sent"),
              "Authorization: Bearer [redacted] sent");
    EXPECT_EQ(logged(log, out, "bearer  abc"), "bearer  [redacted]");
}

TEST(Logger, RedactsOpenAiKeys)
{
    std::ostringstream out;
    logger log(out);
    EXPECT_EQ(logged(log, out, "key=(" + std::string("sk-") + "proj-AbCdEf0123456789_xyz) bad"),
              "key=(sk-[redacted]) bad");
    EXPECT_EQ(logged(log, out, "uses sk-learn and task-0123456789abcdef"),
              "uses sk-learn and task-0123456789abcdef");
}

TEST(Logger, RedactsElevenLabsKeyHeaders)
{
    std::ostringstream out;
    logger log(out);
    EXPECT_EQ(logged(log, out, "xi-api-key: 0123456789abcdef0123456789abcdef, next"),
              "xi-api-key: [redacted], next");
    EXPECT_EQ(logged(log, out, R"({"XI-API-KEY":"abc def"})"), R"({"XI-API-KEY":"[redacted]"})");
}

TEST(Logger, RedactsTheBrowserSubprotocolKey)
{
    std::ostringstream out;
    logger log(out);
    EXPECT_EQ(logged(log, out, "protocols: realtime, openai-insecure-api-key.ek_abc123, x"),
              "protocols: realtime, openai-insecure-api-key.[redacted], x");
}

TEST(Logger, RedactsSessionTokens)
{
    std::ostringstream out;
    logger log(out);
    EXPECT_EQ(logged(log, out, "token dt1.eyJzaXRlIjoiYWNtZSJ9.c2lnbmF0dXJl rejected"),
              "token dt1.[redacted] rejected");
}

TEST(Logger, RedactsPasswords)
{
    std::ostringstream out;
    logger log(out);
    EXPECT_EQ(logged(log, out, "db?user=a&password=hunter2&x=1"),
              "db?user=a&password=[redacted]&x=1");
    EXPECT_EQ(logged(log, out, "Password: 'two words'"), "Password: '[redacted]'");
}

TEST(Logger, RedactsRegisteredSecretsEvenInsideLongerWords)
{
    std::ostringstream out;
    logger log(out);
    log.set_secrets({"s3cr3t-v4lue", "short"});
    EXPECT_EQ(logged(log, out, "prefixs3cr3t-v4luesuffix and s3cr3t-v4lue"),
              "prefix[redacted]suffix and [redacted]");
    EXPECT_EQ(logged(log, out, "a short word"), "a short word") << "values under 8 are ignored";
}

TEST(Logger, RegisteringSecretsAgainReplacesTheSet)
{
    std::ostringstream out;
    logger log(out);
    log.set_secrets({"old-key-123456"});
    log.set_secrets({"new-key-654321"});
    EXPECT_EQ(logged(log, out, "old-key-123456 new-key-654321"), "old-key-123456 [redacted]");
}

TEST(Logger, ALongerSecretIsRedactedWholeWhenItContainsAShorterOne)
{
    std::ostringstream out;
    logger log(out);
    log.set_secrets({"abcdefgh", "abcdefgh-ijklmnop"});
    EXPECT_EQ(logged(log, out, "abcdefgh-ijklmnop"), "[redacted]");
}

TEST(Logger, LinesFromManyThreadsNeverInterleave)
{
    std::ostringstream out;
    logger log(out);
    constexpr int threads = 4;
    constexpr int lines_each = 200;
    {
        std::vector<std::jthread> writers;
        writers.reserve(threads);
        for (int t = 0; t < threads; ++t)
            writers.emplace_back([&log, t] {
                for (int i = 0; i < lines_each; ++i)
                    log.info("t" + std::to_string(t), std::string(100, static_cast<char>('a' + t)));
            });
    }
    std::istringstream lines(out.str());
    const std::regex line(R"(\S+ info  t(\d): (a{100}|b{100}|c{100}|d{100}))");
    int count = 0;
    for (std::string l; std::getline(lines, l); ++count)
        ASSERT_TRUE(std::regex_match(l, line)) << l;
    EXPECT_EQ(count, threads * lines_each);
}

} // namespace
} // namespace donna::relay
