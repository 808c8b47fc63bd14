// calls_endpoint.cpp: the admin check, the query and bodies, the provider's answers.
#include "api/calls_endpoint.hpp"

#include "api/admin_answers.hpp"
#include "api/session_auth.hpp"
#include "core/contact_address.hpp"
#include "core/unix_time.hpp"
#include "http/http_answer.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "phone/call_events.hpp"
#include "protocol/json_fields.hpp"
#include "settings/settings_source.hpp"
#include "store/call_store.hpp"
#include "telephony/phone_providers.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <optional>

namespace donna::relay {
namespace {

using json = nlohmann::json;

std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

json stored_or_null(const std::string& text)
{
    if (text.empty())
        return nullptr;
    auto parsed = json::parse(text, nullptr, false);
    return parsed.is_discarded() ? json(text) : parsed;
}

json time_or_null(std::int64_t ms)
{
    return ms == 0 ? json(nullptr) : json(ms);
}

json call_json(const call_record& c)
{
    return {
        {"id", c.id},
        {"site", c.site},
        {"direction", c.direction},
        {"from", c.from},
        {"to", c.to},
        {"status", c.status},
        {"call_control_id", c.call_control_id.empty() ? json(nullptr) : json(c.call_control_id)},
        {"call_session_id", c.call_session_id.empty() ? json(nullptr) : json(c.call_session_id)},
        {"created_at", c.created_at},
        {"answered_at_ms", time_or_null(c.answered_at_ms)},
        {"ended_at_ms", time_or_null(c.ended_at_ms)},
        // How long the call was answered, once it has ended.
        {"duration_seconds", c.answered_at_ms > 0 && c.ended_at_ms >= c.answered_at_ms
                                 ? json((c.ended_at_ms - c.answered_at_ms) / 1000)
                                 : json(nullptr)},
        {"hangup_cause", c.hangup_cause.empty() ? json(nullptr) : json(c.hangup_cause)},
        {"hangup_source", c.hangup_source.empty() ? json(nullptr) : json(c.hangup_source)},
        {"error", c.error.empty() ? json(nullptr) : json(c.error)},
        {"cost", stored_or_null(c.cost)}};
}

// The call with its timeline, and the recordings and transfers the timeline holds.
json call_detail_json(const call_record& c, const std::vector<call_event_row>& timeline)
{
    auto out = call_json(c);
    json events = json::array();
    json recordings = json::array();
    json transfers = json::array();
    for (const auto& e : timeline) {
        auto detail = stored_or_null(e.detail);
        events.push_back(
            {{"type", e.event_type}, {"occurred_at_ms", e.occurred_at_ms}, {"detail", detail}});
        if (e.event_type == "call.recording.saved")
            recordings.push_back(detail);
        else if (e.event_type == "call.bridged")
            transfers.push_back(
                {{"to", detail.is_object() && detail.contains("to") ? detail["to"] : json(nullptr)},
                 {"occurred_at_ms", e.occurred_at_ms}});
    }
    out["timeline"] = std::move(events);
    out["recordings"] = std::move(recordings);
    out["transfers"] = std::move(transfers);
    return out;
}

http_answer provider_refusal(const provider_failure& f)
{
    return json_error(f.http_status, f.code, f.message);
}

std::string random_command_id(std::string_view action, std::int64_t call_id)
{
    unsigned char bytes[8];
    randombytes_buf(bytes, sizeof bytes);
    static constexpr char hex[] = "0123456789abcdef";
    std::string id = "donna-" + std::string(action) + "-" + std::to_string(call_id) + "-";
    for (const auto b : bytes) {
        id += hex[b >> 4];
        id += hex[b & 15];
    }
    return id;
}

bool is_command_id(std::string_view id)
{
    return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
               c == ':' || c == '.';
    });
}

