// The fanout's signature, against an HMAC-SHA256 computed independently (Python's hmac
// module: hmac.new(secret, b"1796644800." + body, hashlib.sha256).hexdigest()).
#include "outbox/fanout_signature.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

TEST(FanoutSignature, MatchesAnIndependentHmacSha256OfTimestampDotBody)
{
    const std::string secret = "whsec-test-secret-of-at-least-32-chars";
    EXPECT_EQ(fanout_signature_header(secret, 1796644800, R"({"id":"evt"})"),
              "t=1796644800,v1=8f090d55b51b11fe33b6949f6e7203f8ae1ab689acaf89b22d8e63bc8d9f5203");
}

TEST(FanoutSignature, AnyChangeToTheBodyOrTimeChangesIt)
{
    const std::string secret = "whsec-test-secret-of-at-least-32-chars";
    const auto base = fanout_hmac_hex(secret, 1796644800, R"({"id":"evt"})");
    EXPECT_NE(fanout_hmac_hex(secret, 1796644801, R"({"id":"evt"})"), base);
    EXPECT_NE(fanout_hmac_hex(secret, 1796644800, R"({"id":"evu"})"), base);
    EXPECT_NE(fanout_hmac_hex(secret + "x", 1796644800, R"({"id":"evt"})"), base);
}

} // namespace
} // namespace donna::relay
