// fanout_endpoint.cpp: listing and replaying dead letters.
#include "api/fanout_endpoint.hpp"

#include "api/admin_answers.hpp"
#include "api/session_auth.hpp"
#include "http/http_answer.hpp"
#include "jobs/job_runner.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/json_fields.hpp"
#include "settings/settings_source.hpp"
#include "store/fanout_store.hpp"
#include "store/webhook_store.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <optional>

namespace donna::relay {
namespace {

using json = nlohmann::json;

struct dead_letters_handler {
    fanout_endpoint_deps deps;
    admin_answers answers{deps.metrics, deps.log, "fanout"};

    http_answer refuse(http_answer answer) const { return answers.refuse(std::move(answer)); }
    http_answer storage_error(const error& why) const { return answers.storage_error(why); }

    http_answer list(std::string_view target) const
    {
        const auto url = boost::urls::parse_origin_form(target);
        if (!url)
            return refuse(json_error(400, "invalid_request", "the request target is not a URL"));
        std::string endpoint;
        std::int64_t cursor = 0;
        std::size_t limit = 50;
        for (const auto& param : url->params()) {
            if (param.key == "endpoint") {
                endpoint = param.value;
                continue;
            }
            const auto n = whole_number(param.value);
            if (param.key == "cursor" && n) {
                cursor = *n;
            } else if (param.key == "limit" && n && *n >= 1 &&
                       *n <= static_cast<std::int64_t>(fanout_store::max_list)) {
                limit = static_cast<std::size_t>(*n);
            } else {
                return refuse(json_error(400, "invalid_request",
                                         "use endpoint, cursor (a whole number) and limit (1 to "
                                         "500); got " +
                                             quoted_excerpt(param.key, 40)));
            }
        }
        fanout_store fanout(deps.db);
        webhook_store webhooks(deps.db);
        auto page = fanout.dead_letters(endpoint, cursor, limit);
        if (!page)
            return storage_error(page.error());
        json list = json::array();
        for (const auto& d : *page) {
            auto event = webhooks.get(d.webhook_id);
            list.push_back({{"id", d.id},
                            {"endpoint", d.endpoint},
                            {"event_id", event ? json(event->event_id) : json(nullptr)},
                            {"event_type", event ? json(event->event_type) : json(nullptr)},
                            {"occurred_at_ms", d.occurred_at_ms},
                            {"attempts", d.attempts},
                            {"last_error", d.last_error},
                            {"replays", d.replays},
                            {"created_at_ms", d.created_at_ms}});
        }
        const bool more = page->size() == limit;
        return json_answer(200, {{"dead_letters", std::move(list)},
                                 {"next_cursor", more ? json(page->back().id) : json(nullptr)}});
    }

    http_answer replay(std::string_view rest) const
    {
        // "<id>/replay"
        const auto slash = rest.find('/');
        const auto id = whole_number(rest.substr(0, slash));
        if (!id || slash == std::string_view::npos || rest.substr(slash) != "/replay")
            return refuse(
                json_error(404, "delivery_not_found",
                           "replay a dead letter at /v1/fanout/dead-letters/<id>/replay"));
        fanout_store fanout(deps.db);
        const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        if (auto replayed = fanout.replay(*id, now_ms); !replayed) {
            if (replayed.error().code == errc::not_found)
                return refuse(json_error(404, "delivery_not_found", replayed.error().message));
            if (replayed.error().code == errc::invalid_argument)
                return refuse(json_error(409, "not_dead", replayed.error().message));
            return storage_error(replayed.error());
        }
        deps.jobs.poke();
        deps.log.info("fanout", "dead letter #" + std::to_string(*id) + " replayed by the admin");
        return json_answer(202, {{"id", *id}, {"state", "pending"}});
    }
};

} // namespace

route dead_letters_route(const fanout_endpoint_deps& deps)
{
    return {.path = dead_letters_path,
            .prefix = true,
            .methods = {"GET", "HEAD", "POST"},
            .who = caller::admin,
            .identify = identify_admin(deps.settings),
            .handle = [h = dead_letters_handler{deps}](const request_context& request,
                                                       const std::shared_ptr<http_reply>& reply) {
                if (auto refused =
                        admin_refusal(request.header("authorization"), *h.deps.settings.current()))
                    return reply->send(h.refuse(std::move(*refused)));
                const std::string_view target = request.target;
                const auto path = target.substr(0, target.find('?'));
                if (path == dead_letters_path) {
                    if (request.method == "POST")
                        return reply->send(h.refuse(
                            json_error(405, "method_not_allowed",
                                       "POST /v1/fanout/dead-letters/<id>/replay replays one")));
                    return reply->send(h.list(target));
                }
                if (request.method != "POST")
                    return reply->send(
                        h.refuse(json_error(405, "method_not_allowed", "a replay is a POST")));
                reply->send(h.replay(path.substr(dead_letters_path.size() + 1)));
            }};
}

} // namespace donna::relay