// GET /v1/calls's filters; the refusal's message instead when one is wrong.
std::variant<call_filter, std::string> parse_filter(std::string_view target)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return std::string("the request target is not a valid URL");
    call_filter f;
    for (const auto& param : url->params()) {
        const std::string& v = param.value;
        if (param.key == "site") {
            f.site = v;
        } else if (param.key == "number") {
            if (!is_e164_phone(v))
                return "\"number\" must be an E.164 phone number (+15550100199), got " +
                       quoted_excerpt(v, 24);
            f.number = v;
        } else if (param.key == "direction") {
            if (v != "inbound" && v != "outbound")
                return std::string("\"direction\" is inbound or outbound");
            f.direction = v;
        } else if (param.key == "status") {
            if (v != "dialing" && v != "initiated" && v != "answered" && v != "bridged" &&
                v != "ended" && v != "failed")
                return std::string(
                    "\"status\" is dialing, initiated, answered, bridged, ended or failed");
            f.status = v;
        } else if (param.key == "since" || param.key == "until" || param.key == "cursor" ||
                   param.key == "limit") {
            const auto n = whole_number(v);
            if (!n || (param.key == "limit" &&
                       (*n < 1 || *n > static_cast<std::int64_t>(call_store::max_list))))
                return "\"" + std::string(param.key) + "\" must be a whole number" +
                       (param.key == "limit" ? " from 1 to 200" : "") + ", got " +
                       quoted_excerpt(v, 24);
            if (param.key == "since")
                f.since = *n;
            else if (param.key == "until")
                f.until = *n;
            else if (param.key == "cursor")
                f.before_id = *n;
            else
                f.limit = static_cast<std::size_t>(*n);
        } else {
            return "unknown query parameter " + quoted_excerpt(param.key, 40) +
                   "; use site, number, direction, status, since, until, cursor and limit";
        }
    }
    return f;
}

struct calls_handler {
    calls_endpoint_deps deps;
    admin_answers answers{deps.metrics, deps.log, "calls"};

    http_answer refuse(http_answer answer) const { return answers.refuse(std::move(answer)); }
    http_answer storage_error(const error& why) const { return answers.storage_error(why); }

    void count_command(std::string_view action, std::string_view outcome) const
    {
        deps.metrics.registry
            .get_counter("donna_call_commands_total", "Call commands by action and outcome",
                         {{"action", std::string(action)}, {"outcome", std::string(outcome)}})
            .inc();
    }

    void list(const request_context& request, const std::shared_ptr<http_reply>& reply) const
    {
        auto filter = parse_filter(request.target);
        if (auto* bad = std::get_if<std::string>(&filter))
            return reply->send(refuse(json_error(400, "invalid_request", *bad)));
        const auto& f = std::get<call_filter>(filter);
        call_store calls(deps.db);
        auto page = calls.list(f);
        if (!page)
            return reply->send(storage_error(page.error()));
        json list = json::array();
        for (const auto& c : *page)
            list.push_back(call_json(c));
        const bool more = page->size() == f.limit;
        reply->send(
            json_answer(200, {{"calls", std::move(list)},
                              {"next_cursor", more ? json(page->back().id) : json(nullptr)}}));
    }

