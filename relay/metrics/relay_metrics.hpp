// relay_metrics.hpp: the relay's own metrics, looked up once in the registry so hot paths
// only touch atomics. /metrics renders the registry (Prometheus text format).
//
//   services.metrics().messages_client_to_upstream.inc();
//   services.metrics().error(errc_name).inc();
#pragma once

#include "metrics/metrics.hpp"

#include <string_view>

namespace donna::relay {

struct relay_metrics {
    explicit relay_metrics(metrics_registry& registry);

    metrics_registry& registry;
    counter& connections_total;   // TCP connections accepted
    gauge& connections_active;    // open TCP connections (HTTP or WebSocket)
    counter& http_requests_total; // HTTP requests answered
    counter& sessions_total;      // realtime sessions started
    gauge& sessions_active;       // realtime sessions open
    gauge& realtime_lingering;    // sessions kept after the visitor left, for a response's calls
    counter& messages_client_to_upstream;
    counter& messages_upstream_to_client;
    counter& bytes_client_to_upstream;
    counter& bytes_upstream_to_client;
    counter& audio_seconds_in;               // client audio accepted (seconds)
    counter& tokens_issued;                  // POST /v1/session successes
    counter& reloads_total;                  // successful SIGHUP reloads
    histogram& upstream_connect_seconds;     // OpenAI Realtime: TCP+TLS+upgrade
    histogram& upstream_first_event_seconds; // upgrade to first upstream event

    // donna_errors_total{code="..."}: every refusal and failure, by its wire code.
    counter& error(std::string_view code);
    // donna_upstream_attempts_total{upstream,outcome}: ok, retry, failed.
    counter& upstream_attempt(std::string_view upstream, std::string_view outcome);
};

} // namespace donna::relay
