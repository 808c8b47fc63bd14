// relay_metrics.cpp: names and help texts of the relay's metrics, in one place.
#include "metrics/relay_metrics.hpp"

#include <string>

namespace donna::relay {

relay_metrics::relay_metrics(metrics_registry& r)
    : registry(r),
      connections_total(r.get_counter("donna_connections_total", "TCP connections accepted")),
      connections_active(r.get_gauge("donna_connections_active", "Open TCP connections")),
      http_requests_total(r.get_counter("donna_http_requests_total", "HTTP requests answered")),
      sessions_total(r.get_counter("donna_realtime_sessions_total", "Realtime sessions started")),
      sessions_active(r.get_gauge("donna_realtime_sessions_active", "Realtime sessions open")),
      realtime_lingering(r.get_gauge(
          "donna_realtime_sessions_lingering",
          "Realtime sessions whose visitor left mid-response, kept until its actions are done")),
      messages_client_to_upstream(r.get_counter("donna_messages_total",
                                                "WebSocket messages relayed",
                                                {{"direction", "client_to_upstream"}})),
      messages_upstream_to_client(r.get_counter("donna_messages_total",
                                                "WebSocket messages relayed",
                                                {{"direction", "upstream_to_client"}})),
      bytes_client_to_upstream(r.get_counter("donna_bytes_total", "WebSocket payload bytes relayed",
                                             {{"direction", "client_to_upstream"}})),
      bytes_upstream_to_client(r.get_counter("donna_bytes_total", "WebSocket payload bytes relayed",
                                             {{"direction", "upstream_to_client"}})),
      audio_seconds_in(
          r.get_counter("donna_audio_input_seconds_total", "Seconds of client audio accepted")),
      tokens_issued(r.get_counter("donna_session_tokens_issued_total",
                                  "Session tokens issued by POST /v1/session")),
      reloads_total(
          r.get_counter("donna_config_reloads_total", "Successful configuration reloads (SIGHUP)")),
      upstream_connect_seconds(
          r.get_histogram("donna_upstream_connect_seconds", "Time to open an upstream connection",
                          latency_buckets_seconds(), {{"upstream", "openai_realtime"}})),
      upstream_first_event_seconds(
          r.get_histogram("donna_upstream_first_event_seconds",
                          "Time from upstream connection open to its first event",
                          latency_buckets_seconds(), {{"upstream", "openai_realtime"}}))
{}

counter& relay_metrics::error(std::string_view code)
{
    return registry.get_counter("donna_errors_total", "Errors and refusals by code",
                                {{"code", std::string(code)}});
}

counter& relay_metrics::upstream_attempt(std::string_view upstream, std::string_view outcome)
{
    return registry.get_counter(
        "donna_upstream_attempts_total", "Upstream connection attempts by outcome",
        {{"upstream", std::string(upstream)}, {"outcome", std::string(outcome)}});
}

} // namespace donna::relay
