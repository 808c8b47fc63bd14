// sse_stream.cpp: the head, the chunks and the last chunk, one write at a time.
#include "server/sse_stream.hpp"

#include "net/http_server_channel.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/field.hpp>

#include <utility>

namespace donna::relay {

namespace http = boost::beast::http;

sse_stream::sse_stream(http_server_channel& channel, const std::shared_ptr<void>& owner,
                       shape answer, http_answer head, std::chrono::seconds write_deadline,
                       std::function<void(bool written)> ended)
    : channel_(channel),
      owner_(owner),
      shape_(answer),
      head_(std::move(head)),
      write_deadline_(write_deadline),
      ended_(std::move(ended))
{}

void sse_stream::arm()
{
    channel_.tcp().expires_after(write_deadline_);
}

void sse_stream::write(std::string text, bool last)
{
    if (failed_)
        return;
    queue_.push_back(std::move(text));
    last_ = last_ || last;
    if (writing_)
        return;
    if (started_)
        return next();
    started_ = true;
    writing_ = true;
    response_.emplace(http::status::ok, shape_.version);
    response_->set(http::field::server, "donna-relay");
    response_->set("X-Content-Type-Options", "nosniff");
    response_->keep_alive(shape_.keep_alive);
    response_->set(http::field::content_type, head_.content_type);
    for (const auto& [name, value] : head_.headers)
        response_->set(name, value);
    response_->chunked(true);
    serializer_.emplace(*response_);
    arm();
    channel_.async_write_header(
        *serializer_, [this, keep = owner_.lock()](auto ec, std::size_t) { written(!ec, false); });
}

void sse_stream::cut()
{
    cut_ = true;
    if (!writing_)
        next();
}

void sse_stream::next()
{
    if (!queue_.empty() && queue_.front().empty() && !last_) {
        queue_.pop_front(); // nothing to write (an empty chunk would end the body)
        return next();
    }
    if (!queue_.empty() && !queue_.front().empty()) {
        writing_ = true;
        arm();
        return channel_.async_write_chunk(boost::asio::buffer(queue_.front()),
                                          [this, keep = owner_.lock()](auto ec, std::size_t) {
                                              queue_.pop_front();
                                              written(!ec, false);
                                          });
    }
    if (!queue_.empty())
        queue_.pop_front(); // an empty final write: only the last chunk follows
    if (cut_) {
        failed_ = true;
        channel_.tcp().close();
        return ended_(false);
    }
    if (last_) {
        writing_ = true;
        arm();
        channel_.async_write_last_chunk(
            [this, keep = owner_.lock()](auto ec, std::size_t) { written(!ec, true); });
    }
}

void sse_stream::written(bool ok, bool ended)
{
    writing_ = false;
    if (!ok) {
        failed_ = true;
        return ended_(false);
    }
    if (!ended)
        return next();
    ended_(true);
}

} // namespace donna::relay
