// .env parsing: every value form, and errors that name the line but never the value.
#include "config/dotenv.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace donna::relay {
namespace {

env_map parse_ok(std::string_view text)
{
    auto env = parse_dotenv(text);
    EXPECT_TRUE(env) << env.error().message;
    return env ? *env : env_map{};
}

TEST(Dotenv, ReadsPlainPairsSkippingBlankLinesAndComments)
{
    const auto env = parse_ok("# keys\n\nA=1\n  B = two words  \r\n   # indented comment\nC=\n");
    EXPECT_EQ(env, (env_map{{"A", "1"}, {"B", "two words"}, {"C", ""}}));
}

TEST(Dotenv, AcceptsTheExportPrefix)
{
    EXPECT_EQ(parse_ok("export OPENAI_API_KEY=sk-abc\n"), (env_map{{"OPENAI_API_KEY", "sk-abc"}}));
    EXPECT_EQ(parse_ok("exporter=1"), (env_map{{"exporter", "1"}}));
}

TEST(Dotenv, StripsInlineCommentsOnlyAfterWhitespace)
{
    EXPECT_EQ(parse_ok("A=value # note\nB=a#b\nC=#x\nD= # only a comment"),
              (env_map{{"A", "value"}, {"B", "a#b"}, {"C", "#x"}, {"D", ""}}));
}

TEST(Dotenv, SingleQuotedValuesAreLiteral)
{
    EXPECT_EQ(parse_ok(R"(A='  x # y \n "z" '  # comment)"),
              (env_map{{"A", R"(  x # y \n "z" )"}}));
}

TEST(Dotenv, DoubleQuotedValuesUnescapeNewlineQuoteAndBackslash)
{
    EXPECT_EQ(parse_ok(R"(A="line1\nline2 \"q\" back\\slash # kept")"),
              (env_map{{"A", "line1\nline2 \"q\" back\\slash # kept"}}));
}

TEST(Dotenv, ALaterLineOverridesAnEarlierOne)
{
    EXPECT_EQ(parse_ok("A=1\nA=2"), (env_map{{"A", "2"}}));
}

TEST(Dotenv, ErrorsNameTheLineAndWhatIsWrong)
{
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"A=1\n\nsk-secretvalue\n", "line 3: expected KEY=VALUE"},
        {"=1", "line 1: expected KEY=VALUE (the key is empty)"},
        {"1A=x", "line 1: invalid key"},
        {"MY-KEY=x", "line 1: invalid key"},
        {"A='unterminated", "line 1: unterminated single-quoted value"},
        {"A=\"unterminated", "line 1: unterminated double-quoted value"},
        {"A=\"x\" trailing", "line 1: unexpected text after the closing quote"},
        {"A='x' trailing", "line 1: unexpected text after the closing quote"},
        {R"(A="\q")", "line 1: unsupported escape"},
    };
    for (const auto& [text, message] : cases) {
        auto env = parse_dotenv(text);
        ASSERT_FALSE(env) << text;
        EXPECT_EQ(env.error().code, errc::invalid_argument) << text;
        EXPECT_TRUE(env.error().message.starts_with(message)) << env.error().message;
    }
}

TEST(Dotenv, ErrorsNeverEchoTheValue)
{
    const std::string_view lines[] = {
        "sk-proj-SECRET1234",         "KEY='sk-proj-SECRET1234",
        "KEY=\"sk-proj-SECRET1234",   "KEY=\"sk-proj-SECRET1234\\x\"",
        "KEY='sk-proj-SECRET1234' x", "sk-proj-SECRET1234=x",
        "KEY SECRET1234=x",
    };
    for (const auto line : lines) {
        auto env = parse_dotenv(line);
        ASSERT_FALSE(env) << line;
        EXPECT_EQ(env.error().message.find("SECRET"), std::string::npos) << env.error().message;
    }
}

class DotenvFile : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("donna-dotenv-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(DotenvFile, ReadsTheFile)
{
    std::ofstream(dir_ / ".env") << "A=1\nB='two'\n";
    auto env = read_dotenv_file(dir_ / ".env");
    ASSERT_TRUE(env) << env.error().message;
    EXPECT_EQ(*env, (env_map{{"A", "1"}, {"B", "two"}}));
}

TEST_F(DotenvFile, AnEmptyFileIsAnEmptyMap)
{
    std::ofstream(dir_ / ".env").flush();
    auto env = read_dotenv_file(dir_ / ".env");
    ASSERT_TRUE(env) << env.error().message;
    EXPECT_TRUE(env->empty());
}

TEST_F(DotenvFile, AMissingFileIsNotFound)
{
    auto env = read_dotenv_file(dir_ / "absent.env");
    ASSERT_FALSE(env);
    EXPECT_EQ(env.error().code, errc::not_found);
}

TEST_F(DotenvFile, ADirectoryIsAnIoError)
{
    auto env = read_dotenv_file(dir_);
    ASSERT_FALSE(env);
    EXPECT_EQ(env.error().code, errc::io_error);
}

TEST_F(DotenvFile, ParseErrorsArePrefixedWithThePath)
{
    std::ofstream(dir_ / ".env") << "A=1\nbroken\n";
    auto env = read_dotenv_file(dir_ / ".env");
    ASSERT_FALSE(env);
    EXPECT_EQ(env.error().message, (dir_ / ".env").string() + ": line 2: expected KEY=VALUE");
}

} // namespace
} // namespace donna::relay
