// upstream_errors.cpp: upstream failures -> DONNA's error codes and statuses.
#include "upstream/upstream_errors.hpp"

namespace donna::relay {

std::string upstream_status_code(unsigned status)
{
    if (status == 401 || status == 403)
        return "upstream_unauthorized";
    if (status == 429)
        return "upstream_rate_limited";
    if (status == 400 || status == 404 || status == 413 || status == 422)
        return "upstream_rejected";
    return "upstream_error";
}

std::string upstream_error_code(const error& e)
{
    switch (e.code) {
    case errc::upstream_timeout:
        return "upstream_timeout";
    case errc::rate_limited:
        return "rate_limited";
    case errc::upstream_tls_failed:
        return "upstream_tls_error";
    default:
        return "upstream_unavailable";
    }
}

int upstream_code_status(const std::string& code)
{
    if (code == "upstream_timeout")
        return 504;
    if (code == "rate_limited" || code == "upstream_rate_limited")
        return 429;
    if (code == "upstream_unavailable" || code == "upstream_not_configured")
        return 503;
    return 502;
}

} // namespace donna::relay
