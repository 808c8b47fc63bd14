// admin_answers.hpp: what the admin routes (/v1/calls, /v1/sms/threads,
// /v1/fanout/dead-letters) answer alike: a refusal counted in donna_errors_total, the storage
// error with its log line, and the whole numbers of their query strings (ids, cursors, limits).
//
//   const admin_answers answers{metrics, log, "calls"};
//   if (!row) return answers.storage_error(row.error());
//   if (!(limit = whole_number(param.value))) return answers.refuse(json_error(400, ...));
#pragma once

#include "core/error.hpp"
#include "http/http_answer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

class logger;
struct relay_metrics;

struct admin_answers {
    relay_metrics& metrics;
    logger& log;
    std::string area; // the log lines' category

    // Counts the refusal (its code) and hands it back.
    http_answer refuse(http_answer answer) const;
    // 500 storage_error, with why in the log (never in the answer).
    http_answer storage_error(const error& why) const;
};

// "17" -> 17; nullopt for anything but a whole number from 0 (no sign, no spaces).
std::optional<std::int64_t> whole_number(std::string_view text);

} // namespace donna::relay
