// request_context.hpp: one HTTP request as a route's handler sees it, free of Beast: the
// method, target, headers and body as received, and what the connection knows about it (the
// relay's own origin as the caller reached it, the peer's address, the time it was read).
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

struct request_context {
    std::string method; // "GET", "POST", ...
    std::string target; // the path and query as sent, e.g. "/v1/messages?status=new"
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // as received, in order
    std::string self_origin;  // "http://" or "https://" + Host: the relay as this caller sees it
    std::string peer_address; // the TCP peer ("unknown" when the socket cannot say)
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
