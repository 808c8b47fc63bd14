// http_reply.hpp: how a route's handler answers its request. The server implements it for
// each request; the handler may answer at once or later, from any thread (an upstream call's
// callbacks come from the HTTP client's own thread): every call is carried to the
// connection's strand, in order.
//
//   reply->send(json_error(404, "unknown_site", "no such site"));        // a whole answer
//
//   reply->stream(event_stream_head());                                // a streamed answer:
//   reply->cancel_on_disconnect(call);     // the caller leaving stops the upstream call
//   reply->write(sse_data(delta));         // one chunk per write, from any thread
//   reply->end(refusal_if_nothing_was_sent, last_event);
//
// One of send(), send_file(), end() or accept_websocket() finishes the request (the next is
// read after the answer is written); calls after that do nothing. A reply dropped unfinished
// answers 500, so a handler's bug cannot hang a connection.
#pragma once

#include "http/http_answer.hpp"
#include "http/static_response.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace donna::relay {

class upstream_call;
class websocket_channel;
struct websocket_upgrade;

class http_reply {
public:
    virtual ~http_reply() = default;

    // The whole answer.
    virtual void send(http_answer answer) = 0;
    // A file of the web root; `content_security_policy` (when not empty) on every status.
    virtual void send_file(static_response file, std::string content_security_policy) = 0;

    // A streamed answer (chunked: server-sent events, audio). `head` gives its status 200's
    // content type and headers; nothing is sent before the first write.
    virtual void stream(http_answer head) = 0;
    // One chunk (an empty one is skipped: it would end the body).
    virtual void write(std::string chunk) = 0;
    // Ends a streamed answer. When nothing was written yet and `refusal` is set, that whole
    // answer goes instead; otherwise `last` (when not empty) and the end of the body. With
    // `cut`, a started stream ends by closing the connection without the last chunk, so the
    // caller sees a truncated body rather than a short one that looks whole.
    virtual void end(std::optional<http_answer> refusal, std::string last, bool cut = false) = 0;
    // Stops `call` if the caller goes away before the answer is written.
    virtual void cancel_on_disconnect(std::shared_ptr<upstream_call> call) = 0;

    // For a WebSocket route: the connection becomes a WebSocket, handed to `start` with the
    // upgrade request (its HTTP deadlines off).
    using websocket_start =
        std::function<void(std::unique_ptr<websocket_channel>, const websocket_upgrade&)>;
    virtual void accept_websocket(websocket_start start) = 0;

    // The connection's executor, for a handler that runs asynchronous work of its own.
    virtual boost::asio::any_io_executor executor() const = 0;
};

} // namespace donna::relay