    void dial(const request_context& request, const std::shared_ptr<http_reply>& reply) const
    {
        const auto body = json::parse(request.body, nullptr, false);
        if (!body.is_object())
            return reply->send(refuse(json_error(400, "invalid_request",
                                                 "the body must be a JSON object: "
                                                 "{\"to\":\"+15550100199\"}")));
        const auto to = json_string_member(body, "to");
        const auto from = json_string_member(body, "from");
        const auto site = json_string_member(body, "site");
        if (!is_e164_phone(to))
            return reply->send(refuse(json_error(400, "invalid_request",
                                                 "\"to\" must be an E.164 phone number "
                                                 "(+15550100199)")));
        if (!from.empty() && !is_e164_phone(from))
            return reply->send(refuse(
                json_error(400, "invalid_request", "\"from\" must be an E.164 phone number")));
        const auto live = deps.settings.current();
        if (!site.empty() && live->cfg.sites.find(site) == nullptr)
            return reply->send(
                refuse(json_error(400, "invalid_request", "no site " + quoted_excerpt(site, 64))));
        auto* voice = deps.phones.voice(live->cfg);
        if (voice == nullptr)
            return reply->send(
                refuse(json_error(503, "phone_not_configured", "no voice provider is built")));
        call_store calls(deps.db);
        call_record record;
        record.site = site;
        record.direction = "outbound";
        record.from = from.empty() ? live->cfg.telnyx_phone_number : from;
        record.to = to;
        record.created_at = unix_now();
        auto id = calls.create(record);
        if (!id)
            return reply->send(storage_error(id.error()));
        const auto call_id = *id;
        voice->dial({.to = to,
                     .from = from,
                     .client_state = call_client_state(call_id),
                     .command_id = "dial-" + std::to_string(call_id),
                     .timeout_secs = 30},
                    [self = *this, reply, call_id](provider_result<dialed_call> dialed) {
                        call_store store(self.deps.db);
                        if (!dialed) {
                            self.count_command("dial", dialed.failure().code);
                            if (auto marked =
                                    store.failed(call_id, dialed.failure().message, now_ms());
                                !marked)
                                self.deps.log.error("calls", marked.error().message);
                            return reply->send(self.refuse(provider_refusal(dialed.failure())));
                        }
                        self.count_command("dial", "ok");
                        if (auto saved = store.dialed(call_id, dialed->call_control_id,
                                                      dialed->call_leg_id, dialed->call_session_id);
                            !saved)
                            return reply->send(self.storage_error(saved.error()));
                        auto row = store.get(call_id);
                        if (!row)
                            return reply->send(self.storage_error(row.error()));
                        reply->send(json_answer(201, {{"call", call_json(*row)}}));
                    });
    }

    void one(const request_context& request, const std::shared_ptr<http_reply>& reply) const
    {
        // /v1/calls/<id> or /v1/calls/<id>/actions/<action>
        auto rest = std::string_view(request.target).substr(calls_path.size() + 1);
        rest = rest.substr(0, rest.find('?'));
        const auto slash = rest.find('/');
        const auto id = whole_number(rest.substr(0, slash));
        if (!id || *id == 0)
            return reply->send(refuse(
                json_error(404, "call_not_found", "a call is named by its id: /v1/calls/17")));
        call_store calls(deps.db);
        auto call = calls.get(*id);
        if (!call)
            return reply->send(call.error().code == errc::not_found
                                   ? refuse(json_error(404, "call_not_found",
                                                       "there is no call " + std::to_string(*id)))
                                   : storage_error(call.error()));
        if (slash == std::string_view::npos) {
            if (request.method != "GET" && request.method != "HEAD")
                return reply->send(refuse(json_error(405, "method_not_allowed",
                                                     "use GET on a call, POST on its actions")));
            return show(*call, reply);
        }
        constexpr std::string_view actions = "/actions/";
        if (rest.substr(slash, actions.size()) != actions)
            return reply->send(refuse(json_error(404, "unknown_action",
                                                 "a call's actions are at "
                                                 "/v1/calls/<id>/actions/<action>")));
        if (request.method != "POST")
            return reply->send(
                refuse(json_error(405, "method_not_allowed", "use POST on a call's actions")));
        act(*call, rest.substr(slash + actions.size()), request.body, reply);
    }

    void show(const call_record& call, const std::shared_ptr<http_reply>& reply) const
    {
        call_store calls(deps.db);
        auto timeline = calls.timeline(call.id);
        if (!timeline)
            return reply->send(storage_error(timeline.error()));
        auto detail = call_detail_json(call, *timeline);
        const auto live = deps.settings.current();
        auto* voice = deps.phones.voice(live->cfg);
        const bool over = call.status == "ended" || call.status == "failed";
        if (over || call.call_control_id.empty() || voice == nullptr) {
            detail["live"] = nullptr;
            return reply->send(json_answer(200, {{"call", std::move(detail)}}));
        }
        voice->status(
            call.call_control_id, [reply, detail](provider_result<call_status> status) mutable {
                if (status)
                    detail["live"] = {{"is_alive", status->is_alive},
                                      {"duration_seconds", status->duration_seconds}};
                else
                    detail["live"] = {
                        {"error",
                         {{"code", status.failure().code}, {"message", status.failure().message}}}};
                reply->send(json_answer(200, {{"call", std::move(detail)}}));
            });
    }

