// sodium_base64.hpp: base64 through libsodium, for the relay's tokens and sealed values
// (URL-safe, unpadded: they travel in headers, URLs and cookies) and for keys given in
// settings (standard, padded: `openssl rand -base64 32`). Decoding is strict: a character
// libsodium does not take, or trailing bits, is a refusal, not a skip.
//
//   std::string text = base64url_encode(bytes.data(), bytes.size());
//   auto back = base64url_decode(text);          // nullopt when it is not base64url
//   auto key = base64_standard_decode(setting);
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

std::string base64url_encode(const unsigned char* bytes, std::size_t size);
std::optional<std::vector<unsigned char>> base64url_decode(std::string_view text);
std::optional<std::vector<unsigned char>> base64_standard_decode(std::string_view text);

} // namespace donna::relay
