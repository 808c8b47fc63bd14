// webhook_intake.cpp: batches on a strand, one transaction each.
#include "api/webhook_intake.hpp"

#include "store/webhook_store.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <utility>
#include <vector>

namespace donna::relay {

namespace net = boost::asio;

struct webhook_intake::impl : std::enable_shared_from_this<impl> {
    impl(database& db, const net::any_io_executor& executor)
        : store(db), strand(net::make_strand(executor))
    {}

    void add(webhook_event event, std::function<void(result<bool>)> done)
    {
        events.push_back(std::move(event));
        callbacks.push_back(std::move(done));
        if (flush_posted)
            return;
        flush_posted = true;
        // Runs after what is ready now: the requests already read join this batch.
        net::post(strand, [self = shared_from_this()] { self->flush(); });
    }

    void flush()
    {
        flush_posted = false;
        std::vector<webhook_event> batch;
        std::vector<std::function<void(result<bool>)>> waiting;
        batch.swap(events);
        waiting.swap(callbacks);
        auto stored = store.store_all(batch);
        for (std::size_t i = 0; i < waiting.size(); ++i)
            waiting[i](stored ? result<bool>((*stored)[i]) : result<bool>(stored.error()));
    }

    webhook_store store;
    net::strand<net::any_io_executor> strand;
    std::vector<webhook_event> events; // the strand's
    std::vector<std::function<void(result<bool>)>> callbacks;
    bool flush_posted = false;
};

webhook_intake::webhook_intake(database& db, const net::any_io_executor& executor)
    : impl_(std::make_shared<impl>(db, executor))
{}

void webhook_intake::submit(webhook_event event, std::function<void(result<bool>)> done)
{
    net::post(impl_->strand,
              [i = impl_, event = std::move(event), done = std::move(done)]() mutable {
                  i->add(std::move(event), std::move(done));
              });
}

} // namespace donna::relay
