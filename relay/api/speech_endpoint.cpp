// speech_endpoint.cpp: /v1/speech and /v1/voices' parsing, authorisation and answers.
#include "api/speech_endpoint.hpp"

#include "api/session_auth.hpp"
#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/json_fields.hpp"
#include "settings/settings_source.hpp"
#include "store/database.hpp"
#include "store/memory_store.hpp"
#include "upstream/http_client.hpp"
#include "voice/speech_service.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

http_answer json_answer(int status, std::string body)
{
    return {status, std::move(body), "application/json", {{"Cache-Control", "no-store"}}, ""};
}

bool is_multipart(std::string_view content_type)
{
    constexpr std::string_view prefix = "multipart/form-data";
    if (content_type.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(content_type[i])) != prefix[i])
            return false;
    return content_type.find("boundary=") != std::string_view::npos;
}

} // namespace

std::variant<speech_http_call, http_answer> prepare_speech_call(std::string_view body,
                                                                const voice_http_context& context,
                                                                const speech_endpoint_deps& deps)
{
    const auto refuse = [&](int status, std::string_view code, std::string_view message) {
        deps.metrics.error(code).inc();
        return json_error(status, code, message);
    };
    speech_http_call call;
    call.settings = deps.settings.current();
    auto who = authenticate_session(context.authorization, *call.settings, context.origin,
                                    context.self_origin, context.now_unix);
    if (auto* refusal = std::get_if<http_answer>(&who)) {
        deps.metrics.error(refusal->code).inc();
        return std::move(*refusal);
    }
    call.visitor_key = std::get<session_claims>(who).token_id;

    const auto doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return refuse(400, "invalid_json",
                      "the body must be a JSON object like {\"text\":\"...\"}");
    const auto text = doc.find("text");
    if (text == doc.end())
        return refuse(400, "missing_field", "\"text\" is required: what DONNA should say");
    if (!text->is_string())
        return refuse(400, "wrong_type", "\"text\" must be a string");
    call.request.text = text->get<std::string>();
    for (const auto& [name, target] : {std::pair{"voice_id", &call.request.voice_id},
                                       std::pair{"output_format", &call.request.output_format}}) {
        const auto it = doc.find(name);
        if (it == doc.end())
            continue;
        if (!it->is_string())
            return refuse(400, "wrong_type", "\"" + std::string(name) + "\" must be a string");
        *target = it->get<std::string>();
    }
    return call;
}

std::variant<std::shared_ptr<const live_settings>, http_answer>
authorize_voice_list(const voice_http_context& context, const speech_endpoint_deps& deps)
{
    auto settings = deps.settings.current();
    if (is_admin(context.authorization, *settings))
        return settings;
    auto who = authenticate_session(context.authorization, *settings, context.origin,
                                    context.self_origin, context.now_unix);
    if (auto* refusal = std::get_if<http_answer>(&who)) {
        deps.metrics.error(refusal->code).inc();
        return std::move(*refusal);
    }
    return settings;
}

std::variant<std::shared_ptr<const live_settings>, http_answer>
authorize_add_voice(const voice_http_context& context, std::size_t body_size,
                    const speech_endpoint_deps& deps)
{
    auto settings = deps.settings.current();
    const auto refuse = [&](int status, std::string_view code, std::string_view message) {
        deps.metrics.error(code).inc();
        return json_error(status, code, message);
    };
    if (settings->cfg.admin_token.empty())
        return refuse(403, "admin_required",
                      "voice cloning is for staff: DONNA_ADMIN_TOKEN is not set on the relay");
    if (!is_admin(context.authorization, *settings))
        return refuse(context.authorization.empty() ? 401 : 403, "admin_required",
                      "voice cloning needs Authorization: Bearer <DONNA_ADMIN_TOKEN>");
    if (!is_multipart(context.content_type))
        return refuse(415, "unsupported_media_type",
                      "send multipart/form-data with name and one or more files (audio samples)");
    if (body_size == 0)
        return refuse(400, "missing_field", "the upload is empty: name and files are required");
    return settings;
}

http_answer speech_stream_head(const speech_http_call& call)
{
    http_answer head;
    head.content_type = speech_content_type(call.request.output_format);
    head.headers = {{"Cache-Control", "no-store"},
                    {"X-Donna-Audio-Format", call.request.output_format}};
    return head;
}

http_answer speech_refusal(const speech_outcome& outcome)
{
    return json_error(outcome.http_status, outcome.error_code, outcome.error_message);
}

