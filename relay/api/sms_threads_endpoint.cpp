// sms_threads_endpoint.cpp: the admin check, the query, the two listings.
#include "api/sms_threads_endpoint.hpp"

#include "api/admin_answers.hpp"
#include "api/session_auth.hpp"
#include "core/contact_address.hpp"
#include "http/http_answer.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "protocol/json_fields.hpp"
#include "settings/settings_source.hpp"
#include "store/sms_store.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <variant>

namespace donna::relay {
namespace {

using json = nlohmann::json;

struct thread_query {
    std::string site;
    std::int64_t position = 0; // cursor (threads) or after (one thread)
    std::size_t limit = 50;
};

// The query's fields, or the refusal's message. `position` is "cursor" or "after".
std::variant<thread_query, std::string> parse_thread_query(std::string_view target,
                                                           std::string_view position)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return std::string("the request target is not a valid URL");
    thread_query q;
    for (const auto& param : url->params()) {
        const std::string& v = param.value;
        if (param.key == "site") {
            q.site = v;
            continue;
        }
        if (param.key != position && param.key != "limit")
            return "unknown query parameter " + quoted_excerpt(param.key, 40) + "; use site, " +
                   std::string(position) + " and limit";
        const auto n = whole_number(v);
        const bool limit = param.key == "limit";
        if (!n || (limit && (*n < 1 || *n > static_cast<std::int64_t>(sms_store::max_list))))
            return "\"" + std::string(param.key) + "\" must be a whole number" +
                   (limit ? " from 1 to 500" : "") + ", got " + quoted_excerpt(v, 24);
        if (limit)
            q.limit = static_cast<std::size_t>(*n);
        else
            q.position = *n;
    }
    return q;
}

json message_json(const sms_message& m)
{
    auto media = json::parse(m.media, nullptr, false);
    return {{"id", m.id},
            {"direction", m.direction},
            {"body", m.body},
            {"media", media.is_discarded() ? json::array() : media},
            {"provider_id", m.provider_id.empty() ? json(nullptr) : json(m.provider_id)},
            {"outbox_id", m.outbox_id == 0 ? json(nullptr) : json(m.outbox_id)},
            {"in_reply_to", m.in_reply_to == 0 ? json(nullptr) : json(m.in_reply_to)},
            {"created_at", m.created_at}};
}

struct threads_handler {
    sms_threads_endpoint_deps deps;
    admin_answers answers{deps.metrics, deps.log, "sms"};

    http_answer refuse(http_answer answer) const { return answers.refuse(std::move(answer)); }
    http_answer storage_error(const error& why) const { return answers.storage_error(why); }

    http_answer threads(const request_context& request) const
    {
        auto query = parse_thread_query(request.target, "cursor");
        if (auto* bad = std::get_if<std::string>(&query))
            return refuse(json_error(400, "invalid_request", *bad));
        const auto& q = std::get<thread_query>(query);
        sms_store sms(deps.db);
        auto page = sms.threads(q.site, q.position, q.limit);
        if (!page)
            return storage_error(page.error());
        json list = json::array();
        for (const auto& t : *page)
            list.push_back({{"site", t.site},
                            {"number", t.number},
                            {"messages", t.messages},
                            {"last_at", t.last_at},
                            {"opted_out", t.opted_out}});
        const bool more = page->size() == q.limit;
        return json_answer(200,
                           {{"threads", std::move(list)},
                            {"next_cursor", more ? json(page->back().last_id) : json(nullptr)}});
    }

    http_answer thread(const request_context& request, std::string_view number) const
    {
        if (!is_e164_phone(number))
            return refuse(json_error(400, "invalid_request",
                                     "a thread is named by an E.164 number: "
                                     "/v1/sms/threads/+15550100199"));
        auto query = parse_thread_query(request.target, "after");
        if (auto* bad = std::get_if<std::string>(&query))
            return refuse(json_error(400, "invalid_request", *bad));
        const auto& q = std::get<thread_query>(query);
        sms_store sms(deps.db);
        auto messages = sms.thread(q.site, std::string(number), q.position, q.limit);
        auto stopped = sms.opted_out(std::string(number));
        if (!messages || !stopped)
            return storage_error(!messages ? messages.error() : stopped.error());
        if (messages->empty() && q.position == 0)
            return refuse(json_error(404, "thread_not_found",
                                     "no texts with " + std::string(number) +
                                         (q.site.empty() ? std::string(" (site \"\": name ?site=)")
                                                         : " on site " + q.site)));
        json list = json::array();
        for (const auto& m : *messages)
            list.push_back(message_json(m));
        const bool more = messages->size() == q.limit;
        return json_answer(200, {{"site", q.site},
                                 {"number", std::string(number)},
                                 {"opted_out", *stopped},
                                 {"messages", std::move(list)},
                                 {"next_after", more ? json(messages->back().id) : json(nullptr)}});
    }
};

} // namespace

route sms_threads_route(const sms_threads_endpoint_deps& deps)
{
    return {.path = sms_threads_path,
            .prefix = true,
            .methods = {"GET", "HEAD"},
            .who = caller::admin,
            .identify = identify_admin(deps.settings),
            .handle = [h = threads_handler{deps}](const request_context& request,
                                                  const std::shared_ptr<http_reply>& reply) {
                if (auto refused =
                        admin_refusal(request.header("authorization"), *h.deps.settings.current()))
                    return reply->send(h.refuse(std::move(*refused)));
                const std::string_view target = request.target;
                const auto path = target.substr(0, target.find('?'));
                if (path == sms_threads_path)
                    return reply->send(h.threads(request));
                // "/v1/sms/threads/<number>", the '+' maybe percent-encoded.
                std::string number(path.substr(sms_threads_path.size() + 1));
                if (number.starts_with("%2B") || number.starts_with("%2b"))
                    number = "+" + number.substr(3);
                reply->send(h.thread(request, number));
            }};
}

} // namespace donna::relay
