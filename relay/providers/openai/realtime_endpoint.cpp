// realtime_endpoint.cpp: OPENAI_BASE_URL read with Boost.URL.
#include "providers/openai/realtime_endpoint.hpp"

#include "config/config.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace donna::relay {

result<endpoint_info> realtime_endpoint(const config& cfg)
{
    auto base = boost::urls::parse_absolute_uri(cfg.openai_base_url);
    if (!base)
        return make_error(errc::invalid_argument, "OPENAI_BASE_URL is not a URL");
    endpoint_info info;
    info.tls = base->scheme() == "https";
    info.host = std::string(base->host());
    info.port = base->port().empty() ? (info.tls ? "443" : "80") : std::string(base->port());
    info.host_header =
        base->port().empty() ? info.host : info.host + ":" + std::string(base->port());
    boost::urls::url target("/");
    std::string path = std::string(base->path());
    while (!path.empty() && path.back() == '/')
        path.pop_back();
    target.set_path(path + "/realtime");
    target.params().set("model", cfg.openai_realtime_model);
    info.target = std::string(target.encoded_resource());
    return info;
}

} // namespace donna::relay
