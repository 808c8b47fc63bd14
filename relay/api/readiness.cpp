// readiness.cpp: one probe per configured upstream; the answer is built when the last ends.
#include "api/readiness.hpp"

#include "google/google_account.hpp"
#include "models/model_watch.hpp"
#include "providers/google/google_oauth.hpp"
#include "settings/settings_source.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace donna::relay {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct feature {
    std::string name;
    bool configured = false;
    std::string detail; // why off, or what it uses
    std::string url;    // probed when configured and non-empty
    std::string mode;   // realtime only
    bool reachable = false;
    std::vector<model_report> models; // the feature's models that are not current
    std::optional<google_connection_status> connection = {}; // google only
};

std::vector<feature> features_of(const config& c)
{
    std::vector<feature> out;
    feature realtime{"realtime", true, "", "", "", false, {}};
    switch (c.realtime()) {
    case realtime_mode::openai:
        realtime.mode = "openai";
        realtime.detail = "OpenAI Realtime, model " + c.openai_realtime_model;
        realtime.url = c.openai_base_url;
        break;
    case realtime_mode::demo:
        realtime.mode = "demo";
        realtime.detail = "OPENAI_API_KEY is not set: DONNA_DEMO=1 answers from the local "
                          "simulated upstream (espeak-ng voice)";
        break;
    case realtime_mode::off:
        realtime.configured = false;
        realtime.mode = "off";
        realtime.detail = "OPENAI_API_KEY is not set (set it, or DONNA_DEMO=1 for the demo)";
        break;
    }
    out.push_back(realtime);
    const auto keyed = [&](const char* name, bool set, const char* missing, const std::string& url,
                           const char* detail) {
        out.push_back(feature{name, set, set ? detail : missing, set ? url : "", "", false, {}});
    };
    keyed("chat", !c.openai_api_key.empty(), "OPENAI_API_KEY is not set", c.openai_base_url,
          "OpenAI chat completions, moderation and transcription");
    keyed("elevenlabs", !c.elevenlabs_api_key.empty(), "ELEVENLABS_API_KEY is not set",
          c.elevenlabs_base_url, "ElevenLabs text to speech");
    const auto google = google_client(c);
    keyed("google", !google.id.empty() && !google.secret.empty(),
          "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (or the seed's GMAIL_CLIENT_ID and "
          "GMAIL_CLIENT_SECRET) are not set",
          c.google_token_url, "Google OAuth (the business's Gmail and Drive)");
    keyed("smtp", !c.smtp_host.empty(), "SMTP_HOST is not set",
          c.smtp_host.empty() ? "" : "smtp://" + c.smtp_host + ":" + std::to_string(c.smtp_port),
          "outbound mail");
    keyed("telnyx", !c.telnyx_api_key.empty(), "TELNYX_API_KEY is not set", c.telnyx_base_url,
          "Telnyx calls and messaging");
    return out;
}

// Each feature learns which of its models OpenAI is retiring or has retired.
void attach_models(std::vector<feature>& features, const std::optional<model_watch_report>& seen)
{
    if (!seen)
        return;
    for (const auto& r : seen->reports) {
        if (r.health == model_health::current)
            continue;
        for (auto& f : features)
            if (f.name == r.use.feature && f.configured)
                f.models.push_back(r);
    }
}

nlohmann::json model_entry(const model_report& r)
{
    nlohmann::json entry = {{"model", r.use.model},
                            {"setting", r.use.setting},
                            {"health", to_string(r.health)},
                            {"message", r.message}};
    if (r.shutdown_date)
        entry["shutdown_date"] = utc_date(*r.shutdown_date);
    if (r.days_left)
        entry["days_left"] = *r.days_left;
    if (!r.replacement.empty())
        entry["replacement"] = r.replacement;
    return entry;
}

struct probe_run : std::enable_shared_from_this<probe_run> {
    probe_run(net::any_io_executor ex, std::vector<feature> f, std::function<void(http_answer)> d)
        : executor(std::move(ex)), features(std::move(f)), done(std::move(d))
    {}

