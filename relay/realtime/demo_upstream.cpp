// demo_upstream.cpp: the demo's simulated Realtime server behind the same interface as the
// real one. Events are answered on the session's strand; espeak-ng synthesis runs there too
// (demo mode serves a newcomer's single session, so a short block of one I/O thread is fine).
#include "realtime/upstream.hpp"

#include "demo/demo_conversation.hpp"
#include "demo/speech_synth.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

namespace donna::relay {
namespace {

namespace net = boost::asio;

class demo_upstream final : public upstream_link,
                            public std::enable_shared_from_this<demo_upstream> {
public:
    demo_upstream(net::any_io_executor strand, std::string greeting, dialect spelling,
                  const realtime_deps& deps)
        : strand_(std::move(strand)),
          greeting_(std::move(greeting)),
          spelling_(spelling),
          deps_(deps)
    {}

    void start(upstream_callbacks callbacks) override
    {
        net::post(strand_, [self = shared_from_this(), cb = std::move(callbacks)]() mutable {
            if (self->closed_)
                return;
            self->callbacks_ = std::move(cb);
            speech_synth* synth = (self->deps_.demo_voice ? self->deps_.demo_voice() : nullptr);
            if (synth == nullptr) {
                auto failure = std::move(self->callbacks_.on_failure);
                self->callbacks_ = {};
                self->closed_ = true;
                if (failure)
                    failure({"upstream_unavailable",
                             "demo mode needs the espeak-ng library, which could not start "
                             "(see the relay's log)"});
                return;
            }
            self->conversation_.emplace(self->greeting_, self->spelling_, *synth);
            if (self->callbacks_.on_open)
                self->callbacks_.on_open();
            self->deliver(self->conversation_->start());
        });
    }

    void send(std::string text) override
    {
        net::post(strand_, [self = shared_from_this(), text = std::move(text)] {
            if (self->closed_ || !self->conversation_)
                return;
            self->deliver(self->conversation_->on_client_event(text));
        });
    }

    void close() override
    {
        net::dispatch(strand_, [self = shared_from_this()] {
            self->closed_ = true;
            self->callbacks_ = {};
        });
    }

private:
    void deliver(std::vector<std::string> events)
    {
        for (auto& e : events) {
            if (closed_ || !callbacks_.on_event)
                return;
            callbacks_.on_event(std::move(e));
        }
    }

    net::any_io_executor strand_;
    std::string greeting_;
    dialect spelling_;
    realtime_deps deps_;
    upstream_callbacks callbacks_;
    std::optional<demo_conversation> conversation_;
    bool closed_ = false;
};

} // namespace

std::shared_ptr<upstream_link> make_demo_upstream(const net::any_io_executor& strand,
                                                  std::string greeting, dialect spelling,
                                                  const realtime_deps& deps)
{
    return std::make_shared<demo_upstream>(strand, std::move(greeting), spelling, deps);
}

} // namespace donna::relay
