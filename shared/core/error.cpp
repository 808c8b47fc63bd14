// error.cpp: the donna::errc category (names used on the wire and in std::error_code).
#include "core/error.hpp"

namespace donna {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "donna"; }
    std::string message(int value) const override { return to_string(static_cast<errc>(value)); }
};

} // namespace

const std::error_category& error_category() noexcept
{
    static const category instance;
    return instance;
}

const char* to_string(errc e) noexcept
{
    switch (e) {
    case errc::ok:
        return "ok";
    case errc::invalid_json:
        return "invalid_json";
    case errc::not_an_object:
        return "not_an_object";
    case errc::missing_field:
        return "missing_field";
    case errc::wrong_type:
        return "wrong_type";
    case errc::out_of_range:
        return "out_of_range";
    case errc::unknown_event_type:
        return "unknown_event_type";
    case errc::invalid_base64:
        return "invalid_base64";
    case errc::frame_too_short:
        return "frame_too_short";
    case errc::unsupported_version:
        return "unsupported_version";
    case errc::unknown_frame_kind:
        return "unknown_frame_kind";
    case errc::payload_too_large:
        return "payload_too_large";
    case errc::empty_payload:
        return "empty_payload";
    case errc::invalid_argument:
        return "invalid_argument";
    case errc::codec_error:
        return "codec_error";
    case errc::unauthorized:
        return "unauthorized";
    case errc::token_expired:
        return "token_expired";
    case errc::forbidden:
        return "forbidden";
    case errc::rate_limited:
        return "rate_limited";
    case errc::not_found:
        return "not_found";
    case errc::io_error:
        return "io_error";
    case errc::upstream_unavailable:
        return "upstream_unavailable";
    case errc::upstream_timeout:
        return "upstream_timeout";
    case errc::upstream_tls_failed:
        return "upstream_tls_failed";
    }
    return "unknown";
}

} // namespace donna
