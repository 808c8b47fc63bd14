// telnyx_errors.hpp: what a Telnyx REST answer that is not 2xx means for the relay. Telnyx
// answers errors as {"errors":[{"code","title","detail","source":{"pointer"},"meta"}]}
// (telnyx-node src/resources/shared.ts; the codes: developers.telnyx.com/docs/errors, e.g.
// 10009 authentication failed, 10011 too many requests, 10016 not +E.164; 90018 "call has
// already ended"). Pure: no I/O.
//
//   auto failure = telnyx_failure_of(response);    // response: a non-2xx upstream_response
//   if (failure.retry) return job_outcome::retry(failure.message, failure.retry_after);
//   answer(failure.http_status(), failure.code, failure.message);
//
// The relay's codes, by Telnyx's status:
//   401 telnyx_unauthorized (TELNYX_API_KEY refused)     403 telnyx_forbidden
//   404 telnyx_not_found (no such call or resource)      422 telnyx_invalid_request, or
//       telnyx_call_ended when the error's code is 90018
//   429 telnyx_rate_limited (retry, after Retry-After)   5xx and 408 telnyx_unavailable (retry)
//   any other status: telnyx_refused
#pragma once

#include "upstream/http_client.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace donna::relay {

struct telnyx_error {
    std::string code; // Telnyx's, e.g. "10016" (a string on the wire)
    std::string title;
    std::string detail;
    std::string pointer; // source.pointer, e.g. "/to"; "" when absent
};

struct telnyx_failure {
    std::string code;    // the relay's, above
    std::string message; // for people: Telnyx's title and detail, and what to do
    bool retry = false;  // a temporary failure: the same request may succeed later
    std::optional<std::chrono::milliseconds> retry_after; // Retry-After, when sent
    unsigned status = 0;                                  // Telnyx's HTTP status
    std::vector<telnyx_error> errors;                     // as Telnyx sent them

    // The status the relay answers its own caller with: 502 for Telnyx refusing the relay's
    // key, 503 for a temporary failure, 404 and 422 passed on, 502 otherwise.
    int http_status() const;
};

// The errors array of a Telnyx body (errors[] of an error answer, or payload.errors[] of a
// message); empty when there is none or the body is not JSON.
std::vector<telnyx_error> telnyx_errors_of(const std::string& body);
// The same from an errors array already parsed.
std::vector<telnyx_error> telnyx_errors_in(const nlohmann::json& errors);

telnyx_failure telnyx_failure_of(const upstream_response& response);

// A failure to reach Telnyx at all (the HTTP client's error: unavailable, timeout, TLS).
telnyx_failure telnyx_unreachable(const error& why);

} // namespace donna::relay
