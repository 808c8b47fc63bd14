// sse_stream.hpp: one streamed (chunked) answer on a connection: server-sent events, or audio
// as it is made. The head goes with the first write; then one chunk per write, in order; then
// the last chunk, or, cut short, a closed connection (the caller sees a truncated body, never
// a short one that looks whole). Every write gets DONNA_HTTP_WRITE_SECONDS of its own, so a
// long answer lives as long as it makes progress.
//
//   sse.emplace(*channel, session, shape, head, write_seconds, [session](bool written) {...});
//   sse->write(event_text, false);   // on the connection's strand, any number of times
//   sse->write(last_event, true);    // the body ends; `ended(true)` once it is written
//
// Not thread-safe: used on the connection's strand (http_reply carries calls there). The
// owner keeps the stream until `ended` ran.
#pragma once

#include "http/http_answer.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace donna::relay {

class http_server_channel;

class sse_stream {
public:
    struct shape {
        unsigned version = 11;
        bool keep_alive = true;
    };

    // `owner` (the connection, which owns this stream: only a weak reference is kept, so the
    // two never hold each other) is held by every pending write; `ended(written)` runs once:
    // true after the last chunk was written, false when a write failed (the caller went away)
    // or the stream was cut.
    sse_stream(http_server_channel& channel, const std::shared_ptr<void>& owner, shape answer,
               http_answer head, std::chrono::seconds write_deadline,
               std::function<void(bool written)> ended);

    // Whether the head went out (anything was written).
    bool started() const { return started_; }
    // Queues a chunk (an empty one is skipped unless `last`); `last` ends the body after it.
    void write(std::string text, bool last);
    // Ends a started stream without its last chunk, once what is queued is written.
    void cut();

private:
    void next();
    void written(bool ok, bool ended);
    void arm();

    http_server_channel& channel_;
    std::weak_ptr<void> owner_;
    shape shape_;
    http_answer head_;
    std::chrono::seconds write_deadline_;
    std::function<void(bool)> ended_;
    std::optional<boost::beast::http::response<boost::beast::http::empty_body>> response_;
    std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
        serializer_;
    std::deque<std::string> queue_;
    bool started_ = false, writing_ = false, last_ = false, failed_ = false, cut_ = false;
};

} // namespace donna::relay