http_answer voice_list_answer(const voice_answer& answer, const live_settings& settings)
{
    if (!answer.error_code.empty())
        return json_error(answer.http_status, answer.error_code, answer.error_message);
    auto doc = json::parse(answer.json, nullptr, false);
    if (doc.is_object())
        doc["default_voice_id"] = settings.cfg.default_voice_id;
    return json_answer(200, dump_json(doc) + "\n");
}

http_answer add_voice_answer(const voice_answer& answer, const speech_endpoint_deps& deps,
                             std::int64_t now_unix)
{
    if (!answer.error_code.empty())
        return json_error(answer.http_status, answer.error_code, answer.error_message);
    const auto doc = json::parse(answer.json, nullptr, false);
    const auto id = doc.is_object() && doc.contains("voice_id") && doc["voice_id"].is_string()
                        ? doc["voice_id"].get<std::string>()
                        : std::string();
    if (id.empty())
        return json_error(502, "upstream_error",
                          "ElevenLabs accepted the voice but its answer has no voice_id");
    if (auto written = audit(deps.db, now_unix, "voice", "", id, "voice cloned by staff"); !written)
        deps.log.error("audit", "cannot write the audit log: " + written.error().message);
    return json_answer(200, answer.json);
}

namespace {

voice_http_context voice_context(const request_context& request)
{
    return {request.header("authorization"), request.header("origin"), request.self_origin,
            request.header("content-type"), request.now_unix};
}

// ElevenLabs' audio relayed chunk by chunk.
void handle_speech(const speech_endpoint_deps& deps, const request_context& request,
                   const std::shared_ptr<http_reply>& reply)
{
    auto prepared = prepare_speech_call(request.body, voice_context(request), deps);
    if (auto* refusal = std::get_if<http_answer>(&prepared))
        return reply->send(std::move(*refusal));
    auto call = std::make_shared<speech_http_call>(std::move(std::get<speech_http_call>(prepared)));
    reply->stream(speech_stream_head(*call));
    speech_events events;
    events.on_audio = [reply](std::string_view bytes) {
        reply->write(std::string(bytes));
    };
    events.on_done = [reply](const speech_outcome& outcome) {
        if (outcome.error_code.empty())
            return reply->end(std::nullopt, {});
        // Cut short once audio went out: the caller must not take it for complete.
        reply->end(speech_refusal(outcome), {}, true);
    };
    reply->cancel_on_disconnect(
        deps.speech.speak(call->settings, call->request, call->visitor_key, std::move(events)));
}

// GET: the cached voice list; POST (admin): a cloned voice from the uploaded samples.
void handle_voices(const speech_endpoint_deps& deps, request_context request,
                   const std::shared_ptr<http_reply>& reply)
{
    const auto context = voice_context(request);
    if (request.method == "GET") {
        auto authorized = authorize_voice_list(context, deps);
        if (auto* refusal = std::get_if<http_answer>(&authorized))
            return reply->send(std::move(*refusal));
        auto settings = std::get<std::shared_ptr<const live_settings>>(authorized);
        return deps.speech.voices(settings, [reply, settings](const voice_answer& answer) {
            reply->send(voice_list_answer(answer, *settings));
        });
    }
    auto authorized = authorize_add_voice(context, request.body.size(), deps);
    if (auto* refusal = std::get_if<http_answer>(&authorized))
        return reply->send(std::move(*refusal));
    auto settings = std::get<std::shared_ptr<const live_settings>>(authorized);
    std::string content_type(request.header("content-type"));
    deps.speech.add_voice(settings, std::move(content_type), std::move(request.body),
                          [reply, deps](const voice_answer& answer) {
                              reply->send(add_voice_answer(answer, deps, unix_now()));
                          });
}

} // namespace

route speech_route(const speech_endpoint_deps& deps)
{
    return {
        .path = "/v1/speech",
        .methods = {"POST"},
        .who = caller::visitor,
        .identify = identify_visitor(deps.settings),
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            handle_speech(deps, request, reply);
        }};
}

route voices_route(const speech_endpoint_deps& deps)
{
    return {.path = "/v1/voices",
            .methods = {"GET", "POST"},
            .who = caller::admin,
            .identify = identify_admin(deps.settings),
            // Voice samples: DONNA_VOICE_UPLOAD_MAX_BYTES, for the admin's POST only.
            .upload_limit = voice_upload_limit(deps.settings, "POST"),
            .handle = [deps](request_context request, const std::shared_ptr<http_reply>& reply) {
                handle_voices(deps, std::move(request), reply);
            }};
}

} // namespace donna::relay
