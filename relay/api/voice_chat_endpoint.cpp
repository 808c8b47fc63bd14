// voice_chat_endpoint.cpp: POST /v1/voice-chat's parsing, authorisation and events.
#include "api/voice_chat_endpoint.hpp"

#include "api/chat_endpoint.hpp"
#include "api/session_auth.hpp"
#include "audio/base64.hpp"
#include "auth/random_id.hpp"
#include "chat/chat_reply_event.hpp"
#include "protocol/json_fields.hpp"
#include "server/services.hpp"
#include "voice/elevenlabs_api.hpp"

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
                        services& services)
{
    const auto refuse = [&](int status, std::string_view code, std::string_view message) {
        services.metrics().error(code).inc();
        return json_error(status, code, message);
    };
    voice_chat_http_call call;
    call.settings = services.settings();
    const auto& cfg = call.settings->cfg;
    auto who = authenticate_session(context.authorization, *call.settings, context.origin,
                                    context.self_origin, context.now_unix);
    if (auto* refusal = std::get_if<http_answer>(&who)) {
        services.metrics().error(refusal->code).inc();
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

} // namespace donna::relay
