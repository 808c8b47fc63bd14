// model_watch.cpp: a sleeping timer thread asks for the model list; the answer is judged on
// the HTTP client's strand and kept for /readyz.
#include "models/model_watch.hpp"

#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "providers/openai/openai_requests.hpp"
#include "settings/live_settings.hpp"
#include "upstream/http_client.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

namespace donna::relay {

struct model_watch::state {
    state(metrics_registry& r, logger& l)
        : registry(r),
          log(l),
          failures(r.get_counter("donna_model_list_failures_total",
                                 "OpenAI model lists that could not be fetched or read."))
    {}

    metrics_registry& registry;
    logger& log;
    counter& failures;

    mutable std::mutex mutex;
    std::condition_variable wake;            // the timer: a check() or stopping
    mutable std::condition_variable checked; // a round's fetch ended
    bool stopping = false;
    bool due = false;
    std::uint64_t round = 0; // +1 per check(): answers to an older round are dropped
    std::uint64_t ended = 0; // the last round whose fetch ended
    std::shared_ptr<const live_settings> settings;
    std::optional<model_watch_report> latest;
    std::shared_ptr<upstream_call> call;
};

model_watch::model_watch(http_client& client, metrics_registry& registry, logger& log,
                         std::chrono::seconds interval)
    : client_(client), state_(std::make_shared<state>(registry, log))
{
    timer_ = std::thread([this, interval] { run(interval); });
}

model_watch::~model_watch()
{
    std::shared_ptr<upstream_call> call;
    {
        const std::lock_guard lock(state_->mutex);
        state_->stopping = true;
        call = std::move(state_->call);
    }
    state_->wake.notify_all();
    timer_.join();
    if (call)
        call->cancel();
}

void model_watch::check(std::shared_ptr<const live_settings> settings)
{
    {
        const std::lock_guard lock(state_->mutex);
        state_->settings = std::move(settings);
        ++state_->round; // the last verdicts stay until a new list replaces them
        state_->due = true;
    }
    state_->wake.notify_all();
}

std::optional<model_watch_report> model_watch::latest() const
{
    const std::lock_guard lock(state_->mutex);
    return state_->latest;
}

bool model_watch::wait_checked(std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(state_->mutex);
    return state_->checked.wait_for(lock, timeout,
                                    [this] { return state_->ended == state_->round; });
}

void model_watch::run(std::chrono::seconds interval)
{
    std::unique_lock lock(state_->mutex);
    for (;;) {
        state_->wake.wait_for(lock, interval, [this] { return state_->due || state_->stopping; });
        if (state_->stopping)
            return;
        state_->due = false;
        auto settings = state_->settings;
        lock.unlock();
        if (settings)
            fetch(settings);
        lock.lock();
    }
}

void model_watch::fetch(const std::shared_ptr<const live_settings>& settings)
{
    const auto& cfg = settings->cfg;
    auto uses = cfg.model_check ? models_in_use(cfg, settings->personas) : std::vector<model_use>{};
    std::uint64_t round = 0;
    {
        const std::lock_guard lock(state_->mutex);
        round = state_->round;
        if (uses.empty()) {
            state_->latest = model_watch_report{unix_now(), {}};
            state_->ended = round;
            state_->checked.notify_all();
            return;
        }
    }
    auto req = model_list_request(cfg);
    const int warn_days = cfg.model_shutdown_warn_days;
    std::weak_ptr<state> weak = state_;
    auto call = client_.request(
        "openai", std::move(req),
        [weak, round, warn_days, uses = std::move(uses)](result<upstream_response> answer) {
            const auto st = weak.lock();
            if (!st)
                return;
            const auto end_round = [&] {
                const std::lock_guard lock(st->mutex);
                st->ended = std::max(st->ended, round);
                st->checked.notify_all();
            };
            const auto failed = [&](const std::string& why) {
                st->failures.inc();
                st->log.warn("models", "could not read OpenAI's model list (" + why +
                                           "); what /readyz says about models is unchanged");
                end_round();
            };
            if (!answer)
                return failed(answer.error().message);
            if (answer->status != 200)
                return failed("HTTP " + std::to_string(answer->status));
            const auto listed = parse_model_list(answer->body);
            if (!listed)
                return failed(listed.error().message);
            const auto now = unix_now();
            auto reports = assess_models(uses, *listed, now, warn_days);
            std::set<std::string> warned; // one line per message: a setting two features
                                          // use (the transcription model) is one warning
            for (const auto& r : reports) {
                if (r.days_left)
                    st->registry
                        .get_gauge("donna_model_shutdown_days",
                                   "Days until OpenAI shuts down a configured model (negative: "
                                   "already shut down).",
                                   {{"model", r.use.model}})
                        .set(static_cast<double>(*r.days_left));
                if (r.health != model_health::current && warned.insert(r.message).second)
                    st->log.warn("models", r.message);
            }
            {
                const std::lock_guard lock(st->mutex);
                if (round == st->round)
                    st->latest = model_watch_report{now, std::move(reports)};
            }
            end_round();
        });
    const std::lock_guard lock(state_->mutex);
    state_->call = std::move(call);
}

} // namespace donna::relay
