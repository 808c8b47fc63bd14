// What the REST fakes share that a wire test does not reach directly: reading
// multipart/form-data bodies and query strings as servers must (RFC 7578, RFC 3986).
#include "fake_http_server.hpp"

#include <gtest/gtest.h>

#include <string>

namespace donna::fakes {
namespace {

TEST(FakeHttpServer, FormDataIsSplitIntoNamedPartsWithFilenamesAndTypes)
{
    const std::string body = "--XyZ\r\n"
                             "Content-Disposition: form-data; name=\"model\"\r\n"
                             "\r\n"
                             "whisper-1\r\n"
                             "--XyZ\r\n"
                             "Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                             "Content-Type: audio/wav\r\n"
                             "\r\n"
                             "RIFF\r\n\r\nbinary\r\n"
                             "--XyZ--\r\n";
    const auto parts = parse_form_data("multipart/form-data; boundary=XyZ", body);
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 2U);
    EXPECT_EQ((*parts)[0].name, "model");
    EXPECT_EQ((*parts)[0].data, "whisper-1");
    EXPECT_TRUE((*parts)[0].filename.empty());
    EXPECT_EQ((*parts)[1].name, "file");
    EXPECT_EQ((*parts)[1].filename, "a.wav");
    EXPECT_EQ((*parts)[1].content_type, "audio/wav");
    EXPECT_EQ((*parts)[1].data, "RIFF\r\n\r\nbinary"); // CRLFs inside the data are data
}

TEST(FakeHttpServer, FormDataBoundaryMayBeQuotedAndFollowOtherParameters)
{
    const std::string body = "preamble\r\n--a b\r\n"
                             "content-disposition: form-data; name=x\r\n\r\n1\r\n--a b--";
    const auto parts =
        parse_form_data(R"(Multipart/Form-Data; charset=utf-8; Boundary="a b")", body);
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 1U);
    EXPECT_EQ((*parts)[0].name, "x");
    EXPECT_EQ((*parts)[0].data, "1");
}

TEST(FakeHttpServer, FormDataWithoutBoundaryOrCloseDelimiterIsRefused)
{
    EXPECT_FALSE(parse_form_data("multipart/form-data", "--x\r\n\r\n"));
    EXPECT_FALSE(parse_form_data("application/json", "{}"));
    EXPECT_FALSE(parse_form_data("multipart/form-data; boundary=x",
                                 "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1"));
}

TEST(FakeHttpServer, QueryParameterIsFoundAndPercentDecoded)
{
    const std::string target = "/v1/x?a=1&output_format=pcm%5F16000&flag&b=two+words";
    EXPECT_EQ(query_parameter(target, "output_format"), "pcm_16000");
    EXPECT_EQ(query_parameter(target, "b"), "two words");
    EXPECT_EQ(query_parameter(target, "flag"), "");
    EXPECT_FALSE(query_parameter(target, "missing"));
    EXPECT_FALSE(query_parameter("/v1/x", "a"));
}

} // namespace
} // namespace donna::fakes
