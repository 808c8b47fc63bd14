// upstream_errors.hpp: the wire error code a failed upstream call gets in DONNA's answers, one
// mapping for every REST upstream (chat, speech, transcription), so a caller reads the same
// code for the same trouble whichever service had it (docs/relay.md lists the codes).
//
//   if (!r) return fail(upstream_error_code(r.error()), r.error().message);
//   if (!r->ok()) return fail(upstream_status_code(r->status), "HTTP " + ...);
#pragma once

#include "core/error.hpp"

#include <string>

namespace donna::relay {

// An answer that came with a non-2xx status: upstream_unauthorized (401/403),
// upstream_rate_limited (429), upstream_rejected (400/404/413/422), else upstream_error.
std::string upstream_status_code(unsigned status);

// A call that got no answer: upstream_timeout, rate_limited (the relay's own limit for that
// upstream), upstream_tls_error (an untrusted certificate or another name), else
// upstream_unavailable (refused, reset, circuit open, the relay shutting down).
std::string upstream_error_code(const error& e);

// The HTTP status DONNA answers a caller with for such a code when nothing streamed yet:
// 504 for timeouts, 429 for rate limits, 503 for unavailable, else 502.
int upstream_code_status(const std::string& code);

} // namespace donna::relay
