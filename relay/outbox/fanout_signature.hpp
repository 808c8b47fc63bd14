// fanout_signature.hpp: how the relay signs what it forwards to a fanout endpoint, so the
// receiver can tell the delivery is the relay's and fresh: HMAC-SHA256 (libsodium) with the
// endpoint's secret over "<timestamp>.<raw body>", sent as
//
//   DONNA-Signature: t=1796644800,v1=5f2b...(64 hex digits)
//
// A receiver recomputes the HMAC over the timestamp, a '.', and the body exactly as received,
// compares in constant time, and refuses a timestamp far from its clock (docs/relay.md has a
// verifying snippet).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

// The hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`.
std::string fanout_hmac_hex(std::string_view secret, std::int64_t timestamp, std::string_view body);
// "t=<timestamp>,v1=<hex>"
std::string fanout_signature_header(std::string_view secret, std::int64_t timestamp,
                                    std::string_view body);

} // namespace donna::relay
