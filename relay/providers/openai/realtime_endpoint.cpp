// realtime_endpoint.cpp: OPENAI_BASE_URL read with Boost.URL.
#include "providers/openai/realtime_endpoint.hpp"

#include "config/config.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace donna::relay {

result<upstream_endpoint> realtime_endpoint(const config& cfg)
{
    auto base = boost::urls::parse_absolute_uri(cfg.openai_base_url);
    if (!base)
        return make_error(errc::invalid_argument, "OPENAI_BASE_URL is not a URL");
    boost::urls::url url(*base);
    url.remove_query().remove_fragment().remove_userinfo();
    std::string path = std::string(base->path());
    while (!path.empty() && path.back() == '/')
        path.pop_back();
    url.set_path(path + "/realtime");
    url.params().set("model", cfg.openai_realtime_model);
    auto endpoint = parse_upstream_url(url.buffer());
    if (!endpoint)
        return make_error(errc::invalid_argument, "OPENAI_BASE_URL is not an http(s) URL");
    return endpoint;
}

} // namespace donna::relay
