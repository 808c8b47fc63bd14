// http_answer.hpp: an HTTP response as plain data, so the endpoints in api/ stay free of
// Beast (quick to compile, easy to test) and server/ turns it into a Beast response.
//
//   return json_error(403, "origin_not_allowed", "https://evil.example may not embed site acme");
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace donna::relay {

struct http_answer {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string code = {}; // error code (what donna_errors_total counts), "" for success
    bool close = false;    // the connection ends after this answer (a refused upgrade)
};

// The error body every DONNA endpoint uses, shaped like OpenAI's so the same client code reads
// both: {"error":{"message":"...","type":"invalid_request_error","code":"...","param":null}}.
http_answer json_error(int status, std::string_view code, std::string_view message);

// A JSON answer (not cached: every DONNA answer is about someone's data of the moment).
http_answer json_answer(int status, const nlohmann::json& body);

// The head of a server-sent event stream (text/event-stream, not cached), for
// http_reply::stream().
http_answer event_stream_head();

// The error-body JSON alone (also sent as WebSocket error events' "error" member).
std::string error_body(std::string_view code, std::string_view message);

} // namespace donna::relay
