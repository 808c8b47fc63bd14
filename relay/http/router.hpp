// router.hpp: the relay's route table: one row per endpoint, saying the methods, the path (or
// path prefix), who may call it, how large a body it takes and which handler answers. The
// server looks a request up here once its head is read; the rows are built in one place
// (api/routes.cpp), so every path the relay serves is written there and nowhere else.
//
//   router table({{.path = "/healthz", .methods = {"GET", "HEAD"}, .handle = healthz},
//                 {.path = "/v1/chat", .methods = {"POST"}, .who = caller::visitor, ...}});
//   const auto* r = table.find(request.path(), is_upgrade);
//   if (!r) -> 404;  else if (!allows(*r, request.method)) -> method_not_allowed(*r, ...);
//   else r->handle(std::move(request), reply);
#pragma once

#include "http/http_answer.hpp"
#include "http/http_reply.hpp"
#include "http/request_context.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

// The body every route takes at most unless its row says otherwise.
inline constexpr std::size_t default_body_limit = std::size_t{64} * 1024;

using route_handler = std::function<void(request_context, const std::shared_ptr<http_reply>&)>;

struct route {
    std::string_view path = {}; // e.g. "/v1/chat"
    bool prefix = false;        // also "/v1/memory/<anything>"; "/" matches every path
    std::vector<std::string_view> methods = {}; // e.g. {"GET", "HEAD"}
    caller who = caller::anyone;
    bool websocket = false; // matched by WebSocket upgrades only (and they by nothing else)
    // Who is calling, from the head (api/session_auth: identify_visitor, identify_admin); the
    // server puts it in the request's context before anything else is decided. nullopt: the
    // credentials do not check out (the handler refuses in its own words).
    std::function<std::optional<request_caller>(const request_context& head)> identify = {};
    // A route taking uploads: the body its own caller (head.caller.who == who) may send with
    // this head, read under DONNA_HTTP_UPLOAD_SECONDS when over the default. Decided before the body is read;
    // anyone else, and every route without it, gets default_body_limit under
    // DONNA_HTTP_BODY_SECONDS.
    std::function<std::size_t(const request_context& head)> upload_limit = {};
    route_handler handle = {};
};

class router {
public:
    explicit router(std::vector<route> routes);

    // The row for a path: an exact path first, else the longest matching prefix. WebSocket
    // rows answer upgrades only, and an upgrade finds nothing else.
    const route* find(std::string_view path, bool upgrade) const;
    const std::vector<route>& routes() const { return routes_; }

private:
    std::vector<route> routes_;
};

bool allows(const route& r, std::string_view method);
// The Allow header's value: "GET, HEAD".
std::string allow_header(const route& r);
// 405 method_not_allowed, with Allow and the same JSON error body as every other error:
// "DELETE is not allowed on /index.html: use GET or HEAD".
http_answer method_not_allowed(const route& r, std::string_view method, std::string_view path);

} // namespace donna::relay
