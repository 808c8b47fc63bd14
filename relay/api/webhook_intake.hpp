// webhook_intake.hpp: where the webhook route hands each verified event to be stored, so that
// a burst costs one SQLite commit per batch instead of one per request: every event submitted
// while the intake's strand is busy joins the next batch, and each caller hears of its own
// event once the batch is committed (store/webhook_store::store_all: the event and its
// processing job, durable before anyone answers 200). Alone, an event is a batch of one, one
// post later: no timer, no added wait.
//
//   webhook_intake intake(db, ioc.get_executor());
//   intake.submit(event, [reply](result<bool> stored) { ... answer ... });
#pragma once

#include "core/error.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>

namespace donna::relay {

class database;
struct webhook_event;

class webhook_intake {
public:
    webhook_intake(database& db, const boost::asio::any_io_executor& executor);

    // `done` once, on the intake's strand: true stored now, false seen before, or the error.
    void submit(webhook_event event, std::function<void(result<bool>)> done);

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace donna::relay
