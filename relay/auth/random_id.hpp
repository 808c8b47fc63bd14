// random_id.hpp: unguessable identifiers from libsodium's CSPRNG, as lower-case hex: session
// token ids, reply ids, multipart boundaries.
//
//   std::string id = donna::relay::random_hex(16);   // 32 hex digits, 128 bits
#pragma once

#include <cstddef>
#include <string>

namespace donna::relay {

// `bytes` random bytes as 2 * bytes hex digits.
std::string random_hex(std::size_t bytes);

} // namespace donna::relay
