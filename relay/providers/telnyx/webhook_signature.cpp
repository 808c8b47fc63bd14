// webhook_signature.cpp: Ed25519 through libsodium, over "<timestamp>|<body>".
#include "providers/telnyx/webhook_signature.hpp"

#include "audio/base64.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace donna::relay {
namespace {

bool sodium_ready()
{
    static const bool ready = sodium_init() >= 0; // thread-safe since C++11, idempotent
    return ready;
}

webhook_check refused(webhook_refusal why, const char* detail)
{
    return {false, why, detail};
}

} // namespace

result<ed25519_public_key> telnyx_public_key(std::string_view base64)
{
    auto bytes = base64_decode(base64);
    if (!bytes || bytes->size() != crypto_sign_PUBLICKEYBYTES)
        return make_error(errc::invalid_argument,
                          "TELNYX_PUBLIC_KEY must be the account's Ed25519 public key: base64 of "
                          "32 bytes, as Telnyx's portal shows it");
    ed25519_public_key key{};
    std::copy(bytes->begin(), bytes->end(), key.begin());
    return key;
}

webhook_check verify_telnyx_webhook(const ed25519_public_key& key,
                                    const telnyx_signature_headers& headers, std::string_view body,
                                    std::int64_t now_unix)
{
    if (headers.timestamp.empty() || headers.signature.empty())
        return refused(webhook_refusal::bad_headers,
                       "the telnyx-timestamp and telnyx-signature-ed25519 headers are required");
    std::int64_t timestamp = 0;
    const auto* end = headers.timestamp.data() + headers.timestamp.size();
    const auto parsed = std::from_chars(headers.timestamp.data(), end, timestamp);
    if (parsed.ec != std::errc() || parsed.ptr != end || timestamp <= 0)
        return refused(webhook_refusal::bad_headers,
                       "telnyx-timestamp must be Unix seconds (digits only)");
    const auto signature = base64_decode(headers.signature);
    if (!signature || signature->size() != crypto_sign_BYTES)
        return refused(webhook_refusal::bad_headers,
                       "telnyx-signature-ed25519 must be base64 of a 64-byte signature");
    if (!sodium_ready())
        return refused(webhook_refusal::bad_signature, "libsodium could not start");
    std::string signed_text;
    signed_text.reserve(headers.timestamp.size() + 1 + body.size());
    signed_text.append(headers.timestamp).append("|").append(body);
    if (crypto_sign_verify_detached(signature->data(),
                                    reinterpret_cast<const unsigned char*>(signed_text.data()),
                                    signed_text.size(), key.data()) != 0)
        return refused(webhook_refusal::bad_signature,
                       "the signature does not match the body and timestamp for "
                       "TELNYX_PUBLIC_KEY");
    if (timestamp < now_unix - telnyx_webhook_tolerance_seconds ||
        timestamp > now_unix + telnyx_webhook_tolerance_seconds)
        return refused(webhook_refusal::stale,
                       "telnyx-timestamp is more than 300 seconds from the relay's clock");
    return {true, webhook_refusal::bad_headers, ""};
}

} // namespace donna::relay
