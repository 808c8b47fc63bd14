// static_endpoint.hpp: GET/HEAD of any other path: the built client's files from the web root
// (server/static_cache: ETag, gzip, revalidation), and the health and metrics routes a load
// balancer and Prometheus read.
//
//   GET /healthz   "ok": the process answers
//   GET /metrics   Prometheus text format (metrics/metrics.hpp)
//   GET /<file>    the web root's file; index.html for "/" (no page may frame it: /embed does)
#pragma once

#include "http/router.hpp"

#include <memory>

namespace donna::relay {

class metrics_registry;
class static_cache;

route healthz_route();
route metrics_route(metrics_registry& registry);
// Matches every path no other row takes.
route static_files_route(static_cache& files);

} // namespace donna::relay
