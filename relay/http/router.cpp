// router.cpp: looking a path up in the route table, and the 405 answer.
#include "http/router.hpp"

#include <algorithm>
#include <utility>

namespace donna::relay {
namespace {

bool matches(const route& r, std::string_view path)
{
    if (path == r.path)
        return true;
    if (!r.prefix)
        return false;
    if (r.path == "/")
        return true;
    return path.size() > r.path.size() && path.starts_with(r.path) && path[r.path.size()] == '/';
}

} // namespace

router::router(std::vector<route> routes) : routes_(std::move(routes))
{}

const route* router::find(std::string_view path, bool upgrade) const
{
    const route* best = nullptr;
    for (const auto& r : routes_) {
        if (r.websocket != upgrade || !matches(r, path))
            continue;
        if (path == r.path && !r.prefix)
            return &r;
        if (best == nullptr || r.path.size() > best->path.size() ||
            (path == r.path && best->path != path))
            best = &r;
    }
    return best;
}

bool allows(const route& r, std::string_view method)
{
    return std::find(r.methods.begin(), r.methods.end(), method) != r.methods.end();
}

std::string allow_header(const route& r)
{
    std::string out;
    for (const auto m : r.methods) {
        if (!out.empty())
            out += ", ";
        out += m;
    }
    return out;
}

http_answer method_not_allowed(const route& r, std::string_view method, std::string_view path)
{
    std::string methods;
    for (std::size_t i = 0; i < r.methods.size(); ++i) {
        if (i > 0)
            methods += i + 1 == r.methods.size() ? " or " : ", ";
        methods += r.methods[i];
    }
    auto answer = json_error(405, "method_not_allowed",
                             std::string(method) + " is not allowed on " + std::string(path) +
                                 ": use " + methods);
    answer.headers.emplace_back("Allow", allow_header(r));
    return answer;
}

} // namespace donna::relay
