// The Telnyx webhook's parts without I/O: Ed25519 over "<timestamp>|<body>" (signed here with
// a key pair of the test's own, as Telnyx signs), the envelope, and ISO 8601 times.
#include "providers/telnyx/telnyx_event.hpp"
#include "providers/telnyx/webhook_signature.hpp"
#include "telnyx_webhook_signer.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

using fakes::telnyx_webhook_signer;

constexpr std::int64_t signed_at = 1796644800;

TEST(TelnyxWebhookSignature, ABodySignedByTheAccountKeyPasses)
{
    telnyx_webhook_signer telnyx;
    const auto key = telnyx_public_key(telnyx.public_key_base64());
    ASSERT_TRUE(key);
    const std::string body = telnyx.event("call.initiated", "2026-12-07T12:00:00Z");
    const auto signature = telnyx.sign(signed_at, body);
    EXPECT_TRUE(verify_telnyx_webhook(*key, {"1796644800", signature}, body, signed_at).ok);
    // Within 300 s either way.
    EXPECT_TRUE(verify_telnyx_webhook(*key, {"1796644800", signature}, body, signed_at + 300).ok);
    EXPECT_TRUE(verify_telnyx_webhook(*key, {"1796644800", signature}, body, signed_at - 300).ok);
}

TEST(TelnyxWebhookSignature, ATamperedBodyOrTimestampOrAnotherKeyIsABadSignature)
{
    telnyx_webhook_signer telnyx, forger;
    const auto key = *telnyx_public_key(telnyx.public_key_base64());
    const std::string body = telnyx.event("call.initiated", "2026-12-07T12:00:00Z");
    const auto signature = telnyx.sign(signed_at, body);
    auto tampered = body;
    tampered[tampered.size() / 2] ^= 1;
    EXPECT_EQ(verify_telnyx_webhook(key, {"1796644800", signature}, tampered, signed_at).why,
              webhook_refusal::bad_signature);
    EXPECT_EQ(verify_telnyx_webhook(key, {"1796644801", signature}, body, signed_at).why,
              webhook_refusal::bad_signature);
    EXPECT_EQ(
        verify_telnyx_webhook(key, {"1796644800", forger.sign(signed_at, body)}, body, signed_at)
            .why,
        webhook_refusal::bad_signature);
}

TEST(TelnyxWebhookSignature, ASignedButOldTimestampIsStale)
{
    telnyx_webhook_signer telnyx;
    const auto key = *telnyx_public_key(telnyx.public_key_base64());
    const std::string body = telnyx.event("call.hangup", "2026-12-07T12:00:00Z");
    const auto check = verify_telnyx_webhook(key, {"1796644800", telnyx.sign(signed_at, body)},
                                             body, signed_at + 301);
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.why, webhook_refusal::stale);
}

TEST(TelnyxWebhookSignature, MissingOrMalformedHeadersAreBadHeaders)
{
    telnyx_webhook_signer telnyx;
    const auto key = *telnyx_public_key(telnyx.public_key_base64());
    const std::string body = "{}";
    const auto good = telnyx.sign(signed_at, body);
    for (const auto& headers :
         {telnyx_signature_headers{"", good}, telnyx_signature_headers{"1796644800", ""},
          telnyx_signature_headers{"17966x4800", good},
          telnyx_signature_headers{"1796644800", "not base64!"},
          telnyx_signature_headers{"1796644800", "c2hvcnQ="}})
        EXPECT_EQ(verify_telnyx_webhook(key, headers, body, signed_at).why,
                  webhook_refusal::bad_headers)
            << headers.timestamp << " " << headers.signature;
}

TEST(TelnyxWebhookSignature, APublicKeyMustBe32BytesOfBase64)
{
    EXPECT_FALSE(telnyx_public_key("not a key"));
    EXPECT_FALSE(telnyx_public_key("c2hvcnQ="));
    telnyx_webhook_signer telnyx;
    EXPECT_TRUE(telnyx_public_key(telnyx.public_key_base64()));
}

TEST(TelnyxEvent, TheEnvelopeGivesIdTypeAndTime)
{
    const auto event = parse_telnyx_event(
        R"({"data":{"record_type":"event","id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",)"
        R"("event_type":"call.initiated","occurred_at":"2018-02-02T22:25:27.521992Z",)"
        R"("payload":{}},"meta":{"attempt":1}})");
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->id, "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0");
    EXPECT_EQ(event->type, "call.initiated");
    EXPECT_EQ(event->occurred_at_ms, 1517610327521);
    EXPECT_TRUE(is_known_telnyx_event(event->type));
    EXPECT_FALSE(is_known_telnyx_event("call.teleported"));
}

TEST(TelnyxEvent, WhatIsNotAnEnvelopeIsRefusedNamingTheField)
{
    EXPECT_EQ(parse_telnyx_event("nope").error().code, errc::invalid_json);
    EXPECT_EQ(parse_telnyx_event("[]").error().code, errc::not_an_object);
    EXPECT_EQ(
        parse_telnyx_event(R"({"data":{"event_type":"x","occurred_at":"2018-02-02T22:25:27Z"}})")
            .error()
            .message,
        "data.id is missing");
    EXPECT_EQ(
        parse_telnyx_event(R"({"data":{"id":"a","event_type":"x","occurred_at":"yesterday"}})")
            .error()
            .code,
        errc::invalid_argument);
}

TEST(TelnyxEvent, Iso8601TimesWithOffsetsAreInstants)
{
    EXPECT_EQ(iso8601_unix_ms("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(iso8601_unix_ms("1970-01-01T01:00:00.250+01:00"), 250);
    EXPECT_EQ(iso8601_unix_ms("2026-12-07T12:00:00-00:30"), (1796644800 + 1800) * 1000LL);
    EXPECT_FALSE(iso8601_unix_ms("2026-12-07T12:00:00")); // no zone
    EXPECT_FALSE(iso8601_unix_ms("2026-13-07T12:00:00Z"));
}

} // namespace
} // namespace donna::relay
