// telnyx_webhook_signer.cpp: libsodium's Ed25519, base64, and Telnyx's envelope.
#include "telnyx_webhook_signer.hpp"

#include "audio/base64.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace donna::fakes {
namespace {

std::string uuid_like()
{
    std::array<std::uint8_t, 16> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    char text[37];
    std::snprintf(text, sizeof text,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                  bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    return text;
}

} // namespace

telnyx_webhook_signer::telnyx_webhook_signer()
{
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium could not start");
    crypto_sign_keypair(public_key_.data(), secret_key_.data());
}

std::string telnyx_webhook_signer::public_key_base64() const
{
    return base64_encode(public_key_);
}

std::string telnyx_webhook_signer::sign(std::int64_t timestamp, const std::string& body) const
{
    const std::string text = std::to_string(timestamp) + "|" + body;
    std::array<std::uint8_t, crypto_sign_BYTES> signature{};
    crypto_sign_detached(signature.data(), nullptr,
                         reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                         secret_key_.data());
    return base64_encode(signature);
}

std::map<std::string, std::string> telnyx_webhook_signer::headers(const std::string& body,
                                                                  std::int64_t timestamp) const
{
    return {{"telnyx-timestamp", std::to_string(timestamp)},
            {"telnyx-signature-ed25519", sign(timestamp, body)},
            {"Content-Type", "application/json"}};
}

std::map<std::string, std::string> telnyx_webhook_signer::headers_now(const std::string& body) const
{
    return headers(body, std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
}

std::string telnyx_webhook_signer::event(const std::string& type, const std::string& occurred_at,
                                         const std::string& id) const
{
    return event(type, occurred_at,
                 {{"call_control_id", "v3:" + uuid_like()},
                  {"call_session_id", uuid_like()},
                  {"from", "+15550100199"},
                  {"to", "+15550100100"},
                  {"direction", "incoming"}},
                 id);
}

std::string telnyx_webhook_signer::event(const std::string& type, const std::string& occurred_at,
                                         const nlohmann::json& payload, const std::string& id) const
{
    const nlohmann::json body = {
        {"data",
         {{"record_type", "event"},
          {"id", id.empty() ? uuid_like() : id},
          {"event_type", type},
          {"occurred_at", occurred_at},
          {"payload", payload}}},
        {"meta", {{"attempt", 1}, {"delivered_to", "https://relay.example/v1/webhooks/telnyx"}}}};
    return body.dump();
}

std::string telnyx_webhook_signer::new_id()
{
    return uuid_like();
}

} // namespace donna::fakes
