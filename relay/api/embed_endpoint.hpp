// embed_endpoint.hpp: GET /embed?site=<id>[&persona=<p>]: the page the browser widget opens in
// its iframe on a customer's website. The page is the client's index.html (its script sees the
// /embed path and takes its token from the widget); what the relay
// adds is `Content-Security-Policy: frame-ancestors <the site's allowed origins>`, so that only
// the site's own pages can show DONNA (and its microphone prompt) in a frame: another page
// cannot frame it to trick a visitor into clicking.
//
//   auto embed = embed_request(req.target(), live->cfg.sites);
//   if (auto* refusal = std::get_if<http_answer>(&embed)) return send(*refusal);  // 404/400
//   serve embed_file_target with header {"Content-Security-Policy",
//                                        std::get<embed_page>(embed).content_security_policy}
//
// The query is read as the page's script reads it (URLSearchParams.get): percent-decoded, the
// first of repeated parameters. An empty persona counts as none (the site's persona).
#pragma once

#include "http/router.hpp"

#include "http/http_answer.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace donna::relay {

struct relay_metrics;
class settings_source;
class static_cache;

struct site;
struct site_directory;

// The static file the endpoint serves, as a request target into the web root.
inline constexpr std::string_view embed_file_target = "/index.html";

struct embed_page {
    std::string content_security_policy; // "frame-ancestors 'self' https://www.acme.example"
};

// The embed page's policy for a site, or a text/plain refusal naming the problem: 404
// unknown_site (no site parameter, or no such site), 400 unknown_persona, 400 invalid_request
// (a target that is not a URL). The refusal's `code` is what donna_errors_total counts.
std::variant<embed_page, http_answer> embed_request(std::string_view target,
                                                    const site_directory& sites);

// "frame-ancestors " + the site's allowed origins ("self" becomes 'self'), space-separated.
std::string frame_ancestors_policy(const site& s);

// What this endpoint uses of the relay, handed over by the composition root.
struct embed_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    static_cache& files;
};

// The row of GET /embed.
route embed_route(const embed_endpoint_deps& deps);

} // namespace donna::relay
