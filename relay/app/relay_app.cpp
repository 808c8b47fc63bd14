// relay_app.cpp: what is built on what, and the order of stopping.
#include "app/relay_app.hpp"

#include "api/routes.hpp"
#include "api/webhook_intake.hpp"
#include "app/services.hpp"
#include "chat/chat_service.hpp"
#include "config/config.hpp"
#include "jobs/job_runner.hpp"
#include "models/model_watch.hpp"
#include "outbox/email_sender.hpp"
#include "outbox/fanout_sender.hpp"
#include "outbox/sms_sender.hpp"
#include "phone/call_answering.hpp"
#include "phone/phone_events.hpp"
#include "phone/sms_conversations.hpp"
#include "server/server.hpp"
#include "store/fanout_store.hpp"
#include "store/webhook_store.hpp"
#include "voice/speech_service.hpp"
#include "voice/voice_chat_service.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <thread>
#include <vector>

namespace donna::relay {

namespace net = boost::asio;

// An io_context whose pending handlers can be destroyed on demand. Asio keeps shutdown()
// protected (the destructor calls it); the teardown below needs it earlier.
class relay_io_context : public net::io_context {
public:
    using net::execution_context::shutdown;
    using net::io_context::io_context;
};

// Teardown, once the I/O threads have ended: first the io_context's pending handlers go, and
// with them every connection and session (which refer to the services by reference); then
// the listener, the job runner and the services (their sockets, timers and strands are
// closed on an io_context already shut down, as Asio allows); the io_context itself last.
struct relay_app::impl {
    explicit impl(int thread_count) : ioc(thread_count) {}
    ~impl()
    {
        ioc.shutdown();
        listener.reset();
        runner.reset();
        mail.reset(); // ends a send under way; its job settles into a runner already gone
        events.reset();
        fanout.reset();
        fanout_rows.reset();
        conversations.reset();
        texts.reset();
        intake.reset();
        webhooks.reset();
        job_table.reset();
        svc.reset();
    }
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    // The upstream calls still running end now, on their strand, before the io_context
    // stops: their callers answer (or at least let go of their connections) instead of
    // holding them until the call's timeout.
    void stop_upstream_calls()
    {
        if (!svc)
            return;
        auto ended = std::make_shared<std::promise<void>>(); // outlives a wait that ran out
        auto done = ended->get_future();
        svc->upstreams().shutdown([ended] { ended->set_value(); });
        if (!threads.empty())
            done.wait_for(std::chrono::seconds(5));
    }

