// static_endpoint.cpp: the web root's files, /healthz and /metrics.
#include "api/static_endpoint.hpp"

#include "api/embed_endpoint.hpp"
#include "metrics/metrics.hpp"
#include "server/static_cache.hpp"
#include "server/static_files.hpp"

namespace donna::relay {
namespace {

http_answer text(int status, std::string body, std::string content_type)
{
    http_answer answer;
    answer.status = status;
    answer.body = std::move(body);
    answer.content_type = std::move(content_type);
    return answer;
}

// The client's page fetched by its own name (or as "/") has no site, so no page may frame it:
// a frame must go through /embed, which names the site whose pages may (percent-escapes count:
// "/%69ndex.html").
bool is_embed_file(std::string_view target)
{
    return resolve_static_path("/", target) == resolve_static_path("/", embed_file_target);
}

} // namespace

route healthz_route()
{
    return {.path = "/healthz",
            .methods = {"GET", "HEAD"},
            .handle = [](const request_context&, const std::shared_ptr<http_reply>& reply) {
                reply->send(text(200, "ok\n", "text/plain; charset=utf-8"));
            }};
}

route metrics_route(metrics_registry& registry)
{
    return {
        .path = "/metrics",
        .methods = {"GET", "HEAD"},
        .handle = [&registry](const request_context&, const std::shared_ptr<http_reply>& reply) {
            reply->send(text(200, registry.render(), "text/plain; version=0.0.4; charset=utf-8"));
        }};
}

route static_files_route(static_cache& files)
{
    return {.path = "/",
            .prefix = true,
            .methods = {"GET", "HEAD"},
            .handle = [&files](const request_context& request,
                               const std::shared_ptr<http_reply>& reply) {
                auto file = files.get(request.target, request.header("accept-encoding"),
                                      request.header("if-none-match"));
                if (file.status == 404)
                    return reply->send(text(404, "not found\n", "text/plain; charset=utf-8"));
                reply->send_file(std::move(file),
                                 is_embed_file(request.target) ? "frame-ancestors 'none'" : "");
            }};
}

} // namespace donna::relay
