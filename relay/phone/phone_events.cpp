// phone_events.cpp: an event's row, its type, and what it changes.
#include "phone/phone_events.hpp"

#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "phone/call_answering.hpp"
#include "phone/call_events.hpp"
#include "phone/sms_conversations.hpp"
#include "protocol/json_fields.hpp"
#include "providers/telnyx/telnyx_event.hpp"
#include "providers/telnyx/telnyx_messaging.hpp"
#include "settings/settings_source.hpp"
#include "store/call_store.hpp"
#include "store/fanout_store.hpp"
#include "store/sms_store.hpp"
#include "store/webhook_store.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace donna::relay {
namespace {

using json = nlohmann::json;

message_delivery delivery_of(const telnyx_message& m, std::int64_t occurred_at_ms)
{
    json recipients = json::array();
    for (const auto& r : m.to)
        recipients.push_back({{"phone_number", r.phone_number}, {"status", r.status}});
    json errors = json::array();
    for (const auto& e : m.errors)
        errors.push_back({{"code", e.code}, {"title", e.title}, {"detail", e.detail}});
    return {.provider = "telnyx",
            .message_id = m.id,
            .status = m.to.empty() ? std::string("unknown") : m.to.front().status,
            .recipients = dump_json(recipients),
            .errors = dump_json(errors),
            .occurred_at_ms = occurred_at_ms,
            .updated_at = unix_now()};
}

// call.initiated's offered_codecs: a string ("PCMU,PCMA") or, should it come as one, an
// array of names.
std::string offered_codecs_of(const json& payload)
{
    const auto* offered = json_member(payload, "offered_codecs");
    if (offered == nullptr)
        return {};
    if (offered->is_string())
        return offered->get<std::string>();
    std::string names;
    if (offered->is_array())
        for (const auto& item : *offered)
            if (item.is_string())
                names += (names.empty() ? "" : ",") + item.get<std::string>();
    return names;
}

} // namespace

void phone_events::count(const std::string& event_type, const char* outcome)
{
    deps_.metrics.registry
        .get_counter("donna_webhook_events_processed_total",
                     "Stored webhook events processed, by type and outcome",
                     {{"provider", "telnyx"},
                      {"event_type", is_known_telnyx_event(event_type) ? event_type : "unknown"},
                      {"outcome", outcome}})
        .inc();
}

status phone_events::fan_out(const webhook_event& event, const json* payload)
{
    const auto live = deps_.settings.current();
    std::vector<std::string> endpoints;
    for (const auto& e : live->cfg.fanout)
        if (e.wants(event.event_type))
            endpoints.push_back(e.id);
    if (endpoints.empty())
        return ok();
    std::string stream = "event:" + event.event_id;
    if (payload != nullptr && payload->is_object()) {
        if (auto session = json_string_member(*payload, "call_session_id"); !session.empty())
            stream = "call:" + session;
        else if (event.event_type.starts_with("message."))
            if (auto id = json_string_member(*payload, "id"); !id.empty())
                stream = "message:" + id;
    }
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    auto added = deps_.fanout.enqueue(endpoints, event, stream, now_ms);
    if (!added)
        return added.error();
    if (*added > 0 && deps_.poke_jobs)
        deps_.poke_jobs();
    return ok();
}

void phone_events::transfer_leg_ended(call_store& calls, std::int64_t call_id,
                                      const call_event& leg, job_runner::settle done)
{
    auto record = calls.get(call_id);
    if (!record)
        return done(job_outcome::retry(record.error().message));
    if (record->status == "ended" || record->status == "failed")
        return done(job_outcome::done()); // the caller is gone too
    auto timeline = calls.timeline(call_id);
    if (!timeline)
        return done(job_outcome::retry(timeline.error().message));
    std::string offered;
    for (const auto& e : *timeline) {
        const auto detail = json::parse(e.detail, nullptr, false);
        if (!detail.is_object())
            continue;
        if (e.event_type == "transfer_leg.answered" &&
            json_string_member(detail, "call_leg_id") == leg.call_leg_id)
            return done(job_outcome::done()); // the person answered: their call, now over
        if (e.event_type == "call.initiated")
            offered = json_string_member(detail, "offered_codecs");
    }
    deps_.answering.after_transfer(*record, offered, leg.call_leg_id, leg.hangup_cause,
                                   std::move(done));
}

void phone_events::process(const job& j, job_runner::settle done)
{
    const auto payload = json::parse(j.payload, nullptr, false);
    const auto* id = payload.is_object() ? json_member(payload, "webhook_id") : nullptr;
    if (id == nullptr || !id->is_number_integer())
        return done(job_outcome::fail("the job names no webhook event"));
    auto event = deps_.webhooks.get(id->get<std::int64_t>());
    if (!event)
        return done(event.error().code == errc::not_found
                        ? job_outcome::fail(event.error().message)
                        : job_outcome::retry(event.error().message));
    const auto body = json::parse(event->body, nullptr, false);
    const auto* data = body.is_object() ? json_member(body, "data") : nullptr;
    const auto* inner =
        data != nullptr && data->is_object() ? json_member(*data, "payload") : nullptr;
    const auto& type = event->event_type;
    if (auto fanned = fan_out(*event, inner); !fanned)
        return done(job_outcome::retry(fanned.error().message));
    const bool messaging =
        type == "message.sent" || type == "message.finalized" || type == "message.received";
    if (!messaging && inner != nullptr &&
        (type.starts_with("call.") || type.starts_with("streaming."))) {
        const auto live = deps_.settings.current();
        const auto call = call_event_of(*event, *inner, live->cfg.sites);
        if (!call) {
            count(type, "ignored");
            return done(job_outcome::done());
        }
        call_store calls(deps_.db);
        auto applied = calls.apply(*call);
        if (!applied)
            return done(job_outcome::retry(applied.error().message));
        count(type, *applied != 0 ? "applied" : "ignored");
        // A call ringing one of our numbers (not one the relay dialed): answered or rejected.
        // Each time the event is processed: the commands' ids make a second time a no-op.
        if (type == "call.initiated" && call->direction == "incoming" && call->call_id == 0 &&
            *applied != 0) {
            auto record = calls.get(*applied);
            if (!record)
                return done(job_outcome::retry(record.error().message));
            return deps_.answering.on_incoming(*record, offered_codecs_of(*inner), std::move(done));
        }
        // The leg of a transfer DONNA made hung up: unanswered, DONNA takes the caller back.
        if (type == "call.hangup" && call->transfer_of != 0 && *applied != 0)
            return transfer_leg_ended(calls, *applied, *call, std::move(done));
        return done(job_outcome::done());
    }
    if (!messaging) {
        count(type, "ignored");
        return done(job_outcome::done());
    }
    auto message =
        inner != nullptr
            ? parse_telnyx_message(*inner)
            : result<telnyx_message>(make_error(errc::missing_field, "the event has no payload"));
    if (!message) {
        count(type, "invalid");
        deps_.log.warn("webhook", "telnyx " + type +
                                      " without a readable message: " + message.error().message);
        return done(job_outcome::fail(message.error().message));
    }
    if (type == "message.received") {
        return deps_.texts.on_received(
            *message, [this, type, done = std::move(done)](job_outcome outcome) {
                count(type, outcome.what == job_outcome::verdict::done ? "applied" : "failed");
                done(std::move(outcome));
            });
    }
    auto kept = deps_.sms.record_delivery(delivery_of(*message, event->occurred_at_ms));
    if (!kept)
        return done(job_outcome::retry(kept.error().message));
    count(type, *kept ? "applied" : "stale");
    done(job_outcome::done());
}

} // namespace donna::relay
