// upstream_endpoint.cpp: an upstream URL read with Boost.URL.
#include "upstream/upstream_endpoint.hpp"

#include <boost/url/parse.hpp>

namespace donna::relay {

result<upstream_endpoint> parse_upstream_url(std::string_view url)
{
    const auto parsed = boost::urls::parse_absolute_uri(url);
    const auto invalid = [&] {
        return make_error(errc::invalid_argument,
                          "not an absolute http(s) or ws(s) URL: " + std::string(url));
    };
    if (!parsed || parsed->encoded_host().empty())
        return invalid();
    const auto scheme = parsed->scheme();
    const bool tls = scheme == "https" || scheme == "wss";
    if (!tls && scheme != "http" && scheme != "ws")
        return invalid();
    upstream_endpoint e;
    e.tls = tls;
    e.host = std::string(parsed->host());
    e.port = parsed->port().empty() ? (tls ? "443" : "80") : std::string(parsed->port());
    e.host_header = parsed->port().empty() ? e.host : e.host + ":" + e.port;
    e.target = std::string(parsed->encoded_resource());
    if (e.target.empty())
        e.target = "/";
    return e;
}

} // namespace donna::relay
