// voice_chat_endpoint.cpp: POST /v1/voice-chat's parsing, authorisation and events.
#include "api/voice_chat_endpoint.hpp"

#include "api/chat_endpoint.hpp"
#include "api/session_auth.hpp"
#include "audio/base64.hpp"
#include "auth/random_id.hpp"
#include "chat/chat_reply_event.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/json_fields.hpp"
#include "providers/elevenlabs/elevenlabs_api.hpp"
#include "settings/settings_source.hpp"
#include "upstream/http_client.hpp"
#include "voice/voice_chat_service.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

std::string event(const json& j)
{
    return sse_data(dump_json(j));
}

std::string reply_id(const voice_chat_http_call& call)
{
    return call.turn_id + "-reply";
}

} // namespace

std::variant<voice_chat_http_call, http_answer>
prepare_voice_chat_call(std::string_view body, const voice_chat_http_context& context,
                        const voice_chat_endpoint_deps& deps)
{
    const auto refuse = [&](int status, std::string_view code, std::string_view message) {
        deps.metrics.error(code).inc();
        return json_error(status, code, message);
    };
    voice_chat_http_call call;
    call.settings = deps.settings.current();
    const auto& cfg = call.settings->cfg;
    auto who = authenticate_session(context.authorization, *call.settings, context.origin,
                                    context.self_origin, context.now_unix);
    if (auto* refusal = std::get_if<http_answer>(&who)) {
        deps.metrics.error(refusal->code).inc();
        return std::move(*refusal);
    }
    const auto& claims = std::get<session_claims>(who);

    auto persona = persona_from_string(claims.persona);
    const auto url = boost::urls::parse_origin_form(context.target);
    if (!url)
        return refuse(400, "invalid_query", "the request target is not a valid path and query");
    const auto params = url->params();
    if (const auto p = params.find("persona"); p != params.end()) {
        persona = persona_from_string(std::string((*p).value));
        if (!persona)
            return refuse(400, "unknown_persona",
                          "persona must be one of general, sales, marketing, receptionist, "
                          "secretary");
    }
    if (!persona)
        return refuse(401, "invalid_session_token", "the token names an unknown persona");
    if (const auto v = params.find("voice_id"); v != params.end()) {
        call.request.voice_id = std::string((*v).value);
        if (!is_voice_id(call.request.voice_id))
            return refuse(400, "invalid_voice_id",
                          "a voice id is letters and digits, as GET /v1/voices lists them");
    }

    auto audio = convert_voice_upload(context.content_type, body, cfg.voice_chat_max_seconds);
    if (auto* e = std::get_if<voice_upload_error>(&audio))
        return refuse(e->http_status, e->code, e->message);
    call.request.audio = std::move(std::get<voice_turn_audio>(audio));
    call.request.turn = chat_turn_request{.conversation_id = claims.token_id,
                                          .visitor_key = claims.token_id,
                                          .persona = *persona,
                                          .text = {},
                                          .site = claims.site,
                                          .user_id = claims.user_id};
    call.turn_id = "vc_" + random_hex(12);
    return call;
}

std::string voice_chat_transcript_event(const voice_chat_http_call& call, std::string_view text)
{
    return event({{"type", "donna.voice.transcript"}, {"id", call.turn_id}, {"text", text}});
}

std::string voice_chat_delta_event(const voice_chat_http_call& call, std::string_view delta)
{
    return event(donna_chat_delta{reply_id(call), std::string(delta)}.to_json());
}

std::string voice_chat_reply_event(const voice_chat_http_call& call, const chat_turn_outcome& reply)
{
    return event(chat_reply_event(reply_id(call), call.request.turn.persona, reply));
}

std::string voice_chat_audio_event(const voice_chat_http_call& call, std::string_view pcm)
{
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(pcm.data());
    return event({{"type", "donna.voice.audio"},
                  {"id", reply_id(call)},
                  {"format", "pcm_24000"},
                  {"audio", base64_encode(std::span(bytes, pcm.size()))}});
}

std::string voice_chat_ending(const voice_chat_http_call& call, const voice_chat_outcome& outcome)
{
    std::string out;
    if (!outcome.error_code.empty())
        out += event(donna_error{outcome.error_code, outcome.error_message, {}}.to_json());
    out += event({{"type", "donna.voice.done"},
                  {"id", call.turn_id},
                  {"transcript", outcome.transcript},
                  {"audio_bytes", outcome.audio_bytes}});
    return out;
}

http_answer voice_chat_refusal(const voice_chat_outcome& outcome)
{
    return json_error(outcome.http_status, outcome.error_code, outcome.error_message);
}

namespace {

// Transcript, reply and speech as server-sent events.
void handle_voice_chat(const voice_chat_endpoint_deps& deps, request_context request,
                       const std::shared_ptr<http_reply>& reply)
{
    const voice_chat_http_context context{request.target,
                                          request.header("authorization"),
                                          request.header("content-type"),
                                          request.header("origin"),
                                          request.self_origin,
                                          request.now_unix};
    auto prepared = prepare_voice_chat_call(request.body, context, deps);
    if (auto* refusal = std::get_if<http_answer>(&prepared))
        return reply->send(std::move(*refusal));
    auto call =
        std::make_shared<voice_chat_http_call>(std::move(std::get<voice_chat_http_call>(prepared)));
    request.body = {}; // the recording is converted: do not hold it for the whole turn
    reply->stream(event_stream_head());
    voice_chat_events events;
    events.on_transcript = [reply, call](std::string_view text) {
        reply->write(voice_chat_transcript_event(*call, text));
    };
    events.on_delta = [reply, call](std::string_view delta) {
        reply->write(voice_chat_delta_event(*call, delta));
    };
    events.on_reply = [reply, call](const chat_turn_outcome& answer) {
        if (answer.error_code.empty() || answer.fallback)
            reply->write(voice_chat_reply_event(*call, answer));
    };
    events.on_audio = [reply, call](std::string_view pcm) {
        reply->write(voice_chat_audio_event(*call, pcm));
    };
    events.on_done = [reply, call](const voice_chat_outcome& outcome) {
        reply->end(outcome.error_code.empty() ? std::nullopt
                                              : std::optional(voice_chat_refusal(outcome)),
                   voice_chat_ending(*call, outcome));
    };
    reply->cancel_on_disconnect(
        deps.voice_chat.start(call->settings, std::move(call->request), std::move(events)));
}

} // namespace

route voice_chat_route(const voice_chat_endpoint_deps& deps)
{
    return {.path = "/v1/voice-chat",
            .methods = {"POST"},
            .who = caller::visitor,
            .identify = identify_visitor(deps.settings),
            // A recorded turn: DONNA_VOICE_UPLOAD_MAX_BYTES, once the session token checks out.
            .upload_limit = voice_upload_limit(deps.settings),
            .handle = [deps](request_context request, const std::shared_ptr<http_reply>& reply) {
                handle_voice_chat(deps, std::move(request), reply);
            }};
}

} // namespace donna::relay
