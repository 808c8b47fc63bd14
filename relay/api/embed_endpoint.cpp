// embed_endpoint.cpp: the query of GET /embed, and the frame-ancestors policy of a site.
#include "api/embed_endpoint.hpp"

#include "config/sites.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/donna_events.hpp"
#include "protocol/json_fields.hpp"
#include "server/static_cache.hpp"
#include "settings/settings_source.hpp"

#include <boost/url/parse.hpp>

#include <optional>
#include <utility>

namespace donna::relay {
namespace {

// Query values are echoed in the refusal (printable ASCII, cut after this many characters).
constexpr std::size_t max_echoed_chars = 64;

http_answer refusal(int status, std::string_view code, std::string message)
{
    return http_answer{
        status, std::move(message) + "\n", "text/plain; charset=utf-8", {}, std::string(code)};
}

// The first value of `key`, decoded ("" for "?key"); nullopt when absent.
std::optional<std::string> first_param(const boost::urls::url_view& url, std::string_view key)
{
    const auto params = url.params();
    const auto it = params.find(key);
    if (it == params.end())
        return std::nullopt;
    return std::string((*it).value);
}

} // namespace

std::string frame_ancestors_policy(const site& s)
{
    std::string policy = "frame-ancestors";
    for (const auto& origin : s.allowed_origins)
        policy += origin == "self" ? std::string(" 'self'") : " " + origin;
    return policy;
}

std::variant<embed_page, http_answer> embed_request(std::string_view target,
                                                    const site_directory& sites)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return refusal(400, "invalid_request", "the request target is not a valid URL");
    const auto site_id = first_param(*url, "site");
    if (!site_id || site_id->empty())
        return refusal(
            404, "unknown_site",
            "no site given: the embed page is /embed?site=<site id>[&persona=<persona>]");
    const site* s = sites.find(*site_id);
    if (s == nullptr)
        return refusal(404, "unknown_site",
                       "no site " + quoted_excerpt(*site_id, max_echoed_chars) +
                           " is configured on this DONNA relay");
    if (const auto persona = first_param(*url, "persona");
        persona && !persona->empty() && !persona_from_string(*persona))
        return refusal(400, "unknown_persona",
                       "persona " + quoted_excerpt(*persona, max_echoed_chars) +
                           " is not one of general, sales, marketing, receptionist, secretary");
    return embed_page{frame_ancestors_policy(*s)};
}

route embed_route(const embed_endpoint_deps& deps)
{
    return {
        .path = "/embed",
        .methods = {"GET", "HEAD"},
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            auto embed = embed_request(request.target, deps.settings.current()->cfg.sites);
            if (auto* refused = std::get_if<http_answer>(&embed)) {
                deps.metrics.error(refused->code).inc();
                return reply->send(std::move(*refused));
            }
            auto file = deps.files.get(embed_file_target, request.header("accept-encoding"),
                                       request.header("if-none-match"));
            if (file.status == 404)
                return reply->send(refusal(404, "not_found",
                                           "index.html is missing from the relay's web root "
                                           "(DONNA_WEB_ROOT)"));
            reply->send_file(std::move(file),
                             std::move(std::get<embed_page>(embed).content_security_policy));
        }};
}

} // namespace donna::relay
