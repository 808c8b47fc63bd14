// session_endpoint.cpp: validation order: body, site, origin, persona; then sign.
#include "api/session_endpoint.hpp"

#include "api/realtime_auth.hpp"
#include "api/session_auth.hpp"
#include "core/contact_address.hpp"
#include "metrics/relay_metrics.hpp"
#include "settings/settings_source.hpp"
#include "store/memory_store.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

void allow_origin(http_answer& answer, std::string_view origin)
{
    answer.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    answer.headers.emplace_back("Vary", "Origin");
}

} // namespace

http_answer issue_session_token(std::string_view body, const session_request_context& context,
                                const live_settings& settings, phone_link* link)
{
    const auto request = nlohmann::json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object())
        return json_error(400, "invalid_json",
                          "the body must be a JSON object like "
                          "{\"site\":\"acme\"}");
    const auto site_field = request.find("site");
    if (site_field == request.end() || !site_field->is_string())
        return json_error(400, "missing_field", "\"site\" (a string) is required");
    const auto& site_id = site_field->get_ref<const std::string&>();
    const site* s = settings.cfg.sites.find(site_id);
    if (s == nullptr)
        return json_error(404, "unknown_site", "no site \"" + site_id + "\" is configured");
    const bool admin = is_admin(context.authorization, settings);
    if (context.origin.empty() && !admin)
        return json_error(403, "origin_required",
                          "an Origin header is required (session tokens are for browsers)");
    if (!context.origin.empty() &&
        !settings.cfg.sites.origin_allowed(*s, context.origin, context.self_origin))
        return json_error(403, "origin_not_allowed",
                          std::string(context.origin) + " may not use site \"" + site_id + "\"");

    auto persona = s->persona;
    if (const auto p = request.find("persona"); p != request.end() && !p->is_null()) {
        const auto parsed =
            p->is_string() ? persona_from_string(p->get<std::string>()) : std::nullopt;
        if (!parsed) {
            auto answer = json_error(400, "unknown_persona",
                                     "\"persona\" must be one of general, sales, marketing, "
                                     "receptionist, secretary");
            allow_origin(answer, context.origin);
            return answer;
        }
        persona = *parsed;
    }

    session_claims claims;
    if (const auto u = request.find("user_id"); u != request.end() && !u->is_null()) {
        if (!admin)
            return json_error(403, "admin_token_required",
                              "a token for a signed-in user (\"user_id\") is issued only to "
                              "the business's server, with Authorization: Bearer "
                              "<DONNA_ADMIN_TOKEN>");
        if (!u->is_string() || u->get<std::string>().empty() || u->get<std::string>().size() > 128)
            return json_error(400, "invalid_argument",
                              "\"user_id\" must be a string of 1 to 128 characters");
        claims.user_id = u->get<std::string>();
    }
    std::string phone;
    if (const auto p = request.find("phone"); p != request.end() && !p->is_null()) {
        if (claims.user_id.empty())
            return json_error(400, "invalid_argument",
                              "\"phone\" links a signed-in user's number: it needs \"user_id\"");
        if (!p->is_string() || !is_e164_phone(p->get<std::string>()))
            return json_error(400, "invalid_argument",
                              "\"phone\" must be a number in E.164 form (+15550100199)");
        phone = p->get<std::string>();
    }
    claims.site = s->id;
    claims.persona = std::string(to_string(persona));
    claims.issued_at = context.now_unix;
    claims.expires_at = context.now_unix + settings.cfg.token_ttl_seconds;
    const auto token = settings.signer.issue(claims);
    const auto& profile = settings.personas.get(persona);

    const nlohmann::json answer_body = {
        {"token", token},
        {"expires_at", claims.expires_at},
        {"expires_in", settings.cfg.token_ttl_seconds},
        {"site", s->id},
        {"persona", claims.persona},
        {"greeting", s->greeting.empty() ? profile.greeting : s->greeting},
        {"realtime_path", realtime_path},
    };
    if (link != nullptr)
        *link = {claims.site, claims.user_id, phone};
    http_answer answer{200, answer_body.dump() + "\n", "application/json", {}};
    answer.headers.emplace_back("Cache-Control", "no-store");
    allow_origin(answer, context.origin);
    return answer;
}

http_answer session_preflight(const session_request_context& context, const live_settings& settings)
{
    for (const auto& s : settings.cfg.sites.sites) {
        if (settings.cfg.sites.origin_allowed(s, context.origin, context.self_origin)) {
            http_answer answer{204, "", "text/plain", {}};
            allow_origin(answer, context.origin);
            answer.headers.emplace_back("Access-Control-Allow-Methods", "POST");
            answer.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type");
            answer.headers.emplace_back("Access-Control-Max-Age", "600");
            return answer;
        }
    }
    return json_error(403, "origin_not_allowed",
                      std::string(context.origin) + " is not allowed by any site");
}

route session_route(const session_endpoint_deps& deps)
{
    return {
        .path = "/v1/session",
        .methods = {"POST", "OPTIONS"},
        .who = caller::anyone,
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            const session_request_context context{request.header("origin"), request.self_origin,
                                                  request.now_unix,
                                                  request.header("authorization")};
            const auto settings = deps.settings.current();
            if (request.method == "OPTIONS")
                return reply->send(session_preflight(context, *settings));
            phone_link link;
            auto answer = issue_session_token(request.body, context, *settings, &link);
            if (answer.status == 200 && !link.phone.empty() && deps.db != nullptr) {
                // The link is what the business asked for: a token answered without it
                // would leave the user's calls unknown, so its failure is the answer.
                memory_store memories(*deps.db);
                if (auto linked =
                        memories.link_phone(link.site, link.phone, link.user_id, request.now_unix);
                    !linked)
                    answer = json_error(503, "storage_error",
                                        "the user's phone could not be linked: " +
                                            linked.error().message);
            }
            if (answer.status == 200)
                deps.metrics.tokens_issued.inc();
            else
                deps.metrics.error(answer.code).inc();
            reply->send(std::move(answer));
        }};
}

} // namespace donna::relay
