// webhook_signature.hpp: checking that a webhook comes from Telnyx. Telnyx signs
// "<telnyx-timestamp>|<raw body>" with Ed25519; the signature is base64 in the
// `telnyx-signature-ed25519` header, the timestamp Unix seconds in `telnyx-timestamp`, and the
// public key (base64, 32 bytes) is the account's, from Telnyx's portal (TELNYX_PUBLIC_KEY).
// Sources: telnyx-python src/telnyx/lib/webhook_verification.py, telnyx-node
// src/lib/webhooks.ts (../shared/API-NOTES.md, section 4). Checked with libsodium.
//
//   auto key = telnyx_public_key(cfg.telnyx_public_key);      // at start-up
//   auto verdict = verify_telnyx_webhook(*key, {timestamp_header, signature_header}, body,
//                                        now_unix);
//   if (!verdict) answer(verdict.error())  // bad_headers 400, bad_signature 401, stale 401
#pragma once

#include "core/error.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace donna::relay {

using ed25519_public_key = std::array<std::uint8_t, 32>;

// How far a timestamp may be from the relay's clock, either way.
inline constexpr std::int64_t telnyx_webhook_tolerance_seconds = 300;

// TELNYX_PUBLIC_KEY's text as a key. Errors: invalid_argument (not base64, not 32 bytes).
result<ed25519_public_key> telnyx_public_key(std::string_view base64);

struct telnyx_signature_headers {
    std::string_view timestamp; // telnyx-timestamp
    std::string_view signature; // telnyx-signature-ed25519
};

enum class webhook_refusal { bad_headers, bad_signature, stale };

struct webhook_check {
    bool ok = false;
    webhook_refusal why = webhook_refusal::bad_headers;
    const char* detail = ""; // for the answer and the log; never quotes the request
};

// The signature is checked before the timestamp, so a stale answer is only ever given to a
// request Telnyx really signed (a forger learns nothing from it).
webhook_check verify_telnyx_webhook(const ed25519_public_key& key,
                                    const telnyx_signature_headers& headers, std::string_view body,
                                    std::int64_t now_unix);

} // namespace donna::relay
