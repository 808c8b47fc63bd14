// memory_endpoint.cpp: /v1/memory's routes.
#include "api/memory_endpoint.hpp"

#include "api/session_auth.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/json_fields.hpp"
#include "settings/settings_source.hpp"
#include "store/database.hpp"
#include "store/memory_store.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace donna::relay {
namespace {

// The endpoint, and the prefix of one item's path (/v1/memory/<id>).
constexpr std::string_view memory_path = "/v1/memory";

using json = nlohmann::json;

json item_json(const memory_item& item)
{
    return {
        {"id", item.id}, {"kind", item.kind}, {"text", item.text}, {"created_at", item.created_at}};
}

} // namespace

http_answer memory_request(const memory_http_request& request, const memory_endpoint_deps& deps)
{
    const auto settings = deps.settings.current();
    const auto refuse = [&](http_answer answer) {
        deps.metrics.error(answer.code).inc();
        return answer;
    };
    auto who = authenticate_session(request.authorization, *settings, request.origin,
                                    request.self_origin, request.now_unix);
    if (auto* refusal = std::get_if<http_answer>(&who))
        return refuse(std::move(*refusal));
    const auto& claims = std::get<session_claims>(who);
    if (claims.user_id.empty())
        return refuse(json_error(403, "user_required",
                                 "memories belong to signed-in users; this session token has "
                                 "no user id"));
    auto& memories = deps.memories;
    const auto storage_failed = [&](const error& e) {
        deps.log.error("memory", "storage: " + e.message);
        return refuse(json_error(500, "storage_error",
                                 "the relay could not read or write "
                                 "its database; try again later"));
    };
    const auto audit_erase = [&](std::int64_t erased, const std::string& which) {
        if (auto written = audit(deps.db, request.now_unix, "memory", claims.site, claims.user_id,
                                 "erased " + which + " (" + std::to_string(erased) + " items)");
            !written)
            deps.log.error("audit", "cannot write the audit log: " + written.error().message);
    };

    const auto rest = request.path.substr(memory_path.size());
    if (!rest.empty()) {
        if (request.method != "DELETE")
            return refuse(
                json_error(405, "method_not_allowed", "DELETE /v1/memory/<id> erases one item"));
        std::int64_t id = 0;
        const auto digits = rest.substr(1);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
        if (rest.front() != '/' || ec != std::errc{} || end != digits.data() + digits.size())
            return refuse(json_error(404, "not_found", "no such memory item"));
        auto erased = memories.erase(claims.site, claims.user_id, id);
        if (!erased)
            return storage_failed(erased.error());
        if (*erased == 0)
            return refuse(json_error(404, "not_found", "no such memory item"));
        audit_erase(*erased, "item " + std::to_string(id));
        return json_answer(200, {{"erased", *erased}});
    }
    if (request.method == "GET") {
        auto items = memories.list(claims.site, claims.user_id);
        if (!items)
            return storage_failed(items.error());
        json list = json::array();
        for (const auto& item : *items)
            list.push_back(item_json(item));
        return json_answer(200, {{"user_id", claims.user_id}, {"items", std::move(list)}});
    }
    if (request.method == "DELETE") {
        auto erased = memories.erase_all(claims.site, claims.user_id);
        if (!erased)
            return storage_failed(erased.error());
        audit_erase(*erased, "everything");
        return json_answer(200, {{"erased", *erased}});
    }
    if (request.method == "POST") {
        const auto doc = json::parse(request.body, nullptr, false);
        if (doc.is_discarded() || !doc.is_object())
            return refuse(json_error(400, "invalid_json",
                                     "the body must be a JSON object like "
                                     "{\"kind\":\"fact\",\"text\":\"...\"}"));
        const auto kind = doc.find("kind");
        const auto text = doc.find("text");
        if (kind == doc.end() || !kind->is_string() || text == doc.end() || !text->is_string())
            return refuse(
                json_error(400, "missing_field", "\"kind\" and \"text\" (strings) are required"));
        auto added = memories.add(claims.site, claims.user_id, kind->get<std::string>(),
                                  text->get<std::string>(), request.now_unix);
        if (!added) {
            if (added.error().code == errc::invalid_argument)
                return refuse(json_error(400, "invalid_argument", added.error().message));
            if (added.error().code == errc::rate_limited)
                return refuse(json_error(429, "rate_limited", added.error().message));
            return storage_failed(added.error());
        }
        return json_answer(201, item_json(*added));
    }
    return refuse(json_error(405, "method_not_allowed", "use GET, POST or DELETE on /v1/memory"));
}

route memory_route(const memory_endpoint_deps& deps)
{
    return {
        .path = memory_path,
        .prefix = true,
        .methods = {"GET", "POST", "DELETE"},
        .who = caller::visitor,
        .identify = identify_visitor(deps.settings),
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            reply->send(memory_request({request.method, request.path(),
                                        request.header("authorization"), request.header("origin"),
                                        request.self_origin, request.body, request.now_unix},
                                       deps));
        }};
}

} // namespace donna::relay
