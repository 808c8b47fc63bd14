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
            if (same_name(key, name))
                return value;
        return {};
    }

private:
    static bool same_name(std::string_view a, std::string_view b)
    {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const auto lower = [](char c) {
                return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
            };
            if (lower(a[i]) != lower(b[i]))
                return false;
        }
        return true;
    }
};

} // namespace donna::relay