    void start()
    {
        for (std::size_t i = 0; i < features.size(); ++i)
            if (features[i].configured && !features[i].url.empty())
                ++pending;
        if (pending == 0)
            return finish();
        for (std::size_t i = 0; i < features.size(); ++i)
            if (features[i].configured && !features[i].url.empty())
                probe(i);
    }

    void probe(std::size_t index)
    {
        const auto url = boost::urls::parse_absolute_uri(features[index].url);
        if (!url)
            return probed(index, false);
        std::string port = url->port();
        if (port.empty())
            port = url->scheme() == "http" ? "80" : url->scheme() == "smtp" ? "25" : "443";
        auto resolver = std::make_shared<tcp::resolver>(executor);
        auto socket = std::make_shared<tcp::socket>(executor);
        auto timer = std::make_shared<net::steady_timer>(executor, std::chrono::seconds(2));
        timer->async_wait([socket, resolver](boost::system::error_code ec) {
            if (!ec) {
                resolver->cancel();
                boost::system::error_code ignored;
                socket->close(ignored);
            }
        });
        resolver->async_resolve(
            std::string(url->host()), port,
            [self = shared_from_this(), index, socket, timer,
             resolver](boost::system::error_code ec, const tcp::resolver::results_type& results) {
                if (ec) {
                    timer->cancel();
                    return self->probed(index, false);
                }
                net::async_connect(*socket, results,
                                   [self, index, socket, timer](boost::system::error_code e,
                                                                const tcp::endpoint&) {
                                       timer->cancel();
                                       self->probed(index, !e);
                                   });
            });
    }

    void probed(std::size_t index, bool reachable)
    {
        {
            const std::lock_guard lock(mutex);
            features[index].reachable = reachable;
            if (--pending > 0)
                return;
        }
        finish();
    }

    void finish()
    {
        nlohmann::json body;
        bool degraded = false;
        for (const auto& f : features) {
            nlohmann::json entry = {{"configured", f.configured}, {"detail", f.detail}};
            if (!f.mode.empty())
                entry["mode"] = f.mode;
            if (f.configured && !f.url.empty()) {
                entry["reachable"] = f.reachable;
                degraded = degraded || !f.reachable;
            }
            if (f.connection && f.configured) {
                // A connection Google refused (invalid_grant) needs a person: not ready.
                entry["connection"] = f.connection->state;
                if (!f.connection->what_to_do.empty())
                    entry["what_to_do"] = f.connection->what_to_do;
                if (f.connection->state == "broken") {
                    entry["ready"] = false;
                    entry["detail"] = f.connection->broken_reason;
                    degraded = true;
                }
            }
            if (!f.models.empty()) {
                bool ready = true;
                for (const auto& m : f.models) {
                    entry["models"].push_back(model_entry(m));
                    ready = ready && m.health == model_health::retiring;
                }
                entry["ready"] = ready;
                degraded = degraded || !ready;
            }
            body["features"][f.name] = entry;
        }
        body["status"] = degraded ? "degraded" : "ready";
        done(http_answer{
            200, body.dump() + "\n", "application/json", {{"Cache-Control", "no-store"}}});
    }

    net::any_io_executor executor;
    std::vector<feature> features;
    std::function<void(http_answer)> done;
    std::mutex mutex;
    std::size_t pending = 0;
};

} // namespace

void check_readiness(const net::any_io_executor& executor,
                     const std::shared_ptr<const live_settings>& settings,
                     const std::optional<model_watch_report>& models,
                     std::function<void(http_answer)> done,
                     const std::optional<google_connection_status>& google)
{
    auto features = features_of(settings->cfg);
    attach_models(features, models);
    for (auto& f : features)
        if (f.name == "google")
            f.connection = google;
    std::make_shared<probe_run>(executor, std::move(features), std::move(done))->start();
}

route readiness_route(const readiness_deps& deps)
{
    return {.path = "/readyz",
            .methods = {"GET", "HEAD"},
            .handle = [deps](const request_context&, const std::shared_ptr<http_reply>& reply) {
                const auto executor = reply->executor();
                check_readiness(
                    executor, deps.settings.current(), deps.models.latest(),
                    [reply](http_answer answer) { reply->send(std::move(answer)); },
                    deps.google ? std::optional(deps.google->connection_status()) : std::nullopt);
            }};
}

} // namespace donna::relay
