// telnyx_rest.cpp: a Telnyx call and its failures.
#include "telephony/telnyx_rest.hpp"

#include "config/config.hpp"
#include "providers/telnyx/telnyx_errors.hpp"

namespace donna::relay {
namespace {

provider_failure failure_of(const telnyx_failure& f)
{
    return {.code = f.code,
            .message = f.message,
            .retry = f.retry,
            .retry_after = f.retry_after,
            .http_status = f.http_status()};
}

} // namespace

void call_telnyx(http_client& http, upstream_request request,
                 std::function<void(provider_result<upstream_response>)> done)
{
    http.request("telnyx", std::move(request),
                 [done = std::move(done)](result<upstream_response> answer) {
                     if (!answer)
                         return done(failure_of(telnyx_unreachable(answer.error())));
                     if (!answer->ok())
                         return done(failure_of(telnyx_failure_of(*answer)));
                     done(std::move(*answer));
                 });
}

std::optional<provider_failure> telnyx_unconfigured(const config& cfg)
{
    if (!cfg.telnyx_api_key.empty())
        return std::nullopt;
    return provider_failure{.code = "phone_not_configured",
                            .message = "TELNYX_API_KEY is not set on the relay",
                            .retry = true,
                            .http_status = 503};
}

provider_failure telnyx_unreadable(const error& why)
{
    return {.code = "telnyx_bad_answer",
            .message = "Telnyx answered in a form the relay does not know: " + why.message,
            .retry = true,
            .http_status = 502};
}

} // namespace donna::relay
