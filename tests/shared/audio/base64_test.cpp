#include "audio/base64.hpp"

#include <gtest/gtest.h>

namespace donna {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s)
{
    return {s.begin(), s.end()};
}

// RFC 4648 section 10 test vectors.
struct vector_case {
    std::string_view plain;
    std::string_view encoded;
};
constexpr vector_case rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64, EncodesRfc4648Vectors)
{
    for (const auto& c : rfc4648)
        EXPECT_EQ(base64_encode(bytes_of(c.plain)), c.encoded) << "plain: " << c.plain;
}

TEST(Base64, DecodesRfc4648Vectors)
{
    for (const auto& c : rfc4648) {
        auto decoded = base64_decode(c.encoded);
        ASSERT_TRUE(decoded) << c.encoded << ": " << decoded.error().message;
        EXPECT_EQ(*decoded, bytes_of(c.plain)) << c.encoded;
    }
}

TEST(Base64, RoundTripsEveryByteValue)
{
    std::vector<std::uint8_t> all(256 * 3 + 1);
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = static_cast<std::uint8_t>(i * 7 + 3);
    for (std::size_t len = 0; len < all.size(); len += 37) {
        std::span<const std::uint8_t> part(all.data(), len);
        auto decoded = base64_decode(base64_encode(part));
        ASSERT_TRUE(decoded);
        EXPECT_TRUE(std::equal(decoded->begin(), decoded->end(), part.begin(), part.end()));
    }
}

TEST(Base64, RejectsMalformedInputWithOffset)
{
    struct bad_case {
        std::string_view text;
        std::string_view reason;
    };
    const bad_case cases[] = {
        {"Zg=", "not a multiple of 4"},
        {"Zm9", "not a multiple of 4"},
        {"Zm9v\n", "not a multiple of 4"},
        {"Zm 9", "invalid character at offset 2"},
        {"Zm-v", "invalid character at offset 2"}, // base64url alphabet is not accepted
        {"Zm_v", "invalid character at offset 2"},
        {"Z===", "padding before the end at offset 1"},
        {"Zg=a", "padding before the end at offset 2"},
        {"=Zm9", "padding before the end at offset 0"},
        {"Zh==", "non-zero trailing bits"}, // 'h' leaves bits set after "f"
        {"Zm9=", "non-zero trailing bits"},
        {"Zm9v====", "padding before the end at offset 4"},
    };
    for (const auto& c : cases) {
        auto decoded = base64_decode(c.text);
        ASSERT_FALSE(decoded) << "accepted: " << c.text;
        EXPECT_EQ(decoded.error().code, errc::invalid_base64);
        EXPECT_NE(decoded.error().message.find(c.reason), std::string::npos)
            << c.text << " -> " << decoded.error().message;
    }
}

} // namespace
} // namespace donna
