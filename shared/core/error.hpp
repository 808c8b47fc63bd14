// error.hpp: DONNA's error codes and the small result type every shared/ API returns.
//
// shared/ never throws (the WASM build aborts on any throw), so every fallible call returns
// result<T>: a value, or an error made of a code from donna::errc (usable as a
// std::error_code) and a human message that says exactly what was wrong.
//
//   auto bytes = donna::base64_decode(text);
//   if (!bytes) return log(bytes.error().message);   // "invalid base64 character at 7"
//   use(*bytes);
#pragma once

#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace donna {

enum class errc {
    ok = 0,
    // parsing and validation
    invalid_json = 1,    // not JSON at all
    not_an_object,       // JSON, but not an object where one is required
    missing_field,       // a required field is absent
    wrong_type,          // a field has the wrong JSON type
    out_of_range,        // a number outside its allowed range
    unknown_event_type,  // a "type" this protocol does not know
    invalid_base64,      // bad alphabet, padding or trailing bits
    frame_too_short,     // binary frame shorter than its header
    unsupported_version, // binary frame of a version we do not speak
    unknown_frame_kind,  // binary frame kind we do not know
    payload_too_large,   // binary frame or message over its limit
    empty_payload,       // binary frame with no packet
    invalid_argument,    // a caller passed a value outside the documented domain
    // codecs
    codec_error, // libopus reported an error (message names it)
    // access and services (the relay)
    unauthorized,         // missing, malformed or forged credentials (e.g. a session token)
    token_expired,        // a well-formed, genuine token past its expiry
    forbidden,            // authenticated, but not allowed (origin, field, event type)
    rate_limited,         // a limit was reached; retry later
    not_found,            // no such resource (file, site, persona)
    io_error,             // reading a file or socket failed (message names it)
    upstream_unavailable, // an external service could not be reached or is not configured
    upstream_timeout,     // an external service did not answer in time
    upstream_tls_failed,  // TLS with an external service failed (untrusted certificate, wrong name)
};

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

// Short stable name of a code, e.g. "invalid_base64"; used on the wire.
const char* to_string(errc e) noexcept;

struct error {
    errc code = errc::ok;
    std::string message;
};

template <class T>
class [[nodiscard]] result {
public:
    result(T value) : state_(std::move(value)) {}
    result(donna::error e) : state_(std::move(e)) {}

    bool has_value() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const donna::error& error() const& { return std::get<1>(state_); }

private:
    std::variant<T, donna::error> state_;
};

// result<void>: success or an error.
struct ok_t {};
using status = result<ok_t>;
inline status ok()
{
    return ok_t{};
}

inline error make_error(errc code, std::string message)
{
    return error{code, std::move(message)};
}

} // namespace donna

template <>
struct std::is_error_code_enum<donna::errc> : std::true_type {};
