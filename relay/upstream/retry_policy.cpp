// retry_policy.cpp: backoff arithmetic and Retry-After parsing.
#include "upstream/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <string>

namespace donna::relay {
namespace {

std::optional<long long> parse_number(std::string_view text)
{
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !(value >= -1e9) ||
        !(value <= 1e9))
        return std::nullopt;
    return static_cast<long long>(value * 1000.0);
}

// IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT" (the form RFC 9110 requires senders use).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text)
{
    std::tm tm{};
    std::istringstream in{std::string(text)};
    in.imbue(std::locale::classic());
    in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S GMT");
    if (in.fail())
        return std::nullopt;
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1))
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(t);
}

} // namespace

bool may_retry(const retry_policy& policy, int attempts,
               std::chrono::steady_clock::duration elapsed)
{
    return attempts < policy.max_attempts && elapsed < policy.max_total;
}

bool retryable_status(unsigned status)
{
    return status == 408 || status == 409 || status == 429 || status >= 500;
}

std::chrono::milliseconds backoff_delay(const retry_policy& policy, int failed_attempts,
                                        std::mt19937_64& random)
{
    const int shift = std::clamp(failed_attempts - 1, 0, 20);
    const long long base = std::max<long long>(policy.base_delay.count(), 1);
    const long long cap = std::max<long long>(policy.max_delay.count(), 1);
    const long long step = std::min<long long>(base << shift, cap);
    std::uniform_int_distribution<long long> jitter(0, step / 2);
    return std::chrono::milliseconds(step - step / 2 + jitter(random));
}

std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view retry_after_ms, std::string_view retry_after,
                  std::chrono::system_clock::time_point now)
{
    if (!retry_after_ms.empty()) {
        if (const auto ms = parse_number(retry_after_ms))
            return std::chrono::milliseconds(std::max<long long>(*ms / 1000, 0));
    }
    if (retry_after.empty())
        return std::nullopt;
    if (const auto ms = parse_number(retry_after))
        return std::chrono::milliseconds(std::max<long long>(*ms, 0));
    if (const auto when = parse_http_date(retry_after)) {
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
        return std::max(wait, std::chrono::milliseconds(0));
    }
    return std::nullopt;
}

} // namespace donna::relay
