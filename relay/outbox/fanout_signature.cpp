// fanout_signature.cpp: libsodium's HMAC-SHA256, in hex.
#include "outbox/fanout_signature.hpp"

#include <sodium.h>

#include <array>

namespace donna::relay {

std::string fanout_hmac_hex(std::string_view secret, std::int64_t timestamp, std::string_view body)
{
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
    const auto prefix = std::to_string(timestamp) + ".";
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                  prefix.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                  body.size());
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_final(&state, mac.data());
    std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
    return {hex.data(), crypto_auth_hmacsha256_BYTES * 2};
}

std::string fanout_signature_header(std::string_view secret, std::int64_t timestamp,
                                    std::string_view body)
{
    return "t=" + std::to_string(timestamp) + ",v1=" + fanout_hmac_hex(secret, timestamp, body);
}

} // namespace donna::relay
