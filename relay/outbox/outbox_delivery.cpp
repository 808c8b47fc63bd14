// outbox_delivery.cpp: an outbox row's attempt, written down.
#include "outbox/outbox_delivery.hpp"

#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {

std::variant<outbox_item, job_outcome> outbox_delivery::open(const job& task) const
{
    const auto payload = nlohmann::json::parse(task.payload, nullptr, false);
    const auto id_field = payload.is_object() ? payload.find("outbox_id") : payload.end();
    if (!payload.is_object() || id_field == payload.end() || !id_field->is_number_integer())
        return job_outcome::fail("the job names no outbox row");
    auto row = store_.get_outbox(id_field->get<std::int64_t>());
    if (!row)
        return row.error().code == errc::not_found ? job_outcome::fail(row.error().message)
                                                   : job_outcome::retry(row.error().message);
    if (row->status == "sent" || row->status == "failed")
        return job_outcome::done();
    if (row->channel != channel_)
        return job_outcome::fail("outbox row #" + std::to_string(row->id) + " is " + row->channel +
                                 ", not " + channel_);
    return std::move(*row);
}

bool outbox_delivery::begin(std::int64_t id) const
{
    if (auto begun = store_.begin_attempt(id, unix_now()); !begun) {
        log_.error("outbox", channel_ + " " + where(id) + ": " + begun.error().message);
        return false;
    }
    return true;
}

job_outcome outbox_delivery::sent(std::int64_t id, const std::string& provider_id) const
{
    count("sent");
    log_.info("outbox", channel_ + " " + where(id) + " sent");
    if (auto marked = store_.mark_sent(id, unix_now(), provider_id); !marked)
        log_.error("outbox",
                   channel_ + " " + where(id) +
                       " was sent but its row could not be updated: " + marked.error().message);
    return job_outcome::done();
}

job_outcome outbox_delivery::failed(std::int64_t id, const std::string& why) const
{
    count("failed");
    log_.warn("outbox", channel_ + " " + where(id) + " failed: " + why);
    if (auto marked = store_.mark_failed(id, why, unix_now()); !marked)
        log_.error("outbox", channel_ + " " + where(id) + ": " + marked.error().message);
    return job_outcome::fail(why);
}

job_outcome outbox_delivery::retry(const job& task, std::int64_t id, const std::string& why,
                                   std::optional<std::chrono::milliseconds> after) const
{
    if (task.attempts >= task.max_attempts)
        return failed(id, "gave up after " + std::to_string(task.attempts) + " attempts: " + why);
    count("retry");
    log_.warn("outbox", channel_ + " " + where(id) + " not sent yet (attempt " +
                            std::to_string(task.attempts) + "): " + why);
    if (auto marked = store_.mark_retry(id, why, unix_now()); !marked)
        log_.error("outbox", channel_ + " " + where(id) + ": " + marked.error().message);
    return job_outcome::retry(why, after);
}

void outbox_delivery::count(std::string_view outcome) const
{
    registry_
        .get_counter("donna_outbox_deliveries_total", "Outbox delivery attempts by outcome",
                     {{"channel", channel_}, {"outcome", std::string(outcome)}})
        .inc();
}

std::string outbox_delivery::where(std::int64_t id) const
{
    return "outbox #" + std::to_string(id);
}

} // namespace donna::relay
