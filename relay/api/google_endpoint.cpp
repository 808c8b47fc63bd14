// google_endpoint.cpp: the Google connection's admin routes and OAuth callback.
#include "api/google_endpoint.hpp"

#include "api/admin_answers.hpp"
#include "api/session_auth.hpp"
#include "google/drive_upload.hpp"
#include "google/google_account.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "providers/smtp/mail_message.hpp"
#include "settings/settings_source.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

json status_json(const google_connection_status& s)
{
    const auto or_null = [](const std::string& v) {
        return v.empty() ? json(nullptr) : json(v);
    };
    return {{"state", s.state},
            {"source", or_null(s.source)},
            {"scopes", or_null(s.scopes)},
            {"connected_at", s.connected_at > 0 ? json(s.connected_at) : json(nullptr)},
            {"broken_reason", or_null(s.broken_reason)},
            {"what_to_do", or_null(s.what_to_do)}};
}

// The binding cookie: only the callback's path gets it, only over HTTPS when the relay is
// reached over HTTPS, never to scripts, and on Google's top-level redirect back (Lax).
std::string binding_cookie(const std::string& value, std::int64_t max_age, bool secure)
{
    return std::string(google_binding_cookie) + "=" + value +
           "; Path=" + std::string(google_callback_path) + "; Max-Age=" + std::to_string(max_age) +
           "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

// The cookie's value from a Cookie header ("a=1; donna_google_consent=..."), "" if absent.
std::string cookie_value(std::string_view header, std::string_view name)
{
    while (!header.empty()) {
        const auto end = header.find(';');
        auto pair = header.substr(0, end);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=')
            return std::string(pair.substr(name.size() + 1));
        if (end == std::string_view::npos)
            break;
        header.remove_prefix(end + 1);
    }
    return {};
}

// A page for the person whose browser Google sent back: what happened, in words.
http_answer page(int status, std::string_view code, std::string_view title,
                 std::string_view message, bool secure)
{
    http_answer answer;
    answer.status = status;
    answer.code = std::string(code);
    answer.content_type = "text/html; charset=utf-8";
    answer.headers = {{"Cache-Control", "no-store"},
                      {"Referrer-Policy", "no-referrer"},
                      {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"},
                      // The flow is over either way: the cookie goes.
                      {"Set-Cookie", binding_cookie("", 0, secure)}};
    answer.body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                  html_escape(title) +
                  "</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:3em "
                  "auto\"><h1>" +
                  html_escape(title) + "</h1><p>" + html_escape(message) + "</p></body></html>";
    return answer;
}

struct google_handler {
    google_endpoint_deps deps;
    admin_answers answers{deps.metrics, deps.log, "google"};

    http_answer refuse(http_answer answer) const { return answers.refuse(std::move(answer)); }

    void connect(const request_context& request, const std::shared_ptr<http_reply>& reply) const
    {
        const auto now = request.now_unix;
        auto started = deps.google.begin_consent(now);
        if (!started)
            return reply->send(
                refuse(json_error(503, "google_not_configured", started.error().message)));
        auto answer = json_answer(
            200, {{"authorization_url", started->url}, {"expires_at", started->expires_at}});
        answer.headers.emplace_back("Set-Cookie",
                                    binding_cookie(started->binding, consent_seconds,
                                                   request.self_origin.starts_with("https://")));
        reply->send(std::move(answer));
    }

    void show(const std::shared_ptr<http_reply>& reply) const
    {
        reply->send(
            json_answer(200, {{"connection", status_json(deps.google.connection_status())}}));
    }

    void disconnect(const std::shared_ptr<http_reply>& reply) const
    {
        deps.google.disconnect([self = *this, reply](const status& done) {
            if (!done && done.error().code == errc::forbidden) // a service account's key
                return reply->send(self.refuse(
                    json_error(409, "google_service_account_in_use", done.error().message)));
            if (!done)
                return reply->send(
                    self.refuse(json_error(503, "google_unavailable", done.error().message)));
            reply->send(json_answer(
                200, {{"connection", status_json(self.deps.google.connection_status())}}));
        });
    }

    void upload(const request_context& request, const std::shared_ptr<http_reply>& reply) const
    {
        std::string name;
        if (const auto url = boost::urls::parse_origin_form(request.target))
            for (const auto& p : url->params())
                if (p.key == "name")
                    name = p.value;
        if (name.empty() || name.size() > 255)
            return reply->send(refuse(json_error(
                400, "invalid_request", "the file needs a name: ?name=<1 to 255 characters>")));
        if (request.body.empty())
            return reply->send(
                refuse(json_error(400, "invalid_request", "the body (the file) is empty")));
        auto mime = std::string(request.header("content-type"));
        if (mime.empty())
            mime = "application/octet-stream";
        const auto live = deps.settings.current();
        upload_to_drive(
            {deps.client, deps.google, deps.settings, reply->executor()},
            {.name = name, .mime_type = mime, .folder_id = live->cfg.google_drive_folder_id},
            std::make_shared<const std::string>(request.body), {},
            [self = *this, reply](result<drive_upload_report> done) {
                if (!done) {
                    const bool unconnected = done.error().code == errc::not_found ||
                                             done.error().code == errc::unauthorized;
                    return reply->send(self.refuse(
                        json_error(unconnected ? 409 : 502,
                                   unconnected ? "google_not_connected" : "drive_upload_failed",
                                   done.error().message)));
                }
                self.deps.log.info("google", "uploaded " + done->file.name + " to Drive (" +
                                                 std::to_string(done->file.size) + " bytes, " +
                                                 std::to_string(done->chunks) + " chunk(s), " +
                                                 std::to_string(done->restarts) + " restart(s))");
                reply->send(json_answer(201, {{"file",
                                               {{"id", done->file.id},
                                                {"name", done->file.name},
                                                {"mime_type", done->file.mime_type},
                                                {"size", done->file.size}}}}));
            });
    }

    void callback(const request_context& request, const std::shared_ptr<http_reply>& reply) const
    {
        const bool secure = request.self_origin.starts_with("https://");
        const auto url = boost::urls::parse_origin_form(request.target);
        consent_return back;
        if (url)
            for (const auto& p : url->params()) {
                if (p.key == "code")
                    back.code = p.value;
                else if (p.key == "state")
                    back.state = p.value;
                else if (p.key == "error")
                    back.error = p.value;
            }
        back.binding = cookie_value(request.header("cookie"), google_binding_cookie);
        if (back.state.empty())
            return reply->send(refuse(page(400, "oauth_state_invalid", "Not connected",
                                           "This address is where Google sends the browser back "
                                           "after a consent; it carries no state.",
                                           secure)));
        deps.google.finish_consent(
            back, request.now_unix, [self = *this, reply, secure](const consent_outcome& outcome) {
                const auto not_connected = [&](int status, std::string_view code) {
                    return self.refuse(
                        page(status, code, "Not connected", outcome.message, secure));
                };
                switch (outcome.failure) {
                case consent_failure::none:
                    return reply->send(page(200, "", "Google account connected",
                                            "DONNA can now use the Google account (" +
                                                outcome.scopes + "). You can close this tab.",
                                            secure));
                case consent_failure::state_invalid:
                    return reply->send(not_connected(400, "oauth_state_invalid"));
                case consent_failure::state_expired:
                    return reply->send(not_connected(400, "oauth_state_expired"));
                case consent_failure::declined:
                    return reply->send(not_connected(403, "google_consent_declined"));
                case consent_failure::code_refused:
                    return reply->send(not_connected(502, "google_token_refused"));
                case consent_failure::google_unavailable:
                    return reply->send(not_connected(503, "google_unavailable"));
                case consent_failure::storage:
                    self.deps.log.error("google", outcome.message);
                    return reply->send(self.refuse(
                        page(500, "storage_error", "Not connected",
                             "The relay could not store the connection; see its log.", secure)));
                }
            });
    }
};

} // namespace

route google_route(const google_endpoint_deps& deps)
{
    return {
        .path = google_path,
        .prefix = true,
        .methods = {"GET", "HEAD", "POST", "DELETE"},
        .who = caller::admin,
        .identify = identify_admin(deps.settings),
        // A file for Drive: DONNA_DRIVE_UPLOAD_MAX_BYTES, for the admin's upload only.
        .upload_limit =
            [&settings = deps.settings](const request_context& head) {
                return head.method == "POST" && head.path() == "/v1/google/drive/files"
                           ? static_cast<std::size_t>(
                                 settings.current()->cfg.drive_upload_max_bytes)
                           : default_body_limit;
            },
        .handle =
            [h = google_handler{deps}](const request_context& request,
                                       const std::shared_ptr<http_reply>& reply) {
                if (auto refused =
                        admin_refusal(request.header("authorization"), *h.deps.settings.current()))
                    return reply->send(h.refuse(std::move(*refused)));
                const auto path = request.path();
                if (path == std::string(google_path) + "/drive/files") {
                    if (request.method != "POST")
                        return reply->send(h.refuse(json_error(
                            405, "method_not_allowed", "use POST on /v1/google/drive/files")));
                    return h.upload(request, reply);
                }
                if (path == std::string(google_path) + "/connect") {
                    if (request.method != "POST")
                        return reply->send(h.refuse(json_error(405, "method_not_allowed",
                                                               "use POST on /v1/google/connect")));
                    return h.connect(request, reply);
                }
                if (path != google_path)
                    return reply->send(h.refuse(json_error(
                        404, "not_found", "no such path: use /v1/google or /v1/google/connect")));
                if (request.method == "DELETE")
                    return h.disconnect(reply);
                if (request.method == "POST")
                    return reply->send(h.refuse(
                        json_error(405, "method_not_allowed", "use GET or DELETE on /v1/google")));
                h.show(reply);
            }};
}

route google_callback_route(const google_endpoint_deps& deps)
{
    return {.path = google_callback_path,
            .methods = {"GET"},
            .handle = [h = google_handler{deps}](const request_context& request,
                                                 const std::shared_ptr<http_reply>& reply) {
                h.callback(request, reply);
            }};
}

} // namespace donna::relay
