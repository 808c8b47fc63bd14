// call_chain.hpp: upstream calls made one after another for one caller (moderation then the
// completion; transcription, chat, then speech), stopped as one when the caller goes away.
//
//   auto chain = std::make_shared<call_chain>();
//   chain->run([&] { return client.request("openai", req, [chain](auto r) {
//       chain->done();                        // this step's call is over
//       chain->run([&] { return next_step(); });
//   }); });
//   return chain;                             // the caller may cancel() it at any time
#pragma once

#include "upstream/http_client.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

namespace donna::relay {

class call_chain : public upstream_call {
public:
    // Stops the step running now; no later step starts.
    void cancel() override
    {
        std::shared_ptr<upstream_call> running;
        {
            const std::lock_guard lock(mutex_);
            cancelled_ = true;
            running = std::move(current_);
        }
        if (running)
            running->cancel();
    }
    // Starts the next step unless the chain was cancelled meanwhile. `start` runs without the
    // lock held, so a step that ends at once (its callback runs inside start) may run the
    // next step from there.
    void run(const std::function<std::shared_ptr<upstream_call>()>& start)
    {
        std::uint64_t step = 0;
        {
            const std::lock_guard lock(mutex_);
            if (cancelled_)
                return;
            step = ++step_;
        }
        auto call = start();
        bool cancel_now = false;
        {
            const std::lock_guard lock(mutex_);
            if (step == step_) { // no later step started meanwhile
                cancel_now = cancelled_;
                if (!cancel_now)
                    current_ = call;
            }
        }
        if (cancel_now && call)
            call->cancel();
    }
    // The running step ended.
    void done()
    {
        const std::lock_guard lock(mutex_);
        current_.reset();
    }
    bool cancelled() const
    {
        const std::lock_guard lock(mutex_);
        return cancelled_;
    }

private:
    mutable std::mutex mutex_;
    bool cancelled_ = false;
    std::uint64_t step_ = 0;
    std::shared_ptr<upstream_call> current_;
};

} // namespace donna::relay
