// admin_answers.cpp: the counted refusal, the storage error, query numbers.
#include "api/admin_answers.hpp"

#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"

#include <charconv>

namespace donna::relay {

http_answer admin_answers::refuse(http_answer answer) const
{
    metrics.error(answer.code).inc();
    return answer;
}

http_answer admin_answers::storage_error(const error& why) const
{
    log.error(area, "storage: " + why.message);
    return refuse(json_error(500, "storage_error",
                             "the relay could not read or write its database; try again later"));
}

std::optional<std::int64_t> whole_number(std::string_view text)
{
    std::int64_t n = 0;
    const auto* end = text.data() + text.size();
    const auto parsed = std::from_chars(text.data(), end, n);
    if (text.empty() || parsed.ec != std::errc() || parsed.ptr != end || n < 0)
        return std::nullopt;
    return n;
}

} // namespace donna::relay
