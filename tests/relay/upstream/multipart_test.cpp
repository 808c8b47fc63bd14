// multipart/form-data bodies (relay/upstream/multipart), checked against RFC 7578's layout.
#include "upstream/multipart.hpp"

#include <gtest/gtest.h>

#include <string>

namespace donna::relay {
namespace {

std::string boundary_of(const multipart_form& form)
{
    const std::string prefix = "multipart/form-data; boundary=";
    const auto type = form.content_type();
    EXPECT_EQ(type.rfind(prefix, 0), 0U);
    return type.substr(prefix.size());
}

TEST(Multipart, LaysOutFieldsAndFilesBetweenBoundaries)
{
    multipart_form form;
    form.add_field("model", "whisper-1");
    form.add_file("file", "turn.wav", "audio/wav", std::string("RIFF\0\x01", 6));
    const auto b = boundary_of(form);
    const std::string expected = "--" + b +
                                 "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n"
                                 "whisper-1\r\n--" +
                                 b +
                                 "\r\nContent-Disposition: form-data; name=\"file\"; "
                                 "filename=\"turn.wav\"\r\nContent-Type: audio/wav\r\n\r\n" +
                                 std::string("RIFF\0\x01", 6) + "\r\n--" + b + "--\r\n";
    EXPECT_EQ(form.body(), expected);
}

TEST(Multipart, EscapesQuotesAndLineBreaksInNames)
{
    multipart_form form;
    form.add_file("files", "a\"b\r\n.wav", "", "x");
    const auto body = form.body();
    EXPECT_NE(body.find("filename=\"a%22b%0D%0A.wav\""), std::string::npos);
    EXPECT_NE(body.find("Content-Type: application/octet-stream"), std::string::npos);
}

TEST(Multipart, EveryFormHasItsOwnBoundary)
{
    multipart_form a, b;
    EXPECT_NE(boundary_of(a), boundary_of(b));
    EXPECT_GE(boundary_of(a).size(), 40U);
}

TEST(Multipart, AnEmptyFormIsJustTheClosingDelimiter)
{
    multipart_form form;
    EXPECT_EQ(form.body(), "--" + boundary_of(form) + "--\r\n");
}

} // namespace
} // namespace donna::relay
