// telnyx_webhook_endpoint.cpp: signature, timestamp, envelope, durable store, answer.
#include "api/telnyx_webhook_endpoint.hpp"

#include "http/http_answer.hpp"

#include "api/webhook_intake.hpp"
#include "jobs/job_runner.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/json_fields.hpp"
#include "providers/telnyx/telnyx_event.hpp"
#include "providers/telnyx/webhook_signature.hpp"
#include "settings/settings_source.hpp"
#include "store/webhook_store.hpp"
#include <optional>

namespace donna::relay {
namespace {

counter& outcome_counter(relay_metrics& metrics, std::string_view outcome)
{
    return metrics.registry.get_counter(
        "donna_webhooks_total", "Webhook requests by provider and outcome",
        {{"provider", "telnyx"}, {"outcome", std::string(outcome)}});
}

http_answer answer_ok(std::string_view status)
{
    return {200, dump_json({{"status", std::string(status)}}) + "\n", "application/json", {}, ""};
}

// The answer of a request refused before storage, or nullopt when its event went to the
// intake (which answers once it is committed).
std::optional<http_answer> telnyx_webhook(const request_context& request,
                                          const telnyx_webhook_endpoint_deps& deps,
                                          const std::shared_ptr<http_reply>& reply)
{
    const auto refuse = [&](int status, std::string_view code, std::string_view outcome,
                            std::string_view message) {
        outcome_counter(deps.metrics, outcome).inc();
        deps.metrics.error(code).inc();
        deps.log.warn("webhook",
                      "telnyx webhook refused: " + std::string(code) + ": " + std::string(message));
        return json_error(status, code, message);
    };
    const auto settings = deps.settings.current();
    const auto& cfg = settings->cfg;
    if (cfg.telnyx_public_key.empty())
        return refuse(503, "webhooks_not_configured", "not_configured",
                      "TELNYX_PUBLIC_KEY is not set on the relay: Telnyx webhooks cannot be "
                      "verified, so none is taken");
    const auto key = telnyx_public_key(cfg.telnyx_public_key); // checked at start-up
    if (!key)
        return refuse(503, "webhooks_not_configured", "not_configured", key.error().message);

    const auto check = verify_telnyx_webhook(
        *key, {request.header("telnyx-timestamp"), request.header("telnyx-signature-ed25519")},
        request.body, request.now_unix);
    if (!check.ok) {
        switch (check.why) {
        case webhook_refusal::bad_headers:
            return refuse(400, "webhook_headers_invalid", "bad_headers", check.detail);
        case webhook_refusal::bad_signature:
            return refuse(401, "webhook_signature_invalid", "bad_signature", check.detail);
        case webhook_refusal::stale:
            return refuse(401, "webhook_timestamp_stale", "stale", check.detail);
        }
    }
    auto event = parse_telnyx_event(request.body);
    if (!event)
        return refuse(400, to_string(event.error().code), "invalid_body",
                      "a signed webhook that is not a Telnyx event: " + event.error().message);

    const auto type = event->type;
    deps.intake.submit(
        {.provider = "telnyx",
         .event_id = event->id,
         .event_type = event->type,
         .occurred_at = event->occurred_at,
         .occurred_at_ms = event->occurred_at_ms,
         .received_at = request.now_unix,
         .body = request.body},
        [deps, reply, type](result<bool> stored) {
            if (!stored) {
                deps.log.error("webhook",
                               "telnyx event could not be stored: " + stored.error().message);
                outcome_counter(deps.metrics, "storage_error").inc();
                deps.metrics.error("storage_error").inc();
                return reply->send(json_error(500, "storage_error",
                                              "the relay could not store the event; Telnyx "
                                              "will send it again"));
            }
            if (!*stored) {
                outcome_counter(deps.metrics, "duplicate").inc();
                return reply->send(answer_ok("duplicate"));
            }
            outcome_counter(deps.metrics, "stored").inc();
            deps.jobs.poke();
            const bool known = is_known_telnyx_event(type);
            deps.metrics.registry
                .get_counter(
                    "donna_webhook_events_total", "Webhook events stored, by provider and type",
                    {{"provider", "telnyx"}, {"event_type", known ? type : std::string("unknown")}})
                .inc();
            if (!known)
                deps.log.info("webhook", "telnyx event of an unknown type stored: " +
                                             quoted_excerpt(type, 64));
            reply->send(answer_ok("stored"));
        });
    return std::nullopt;
}

} // namespace

route telnyx_webhook_route(const telnyx_webhook_endpoint_deps& deps)
{
    return {
        .path = telnyx_webhook_path,
        .methods = {"POST"},
        .who = caller::anyone,
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            if (auto refused = telnyx_webhook(request, deps, reply))
                reply->send(std::move(*refused));
        }};
}

} // namespace donna::relay