    void act(const call_record& call, std::string_view action_name, const std::string& text,
             const std::shared_ptr<http_reply>& reply) const
    {
        const auto action = call_action_named(action_name);
        if (!action)
            return reply->send(refuse(json_error(404, "unknown_action",
                                                 "the actions are answer, hangup, transfer, "
                                                 "record_start and record_stop")));
        const auto body = text.empty() ? json::object() : json::parse(text, nullptr, false);
        if (!body.is_object())
            return reply->send(
                refuse(json_error(400, "invalid_request", "the body must be a JSON object")));
        if (call.call_control_id.empty())
            return reply->send(refuse(json_error(409, "call_not_ready",
                                                 "the provider has not named this call yet; try "
                                                 "again in a moment")));
        call_command command;
        command.action = *action;
        command.call_control_id = call.call_control_id;
        command.command_id = json_string_member(body, "command_id");
        if (command.command_id.empty())
            command.command_id = random_command_id(action_name, call.id);
        else if (!is_command_id(command.command_id))
            return reply->send(refuse(json_error(400, "invalid_request",
                                                 "\"command_id\" is 1 to 128 letters, digits, "
                                                 "'-', '_', ':' or '.'")));
        if (*action == call_action::transfer) {
            command.to = json_string_member(body, "to");
            if (!is_e164_phone(command.to))
                return reply->send(refuse(json_error(400, "invalid_request",
                                                     "a transfer needs \"to\", an E.164 phone "
                                                     "number")));
        }
        if (*action == call_action::record_start) {
            if (auto f = json_string_member(body, "format"); !f.empty())
                command.record_format = f;
            if (auto c = json_string_member(body, "channels"); !c.empty())
                command.record_channels = c;
            if ((command.record_format != "mp3" && command.record_format != "wav") ||
                (command.record_channels != "single" && command.record_channels != "dual"))
                return reply->send(refuse(json_error(400, "invalid_request",
                                                     "\"format\" is mp3 or wav, \"channels\" "
                                                     "single or dual")));
        }
        const auto live = deps.settings.current();
        auto* voice = deps.phones.voice(live->cfg);
        if (voice == nullptr)
            return reply->send(
                refuse(json_error(503, "phone_not_configured", "no voice provider is built")));
        voice->command(
            command, [self = *this, reply, call_id = call.id, name = std::string(action_name),
                      command_id = command.command_id](const provider_result<command_done>& done) {
                if (!done) {
                    self.count_command(name, done.failure().code);
                    return reply->send(self.refuse(provider_refusal(done.failure())));
                }
                self.count_command(name, "ok");
                reply->send(json_answer(200, {{"result", "ok"},
                                              {"call_id", call_id},
                                              {"action", name},
                                              {"command_id", command_id}}));
            });
    }
};

} // namespace

route calls_route(const calls_endpoint_deps& deps)
{
    return {.path = calls_path,
            .prefix = true,
            .methods = {"GET", "HEAD", "POST"},
            .who = caller::admin,
            .identify = identify_admin(deps.settings),
            .handle = [h = calls_handler{deps}](const request_context& request,
                                                const std::shared_ptr<http_reply>& reply) {
                if (auto refused =
                        admin_refusal(request.header("authorization"), *h.deps.settings.current()))
                    return reply->send(h.refuse(std::move(*refused)));
                const auto path = std::string_view(request.target)
                                      .substr(0, std::string_view(request.target).find('?'));
                if (path != calls_path)
                    return h.one(request, reply);
                if (request.method == "POST")
                    return h.dial(request, reply);
                h.list(request, reply);
            }};
}

} // namespace donna::relay
