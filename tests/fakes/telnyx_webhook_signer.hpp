// telnyx_webhook_signer.hpp: Telnyx's side of a webhook, as the relay's tests need it: an
// Ed25519 key pair of its own (the account's key that TELNYX_PUBLIC_KEY names), event bodies
// in Telnyx's envelope, and the two headers Telnyx signs them with (telnyx-python
// src/telnyx/lib/webhook_verification.py: the signature is over "<timestamp>|<raw body>").
//
//   donna::fakes::telnyx_webhook_signer telnyx;
//   cfg.telnyx_public_key = telnyx.public_key_base64();
//   auto body = telnyx.event("call.initiated", "2026-12-07T12:00:00.000000Z");
//   relay.request("POST", "/v1/webhooks/telnyx", body, telnyx.headers(body, now));
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace donna::fakes {

class telnyx_webhook_signer {
public:
    telnyx_webhook_signer(); // a fresh key pair (libsodium)

    std::string public_key_base64() const;
    // The signature header's value for this timestamp and body.
    std::string sign(std::int64_t timestamp, const std::string& body) const;
    // {"telnyx-timestamp": ..., "telnyx-signature-ed25519": ..., "Content-Type": json}
    std::map<std::string, std::string> headers(const std::string& body,
                                               std::int64_t timestamp) const;
    // The same, signed now (as Telnyx signs what it sends).
    std::map<std::string, std::string> headers_now(const std::string& body) const;
    // {"data":{"record_type":"event","id":<id or a new UUID-shaped one>,"event_type",
    //  "occurred_at","payload":{...}},"meta":{"attempt":1,"delivered_to":"..."}}
    std::string event(const std::string& type, const std::string& occurred_at,
                      const std::string& id = "") const;
    // The same envelope around a payload of the caller's.
    std::string event(const std::string& type, const std::string& occurred_at,
                      const nlohmann::json& payload, const std::string& id) const;
    // A new id of Telnyx's shape (a random UUID).
    static std::string new_id();

private:
    std::array<std::uint8_t, 32> public_key_{};
    std::array<std::uint8_t, 64> secret_key_{};
};

} // namespace donna::fakes
