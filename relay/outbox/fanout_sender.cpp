// fanout_sender.cpp: one delivery: order, envelope, signature, POST, verdict.
#include "outbox/fanout_sender.hpp"

#include "config/config.hpp"
#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "outbox/fanout_signature.hpp"
#include "protocol/json_fields.hpp"
#include "settings/settings_source.hpp"
#include "store/fanout_store.hpp"
#include "store/webhook_store.hpp"
#include "upstream/http_client.hpp"
#include "upstream/retry_policy.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace donna::relay {
namespace {

using json = nlohmann::json;

// A delivery waiting for an earlier one of its stream looks again after this.
constexpr std::chrono::milliseconds order_wait{200};

std::int64_t now_unix_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const fanout_endpoint* endpoint_named(const config& cfg, const std::string& id)
{
    const auto it = std::find_if(cfg.fanout.begin(), cfg.fanout.end(),
                                 [&](const fanout_endpoint& e) { return e.id == id; });
    return it == cfg.fanout.end() ? nullptr : &*it;
}

std::string envelope(const webhook_event& event, std::int64_t delivery_id)
{
    const json body = {
        {"id", event.event_id},     {"provider", event.provider},
        {"type", event.event_type}, {"occurred_at", event.occurred_at},
        {"delivery", delivery_id},  {"event", json::parse(event.body, nullptr, false)}};
    return dump_json(body);
}

} // namespace

fanout_sender::fanout_sender(fanout_sender_deps deps)
    : deps_(std::move(deps)), random_(std::random_device{}())
{}

void fanout_sender::count(const std::string& endpoint, const char* outcome)
{
    deps_.registry
        .get_counter("donna_fanout_deliveries_total", "Fanout delivery attempts by outcome",
                     {{"endpoint", endpoint}, {"outcome", outcome}})
        .inc();
}

void fanout_sender::update_pending(const std::string& endpoint)
{
    auto oldest = deps_.store.oldest_pending_ms(endpoint);
    if (!oldest)
        return;
    const double waited =
        *oldest == 0 ? 0.0 : static_cast<double>(now_unix_ms() - *oldest) / 1000.0;
    deps_.registry
        .get_gauge("donna_fanout_pending_seconds",
                   "How long the oldest waiting fanout delivery has waited",
                   {{"endpoint", endpoint}})
        .set(std::max(0.0, waited));
}

std::chrono::milliseconds fanout_sender::backoff(std::int64_t attempts)
{
    const auto live = deps_.settings.current();
    const retry_policy policy{.max_attempts = 1'000'000,
                              .base_delay = std::chrono::milliseconds(live->cfg.job_retry_ms),
                              .max_delay = std::chrono::minutes(10),
                              .max_total = std::chrono::hours(24 * 365)};
    const std::lock_guard lock(random_mutex_);
    return backoff_delay(policy, static_cast<int>(std::min<std::int64_t>(attempts, 30)), random_);
}

void fanout_sender::deliver(const job& j, job_runner::settle done)
{
    const auto payload = json::parse(j.payload, nullptr, false);
    const auto* id_field = payload.is_object() ? json_member(payload, "delivery_id") : nullptr;
    if (id_field == nullptr || !id_field->is_number_integer())
        return done(job_outcome::fail("the job names no fanout delivery"));
    auto delivery = deps_.store.get(id_field->get<std::int64_t>());
    if (!delivery)
        return done(delivery.error().code == errc::not_found
                        ? job_outcome::fail(delivery.error().message)
                        : job_outcome::retry(delivery.error().message));
    const auto d = *delivery;
    if (d.state != "pending")
        return done(job_outcome::done()); // delivered or dead already: nothing goes twice
    const auto live = deps_.settings.current();
    const auto* endpoint = endpoint_named(live->cfg, d.endpoint);
    if (endpoint == nullptr) {
        const std::string why = "endpoint '" + d.endpoint + "' is no longer in DONNA_FANOUT_FILE";
        if (auto marked = deps_.store.dead(d.id, why); !marked)
            return done(job_outcome::retry(marked.error().message));
        count(d.endpoint, "dead");
        return done(job_outcome::fail(why));
    }
    auto waiting = deps_.store.earlier_pending(d);
    if (!waiting)
        return done(job_outcome::retry(waiting.error().message));
    if (*waiting)
        return done(job_outcome::retry("waits for an earlier event of its stream", order_wait));
    auto event = deps_.webhooks.get(d.webhook_id);
    if (!event)
        return done(event.error().code == errc::not_found
                        ? job_outcome::fail(event.error().message)
                        : job_outcome::retry(event.error().message));

    const auto body = envelope(*event, d.id);
    upstream_request request{.method = "POST", .url = endpoint->url};
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.emplace_back("User-Agent", "donna-relay-fanout");
    request.headers.emplace_back("DONNA-Signature",
                                 fanout_signature_header(endpoint->secret, unix_now(), body));
    request.headers.emplace_back("DONNA-Event-Id", event->event_id);
    request.headers.emplace_back("DONNA-Event-Type", event->event_type);
    request.headers.emplace_back("DONNA-Delivery-Id", std::to_string(d.id));
    request.body = body;
    const auto received_at_ms = event->received_at * 1000;
    const auto max_attempts = endpoint->max_attempts;
    deps_.http.request(
        "fanout:" + d.endpoint, std::move(request),
        [this, d, received_at_ms, max_attempts,
         done = std::move(done)](result<upstream_response> answer) {
            if (answer && answer->ok()) {
                const auto now = now_unix_ms();
                if (auto marked = deps_.store.delivered(d.id, now); !marked)
                    deps_.log.error("fanout", "delivery #" + std::to_string(d.id) +
                                                  " was delivered but its row could not say so: " +
                                                  marked.error().message);
                count(d.endpoint, "delivered");
                deps_.registry
                    .get_gauge("donna_fanout_lag_seconds",
                               "From an event's arrival to its delivery, the last one",
                               {{"endpoint", d.endpoint}})
                    .set(std::max(0.0, static_cast<double>(now - received_at_ms) / 1000.0));
                update_pending(d.endpoint);
                if (deps_.poke_jobs)
                    deps_.poke_jobs();
                return done(job_outcome::done());
            }
            const std::string why = answer
                                        ? "the endpoint answered " + std::to_string(answer->status)
                                        : answer.error().message;
            auto attempts = deps_.store.failed_attempt(d.id, why);
            if (!attempts)
                return done(job_outcome::retry(attempts.error().message));
            update_pending(d.endpoint);
            if (*attempts >= max_attempts) {
                if (auto marked = deps_.store.dead(d.id, why); !marked)
                    return done(job_outcome::retry(marked.error().message));
                count(d.endpoint, "dead");
                deps_.log.warn("fanout", "delivery #" + std::to_string(d.id) + " to " + d.endpoint +
                                             " dead-lettered after " + std::to_string(*attempts) +
                                             " attempts: " + why);
                return done(job_outcome::fail(why));
            }
            count(d.endpoint, "retry");
            done(job_outcome::retry(why, backoff(*attempts)));
        });
}

} // namespace donna::relay