    relay_io_context ioc;
    // Keeps run() going when no connection is open: a stop posts work after the listener
    // closes, and an io_context out of work would have returned from run() by then.
    net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
    std::shared_ptr<services> svc;
    std::unique_ptr<job_store> job_table;
    std::unique_ptr<job_runner> runner;
    std::unique_ptr<email_sender> mail; // with SMTP_HOST set: the outbox's emails
    std::unique_ptr<sms_sender> texts;  // the outbox's text messages
    std::unique_ptr<webhook_store> webhooks;
    std::unique_ptr<webhook_intake> intake; // the webhook route's batched, durable store
    std::unique_ptr<fanout_store> fanout_rows;
    std::unique_ptr<fanout_sender> fanout;            // stored events to the fanout endpoints
    std::unique_ptr<sms_conversations> conversations; // texts to the business, answered
    std::unique_ptr<call_answering> answering;        // a call to a site's number: answered
    std::unique_ptr<phone_events> events;             // what a stored Telnyx event changes
    std::unique_ptr<server> listener;
    std::vector<std::thread> threads;
    bool stopped = false;
};

result<std::unique_ptr<relay_app>> relay_app::create(config cfg, logger& log)
{
    return create(std::move(cfg), log, phone_providers::with_defaults());
}

result<std::unique_ptr<relay_app>> relay_app::create(config cfg, logger& log,
                                                     phone_providers phones)
{
    auto i = std::make_unique<impl>(cfg.threads);
    auto built = services::create(std::move(cfg), log, i->ioc.get_executor(), std::move(phones));
    if (!built)
        return built.error();
    i->svc = std::move(*built);
    const auto& c = i->svc->settings()->cfg;
    job_runner_settings jobs;
    jobs.poll_interval = std::chrono::milliseconds(c.job_poll_ms);
    jobs.lease = std::chrono::seconds(c.job_lease_seconds);
    jobs.backoff.base_delay = std::chrono::milliseconds(c.job_retry_ms);
    i->job_table = std::make_unique<job_store>(i->svc->db());
    i->runner = std::make_unique<job_runner>(*i->job_table, i->svc->registry(), log,
                                             i->ioc.get_executor(), std::move(jobs));
    auto& svc = *i->svc;
    if (!c.smtp_host.empty()) {
        i->mail = std::make_unique<email_sender>(svc.actions(), svc.live(), svc.upstream_ca_pem(),
                                                 svc.registry(), log);
        i->runner->handle("outbox.email",
                          [mail = i->mail.get()](const job& j, job_runner::settle done) {
                              mail->deliver(j, std::move(done));
                          });
    }
    // Texts wait for their provider's settings rather than being dropped: the handler is
    // always there, and an unconfigured provider makes the job retry.
    i->texts = std::make_unique<sms_sender>(svc.actions(), svc.sms(), svc.phones(), svc.live(),
                                            svc.registry(), log);
    i->runner->handle("outbox.sms",
                      [texts = i->texts.get()](const job& j, job_runner::settle done) {
                          texts->deliver(j, std::move(done));
                      });
    i->webhooks = std::make_unique<webhook_store>(svc.db());
    i->intake = std::make_unique<webhook_intake>(svc.db(), i->ioc.get_executor());
    i->fanout_rows = std::make_unique<fanout_store>(svc.db());
    const auto poke = [runner = i->runner.get()] {
        runner->poke();
    };
    i->fanout = std::make_unique<fanout_sender>(fanout_sender_deps{.store = *i->fanout_rows,
                                                                   .webhooks = *i->webhooks,
                                                                   .http = svc.upstreams(),
                                                                   .settings = svc.live(),
                                                                   .registry = svc.registry(),
                                                                   .log = log,
                                                                   .poke_jobs = poke});
    i->runner->handle(fanout_store::job_kind,
                      [fanout = i->fanout.get()](const job& j, job_runner::settle done) {
                          fanout->deliver(j, std::move(done));
                      });
    i->conversations =
        std::make_unique<sms_conversations>(sms_conversations_deps{.sms = svc.sms(),
                                                                   .chat = svc.chat(),
                                                                   .settings = svc.live(),
                                                                   .poke_jobs = poke,
                                                                   .metrics = svc.metrics(),
                                                                   .log = log});
    i->answering = std::make_unique<call_answering>(call_answering_deps{
        .settings = svc.live(), .phones = svc.phones(), .metrics = svc.metrics(), .log = log});
    i->events = std::make_unique<phone_events>(phone_events_deps{.settings = svc.live(),
                                                                 .webhooks = *i->webhooks,
                                                                 .fanout = *i->fanout_rows,
                                                                 .poke_jobs = poke,
                                                                 .db = svc.db(),
                                                                 .sms = svc.sms(),
                                                                 .texts = *i->conversations,
                                                                 .answering = *i->answering,
                                                                 .metrics = svc.metrics(),
                                                                 .log = log});
    i->runner->handle(webhook_store::job_kind("telnyx"),
                      [events = i->events.get()](const job& j, job_runner::settle done) {
                          events->process(j, std::move(done));
                      });
    const endpoint_parts parts{
        .settings = svc.live(),
        .metrics = svc.metrics(),
        .registry = svc.registry(),
        .log = svc.log(),
        .files = svc.files(),
        .sessions = svc.sessions(),
        .db = svc.db(),
        .memories = svc.memories(),
        .chat = svc.chat(),
        .speech = svc.speech(),
        .voice_chat = svc.voice_chat(),
        .models = svc.models(),
        .jobs = *i->runner,
        .intake = *i->intake,
        .sms = svc.sms(),
        .phones = svc.phones(),
        .google = svc.google(),
        .upstreams = svc.upstreams(),
        .realtime = {.metrics = svc.metrics(),
                     .log = svc.log(),
                     .chat = svc.chat(),
                     .usage = svc.usage(),
                     .upstream_tls = svc.upstreams().tls_context(),
                     .actions = &svc.actions(),
                     .demo_voice =
                         [&svc] {
                             return svc.synth();
                         }},
    };
    i->listener = std::make_unique<server>(
        i->ioc, connection_deps{svc.live(), svc.metrics(), svc.sessions()}, relay_routes(parts));
    return std::unique_ptr<relay_app>(new relay_app(std::move(i)));
}

relay_app::relay_app(std::unique_ptr<impl> i) : impl_(std::move(i))
{}

relay_app::~relay_app()
{
    // join() throws only for a thread that is not joinable or is this one; neither can
    // happen here, but a destructor must not let anything escape.
    try {
        stop();
        wait();
    } catch (...) {
    }
}

status relay_app::start()
{
    if (auto listening = impl_->listener->start(); !listening)
        return listening;
    const int threads = impl_->svc->settings()->cfg.threads;
    for (int n = 0; n < threads; ++n)
        impl_->threads.emplace_back([i = impl_.get()] { i->ioc.run(); });
    impl_->runner->start();
    return ok();
}

std::uint16_t relay_app::port() const
{
    return impl_->listener->port();
}

bool relay_app::shutdown(std::chrono::milliseconds grace)
{
    impl_->listener->stop_accepting();
    impl_->runner->stop_claiming();
    auto& sessions = impl_->svc->sessions();
    sessions.begin_shutdown();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    const bool sessions_ended = sessions.wait_until_empty(deadline);
    const bool jobs_ended = impl_->runner->wait_idle(deadline);
    const bool drained = sessions_ended && jobs_ended;
    if (!drained) {
        // What still waits on an upstream hears "shutting down" now; its answer is one short
        // write, given a moment to go out before the connections close.
        impl_->stop_upstream_calls();
        sessions.wait_until_empty(std::chrono::steady_clock::now() + std::chrono::seconds(1));
    }
    stop();
    return drained;
}

void relay_app::stop()
{
    if (impl_->stopped)
        return;
    impl_->stopped = true;
    impl_->listener->stop_accepting();
    impl_->runner->stop_claiming();
    impl_->stop_upstream_calls();
    impl_->work.reset();
    impl_->ioc.stop();
}

void relay_app::wait()
{
    for (auto& t : impl_->threads)
        if (t.joinable())
            t.join();
    impl_->threads.clear();
}

services& relay_app::svc()
{
    return *impl_->svc;
}

job_runner& relay_app::jobs()
{
    return *impl_->runner;
}

} // namespace donna::relay
