// relay_app.cpp: what is built on what, and the order of stopping.
#include "app/relay_app.hpp"

#include "api/routes.hpp"
#include "config/config.hpp"
#include "jobs/job_runner.hpp"
#include "server/server.hpp"
#include "server/services.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <thread>
#include <vector>

namespace donna::relay {

namespace net = boost::asio;

// Member order is destruction order, reversed: the io_context goes last, after everything
// that holds a socket, a timer or a strand of it (the handlers it still holds are destroyed
// with it, and with them the last references to sessions and services).
struct relay_app::impl {
    explicit impl(int thread_count) : ioc(thread_count) {}

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

    net::io_context ioc;
    // Keeps run() going when no connection is open: a stop posts work after the listener
    // closes, and an io_context out of work would have returned from run() by then.
    net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
    std::shared_ptr<services> svc;
    std::unique_ptr<job_store> job_table;
    std::unique_ptr<job_runner> runner;
    std::unique_ptr<server> listener;
    std::vector<std::thread> threads;
    bool stopped = false;
};

result<std::unique_ptr<relay_app>> relay_app::create(config cfg, logger& log)
{
    auto i = std::make_unique<impl>(cfg.threads);
    auto built = services::create(std::move(cfg), log, i->ioc.get_executor());
    if (!built)
        return built.error();
    i->svc = std::move(*built);
    const auto& c = i->svc->settings()->cfg;
    job_runner_settings jobs;
    jobs.poll_interval = std::chrono::milliseconds(c.job_poll_ms);
    jobs.lease = std::chrono::seconds(c.job_lease_seconds);
    i->job_table = std::make_unique<job_store>(i->svc->db());
    i->runner = std::make_unique<job_runner>(*i->job_table, i->svc->registry(), log,
                                             i->ioc.get_executor(), std::move(jobs));
    i->listener = std::make_unique<server>(i->ioc, i->svc, relay_routes(i->svc));
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
