// messages_endpoint.cpp: GET /v1/messages: the admin check, the query, the two listings.
#include "api/messages_endpoint.hpp"

#include "api/session_auth.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/json_fields.hpp"
#include "settings/settings_source.hpp"
#include "store/action_store.hpp"
#include "store/database.hpp"
#include "store/memory_store.hpp"
#include "store/sms_store.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <variant>

namespace donna::relay {
namespace {

using json = nlohmann::json;

constexpr std::size_t default_limit = 100;
constexpr std::size_t max_site_chars = 128;

// A column that holds JSON text, as JSON (a row written by hand that is not JSON stays text
// rather than breaking the listing).
json stored_json(const std::string& text)
{
    auto parsed = json::parse(text, nullptr, false);
    return parsed.is_discarded() ? json(text) : parsed;
}

json message_json(const staff_message& m)
{
    return {{"id", m.id},
            {"site", m.site},
            {"kind", m.kind},
            {"conversation", m.conversation},
            {"fields", stored_json(m.fields)},
            {"created_at", m.created_at}};
}

// A text's latest delivery report (store/sms_store), or null when none came yet.
json delivery_json(sms_store& sms, const outbox_item& o)
{
    if (o.provider_id.empty())
        return nullptr;
    auto report = sms.delivery_of(o.provider_id);
    if (!report)
        return nullptr;
    return {{"status", report->status},
            {"recipients", stored_json(report->recipients)},
            {"errors", stored_json(report->errors)},
            {"reported_at_ms", report->occurred_at_ms}};
}

json outbox_json(const outbox_item& o, sms_store& sms)
{
    return {{"id", o.id},
            {"site", o.site},
            {"channel", o.channel},
            {"conversation", o.conversation},
            {"recipient", o.recipient},
            {"audience", o.audience},
            {"payload", stored_json(o.payload)},
            {"status", o.status},
            {"attempts", o.attempts},
            {"last_error", o.last_error.empty() ? json(nullptr) : json(o.last_error)},
            {"sent_at", o.sent_at == 0 ? json(nullptr) : json(o.sent_at)},
            {"provider_id", o.provider_id.empty() ? json(nullptr) : json(o.provider_id)},
            {"delivery", delivery_json(sms, o)},
            {"created_at", o.created_at}};
}

struct listing_query {
    std::string site;
    std::size_t limit = default_limit;
};

// The query's site and limit, or the refusal's message.
std::variant<listing_query, std::string> parse_query(std::string_view target)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return std::string("the request target is not a valid URL");
    listing_query q;
    for (const auto& param : url->params()) {
        if (param.key == "site") {
            if (param.value.size() > max_site_chars)
                return "\"site\" is over " + std::to_string(max_site_chars) + " characters";
            q.site = param.value;
        } else if (param.key == "limit") {
            std::size_t n = 0;
            const auto& v = param.value;
            const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc{} || end != v.data() + v.size() || n < 1 ||
                n > action_store::max_list)
                return "\"limit\" must be a whole number from 1 to " +
                       std::to_string(action_store::max_list) + ", got " + quoted_excerpt(v, 20);
            q.limit = n;
        } else {
            return "unknown query parameter " + quoted_excerpt(param.key, 40) +
                   "; use site and limit";
        }
    }
    return q;
}

} // namespace

http_answer messages_request(const messages_http_request& request,
                             const messages_endpoint_deps& deps)
{
    const auto refuse = [&](http_answer answer) {
        deps.metrics.error(answer.code).inc();
        return answer;
    };
    if (auto refused = admin_refusal(request.authorization, *deps.settings.current()))
        return refuse(std::move(*refused));
    if (request.method != "GET" && request.method != "HEAD")
        return refuse(json_error(405, "method_not_allowed", "use GET on /v1/messages"));
    auto query = parse_query(request.target);
    if (auto* bad = std::get_if<std::string>(&query))
        return refuse(json_error(400, "invalid_request", *bad));
    const auto& q = std::get<listing_query>(query);

    action_store actions(deps.db);
    auto messages = actions.list_messages(q.site, q.limit);
    auto outbox = actions.list_outbox(q.site, q.limit);
    if (!messages || !outbox) {
        deps.log.error("messages", "storage: " + (!messages ? messages.error().message
                                                            : outbox.error().message));
        return refuse(json_error(500, "storage_error",
                                 "the relay could not read its database; try again later"));
    }
    json message_list = json::array();
    for (const auto& m : *messages)
        message_list.push_back(message_json(m));
    json outbox_list = json::array();
    sms_store sms(deps.db);
    for (const auto& o : *outbox)
        outbox_list.push_back(outbox_json(o, sms));
    return json_answer(200,
                       {{"messages", std::move(message_list)}, {"outbox", std::move(outbox_list)}});
}

route messages_route(const messages_endpoint_deps& deps)
{
    return {
        .path = "/v1/messages",
        .methods = {"GET", "HEAD"},
        .who = caller::admin,
        .identify = identify_admin(deps.settings),
        .handle = [deps](const request_context& request, const std::shared_ptr<http_reply>& reply) {
            reply->send(messages_request(
                {request.method, request.target, request.header("authorization")}, deps));
        }};
}

} // namespace donna::relay
