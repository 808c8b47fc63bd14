// sealed_secret.hpp: secrets the relay must keep at rest (a Google account's refresh token,
// an OAuth flow's PKCE verifier) sealed under the data key, so that the database file never
// holds one in plain text. libsodium's XChaCha20-Poly1305 (a random 192-bit nonce per seal,
// so nonces never repeat under one key); the place a secret is kept (its table, row and column)
// is the associated data, so a sealed value copied to another row does not open.
//
//   auto keys = data_keys::from(cfg.data_key, cfg.data_key_previous);  // DONNA_DATA_KEY(_PREVIOUS)
//   std::string sealed = keys->seal(refresh_token, "google_connections.refresh_token:1");
//   auto token = keys->open(sealed, "google_connections.refresh_token:1");
//   if (keys->sealed_with_previous(sealed)) ...   // re-seal it under the current key
//
// A sealed value is text: "ds1.<key id>.<base64url(nonce | ciphertext | tag)>", the key id
// being 8 hex digits of the key's BLAKE2b hash, so a value names the key that opens it.
// Rotation: the new key in DONNA_DATA_KEY, the old one in DONNA_DATA_KEY_PREVIOUS; values
// under either open, and the stores re-seal every value under the new key at start-up.
#pragma once

#include "core/error.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

class data_keys {
public:
    // Each key is 32 bytes in standard base64 (`openssl rand -base64 32`). An empty current
    // key: no secret can be kept (has_key() is false). errc::invalid_argument naming the
    // setting for a key that is not 32 bytes of base64, or a previous key without a current.
    static result<data_keys> from(std::string_view current_base64,
                                  std::string_view previous_base64 = {});

    data_keys() = default; // no key
    data_keys(const data_keys&) = default;
    data_keys& operator=(const data_keys&) = default;
    data_keys(data_keys&&) noexcept = default;
    data_keys& operator=(data_keys&&) noexcept = default;
    ~data_keys(); // wipes the keys

    bool has_key() const { return current_.has_value(); }
    // The current key's id (8 hex digits), "" without a key.
    std::string key_id() const;

    // `secret` sealed under the current key, bound to `place`. Precondition: has_key().
    std::string seal(std::string_view secret, std::string_view place) const;
    // The secret, if `sealed` was sealed for `place` under the current or previous key.
    // errc::unauthorized: not a sealed value, an unknown key (the message names its id), or
    // it does not open (altered, or sealed for another place).
    result<std::string> open(std::string_view sealed, std::string_view place) const;
    // Whether `sealed` names the previous key (and should be re-sealed under the current).
    bool sealed_with_previous(std::string_view sealed) const;

private:
    struct key {
        std::array<unsigned char, 32> bytes{};
        std::string id;
    };
    std::optional<key> current_;
    std::optional<key> previous_;
};

} // namespace donna::relay
