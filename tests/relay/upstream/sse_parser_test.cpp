// Server-sent events read incrementally (relay/upstream/sse_parser).
#include "upstream/sse_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace donna::relay {
namespace {

std::vector<sse_event> parse_in_pieces(const std::string& stream, std::size_t piece)
{
    sse_parser parser;
    std::vector<sse_event> events;
    for (std::size_t i = 0; i < stream.size(); i += piece) {
        const auto fed = parser.feed(std::string_view(stream).substr(i, piece),
                                     [&](const sse_event& e) { events.push_back(e); });
        EXPECT_TRUE(fed);
    }
    return events;
}

// The shape OpenAI's chat completions stream has (openai-node src/core/streaming.ts).
const std::string openai_stream = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                                  "data: {\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\n\n"
                                  "data: [DONE]\n\n";

TEST(SseParser, ReadsOpenAiChunksAndTheDoneMarker)
{
    const auto events = parse_in_pieces(openai_stream, openai_stream.size());
    ASSERT_EQ(events.size(), 3U);
    EXPECT_EQ(events[0].data, R"({"choices":[{"delta":{"content":"Hi"}}]})");
    EXPECT_EQ(events[2].data, "[DONE]");
    EXPECT_EQ(events[0].event, "");
}

TEST(SseParser, GivesTheSameEventsWhateverTheReadBoundaries)
{
    const auto whole = parse_in_pieces(openai_stream, openai_stream.size());
    for (std::size_t piece = 1; piece < 40; ++piece) {
        const auto split = parse_in_pieces(openai_stream, piece);
        ASSERT_EQ(split.size(), whole.size()) << "piece " << piece;
        for (std::size_t i = 0; i < whole.size(); ++i)
            EXPECT_EQ(split[i].data, whole[i].data) << "piece " << piece;
    }
}

TEST(SseParser, AcceptsCrLfAndLoneCrLineEnds)
{
    const auto crlf = parse_in_pieces("data: a\r\n\r\ndata: b\r\r", 1);
    ASSERT_EQ(crlf.size(), 2U);
    EXPECT_EQ(crlf[0].data, "a");
    EXPECT_EQ(crlf[1].data, "b");
}

TEST(SseParser, JoinsDataLinesAndKeepsEventNameAndId)
{
    const auto events = parse_in_pieces("event: error\nid: 7\ndata: one\ndata:two\n\n", 3);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].event, "error");
    EXPECT_EQ(events[0].id, "7");
    EXPECT_EQ(events[0].data, "one\ntwo");
}

TEST(SseParser, IgnoresCommentsUnknownFieldsAndEventsWithoutData)
{
    const auto events =
        parse_in_pieces(": keep-alive\n\nretry: 100\nfoo: bar\n\nevent: x\n\ndata: y\n\n", 5);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].data, "y");
    EXPECT_EQ(events[0].event, "");
}

TEST(SseParser, AnUnfinishedEventIsNotDispatched)
{
    EXPECT_TRUE(parse_in_pieces("data: half", 4).empty());
}

TEST(SseParser, RefusesAnEventOverItsLimitAndStaysFailed)
{
    sse_parser parser(16);
    int events = 0;
    const auto count = [&](const sse_event&) {
        ++events;
    };
    const auto first = parser.feed("data: 0123456789abcdef", count);
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().code, errc::payload_too_large);
    EXPECT_FALSE(parser.feed("\n\n", count));
    EXPECT_EQ(events, 0);
}

} // namespace
} // namespace donna::relay
