// http_answer.cpp: the shared error body.
#include "http/http_answer.hpp"

#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {

std::string error_body(std::string_view code, std::string_view message)
{
    const nlohmann::json body = {{"error",
                                  {{"message", message},
                                   {"type", "invalid_request_error"},
                                   {"code", code},
                                   {"param", nullptr}}}};
    return body.dump();
}

http_answer json_error(int status, std::string_view code, std::string_view message)
{
    return http_answer{
        status, error_body(code, message) + "\n", "application/json", {}, std::string(code)};
}

http_answer json_answer(int status, const nlohmann::json& body)
{
    return {
        status, dump_json(body) + "\n", "application/json", {{"Cache-Control", "no-store"}}, ""};
}

http_answer event_stream_head()
{
    http_answer head;
    head.content_type = "text/event-stream; charset=utf-8";
    head.headers = {{"Cache-Control", "no-cache"}};
    return head;
}

} // namespace donna::relay
