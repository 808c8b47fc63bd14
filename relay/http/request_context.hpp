// request_context.hpp: one HTTP request as a route's handler sees it, free of Beast: the
// method, target, headers and body as received, and what the connection knows about it (the
// relay's own origin as the caller reached it, the peer's address, the caller its route
// identified from the head, the time it was read).
//
//   void handle(request_context request, std::shared_ptr<http_reply> reply)
//   {
//       const auto token = bearer_token(request.header("authorization"));
//       ...
//   }
#pragma once

#include "core/ascii.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace donna::relay {

// Who may call a route (its row says it), and who a request comes from.
enum class caller {
    anyone,  // public: health, metrics, static files, the session token's own issue
    visitor, // a session token (POST /v1/session) in Authorization or the subprotocol
    admin,   // DONNA_ADMIN_TOKEN
    webhook, // a signed callback from an upstream service
};

// The caller a route's row identified from the request's head, before the body is read. `who`
// stays `anyone` when the row identifies no one or the credentials did not check out (the
// handler then refuses in its own words).
struct request_caller {
    caller who = caller::anyone;
    std::string id;   // a visitor's session token id, "admin", a webhook's sender
    std::string site; // a visitor's site
};

struct request_context {
    std::string method; // "GET", "POST", ...
    std::string target; // the path and query as sent, e.g. "/v1/messages?status=new"
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // as received, in order
    std::string self_origin;  // "http://" or "https://" + Host: the relay as this caller sees it
    std::string peer_address; // the TCP peer ("unknown" when the socket cannot say)
    request_caller caller;    // from the route's identify(), once the head is read
    std::int64_t now_unix = 0;

    // The target without its query.
    std::string_view path() const
    {
        const std::string_view t = target;
        return t.substr(0, t.find('?'));
    }

    // The first header of that name (ASCII case-insensitive), or "" when absent.
    std::string_view header(std::string_view name) const
    {
        for (const auto& [key, value] : headers)
            if (ascii_equal_ignoring_case(key, name))
                return value;
        return {};
    }
};

} // namespace donna::relay
