// chat_endpoint.cpp: POST /v1/chat's parsing, authorisation and answer shapes.
#include "api/chat_endpoint.hpp"

#include "api/session_auth.hpp"
#include "auth/random_id.hpp"
#include "chat/chat_reply_event.hpp"
#include "chat/chat_service.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/json_fields.hpp"
#include "settings/settings_source.hpp"
#include "upstream/http_client.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

std::string new_message_id()
{
    return "msg_" + random_hex(12);
}

json message_event(const chat_http_call& call, const chat_turn_outcome& outcome)
{
    return chat_reply_event(call.message_id, call.turn.persona, outcome);
}

} // namespace

std::variant<chat_http_call, http_answer> prepare_chat_call(std::string_view body,
                                                            const chat_http_context& context,
                                                            const chat_endpoint_deps& deps)
{
    const auto refuse = [&](int status, std::string_view code, std::string_view message) {
        deps.metrics.error(code).inc();
        return json_error(status, code, message);
    };
    chat_http_call call;
    call.settings = deps.settings.current();
    const auto& settings = *call.settings;

    auto who = authenticate_session(context.authorization, settings, context.origin,
                                    context.self_origin, context.now_unix);
    if (auto* refusal = std::get_if<http_answer>(&who)) {
        deps.metrics.error(refusal->code).inc();
        return std::move(*refusal);
    }
    const auto* claims = &std::get<session_claims>(who);

    const auto doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return refuse(400, "invalid_json", "the body must be a JSON object");
    const auto message = doc.find("message");
    if (message == doc.end())
        return refuse(400, "missing_field", "\"message\" is required: the visitor's text");
    if (!message->is_string())
        return refuse(400, "wrong_type", "\"message\" must be a string");
    auto persona = persona_from_string(claims->persona);
    if (const auto p = doc.find("persona"); p != doc.end()) {
        if (!p->is_string())
            return refuse(400, "wrong_type", "\"persona\" must be a string");
        persona = persona_from_string(p->get<std::string>());
        if (!persona)
            return refuse(400, "unknown_persona",
                          "\"persona\" must be one of general, sales, marketing, receptionist, "
                          "secretary");
    }
    if (!persona)
        return refuse(401, "invalid_session_token", "the token names an unknown persona");
    bool stream = context.accept.find("text/event-stream") != std::string_view::npos;
    if (const auto st = doc.find("stream"); st != doc.end()) {
        if (!st->is_boolean())
            return refuse(400, "wrong_type", "\"stream\" must be true or false");
        stream = st->get<bool>();
    }
    call.turn = chat_turn_request{.conversation_id = claims->token_id,
                                  .visitor_key = claims->token_id,
                                  .persona = *persona,
                                  .text = message->get<std::string>(),
                                  .site = claims->site,
                                  .user_id = claims->user_id};
    call.message_id = new_message_id();
    call.stream = stream;
    return call;
}

http_answer chat_answer(const chat_http_call& call, const chat_turn_outcome& outcome)
{
    if (!outcome.error_code.empty() && !outcome.fallback)
        return json_error(outcome.http_status, outcome.error_code, outcome.error_message);
    auto m = message_event(call, outcome);
    if (outcome.fallback)
        m["error"] = {{"code", outcome.error_code}, {"message", outcome.error_message}};
    http_answer answer;
    answer.body = dump_json(m);
    return answer;
}

std::string sse_data(std::string_view json_text)
{
    return "data: " + std::string(json_text) + "\n\n";
}

std::string chat_stream_delta(const chat_http_call& call, std::string_view delta)
{
    return sse_data(dump_json(donna_chat_delta{call.message_id, std::string(delta)}.to_json()));
}

std::string chat_stream_ending(const chat_http_call& call, const chat_turn_outcome& outcome)
{
    std::string out;
    if (!outcome.error_code.empty())
        out += sse_data(
            dump_json(donna_error{outcome.error_code, outcome.error_message, {}}.to_json()));
    if (outcome.fallback || outcome.error_code.empty())
        out += sse_data(dump_json(message_event(call, outcome)));
    return out;
}

namespace {

// One chat turn, answered whole or as server-sent events as they come.
void handle_chat(const chat_endpoint_deps& deps, const request_context& request,
                 const std::shared_ptr<http_reply>& reply)
{
    const chat_http_context context{request.header("authorization"), request.header("accept"),
                                    request.header("origin"), request.self_origin,
                                    request.now_unix};
    auto prepared = prepare_chat_call(request.body, context, deps);
    if (auto* refusal = std::get_if<http_answer>(&prepared))
        return reply->send(std::move(*refusal));
    auto call = std::make_shared<chat_http_call>(std::move(std::get<chat_http_call>(prepared)));
    reply->stream(event_stream_head());
    chat_turn_events events;
    if (call->stream)
        events.on_delta = [reply, call](std::string_view delta) {
            reply->write(chat_stream_delta(*call, delta));
        };
    events.on_done = [reply, call](const chat_turn_outcome& outcome) {
        const bool refused = !outcome.error_code.empty() && !outcome.fallback;
        if (!call->stream)
            return reply->send(chat_answer(*call, outcome));
        reply->end(refused ? std::optional(chat_answer(*call, outcome)) : std::nullopt,
                   chat_stream_ending(*call, outcome));
    };
    reply->cancel_on_disconnect(
        deps.chat.start_turn(call->settings, call->turn, std::move(events)));
}

} // namespace

route chat_route(const chat_endpoint_deps& deps)
{
    return {
        .path = "/v1/chat",
        .methods = {"POST"},
        .who = caller::visitor,
        .identify = identify_visitor(deps.settings),
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            handle_chat(deps, request, reply);
        }};
}

} // namespace donna::relay
