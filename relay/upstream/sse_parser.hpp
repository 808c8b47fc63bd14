// sse_parser.hpp: an incremental reader of server-sent events (the HTML Living Standard's
// "text/event-stream" rules), fed whatever bytes the network delivers: events may be split
// across reads anywhere, lines end in LF, CRLF or CR, "data:" lines join with LF, lines
// starting with ":" are comments, and an event is dispatched at a blank line.
//
//   sse_parser parser;
//   parser.feed(chunk, [](const sse_event& e) {
//       if (e.data == "[DONE]") return;               // OpenAI's end-of-stream marker
//       handle(e.event, e.data);                      // e.event is "" unless "event:" was sent
//   });
//
// Limits memory: an event larger than `max_event_bytes` is an error (a broken or hostile
// upstream), after which feed() refuses further input.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace donna::relay {

struct sse_event {
    std::string event; // the "event:" field ("" when absent: a "message")
    std::string data;  // "data:" lines joined with "\n"
    std::string id;
};

class sse_parser {
public:
    explicit sse_parser(std::size_t max_event_bytes = std::size_t{1} << 20)
        : max_event_bytes_(max_event_bytes)
    {}

    // Calls on_event for every event completed by `bytes`. Fails (payload_too_large) when an
    // event grows past the limit; the parser stays failed.
    status feed(std::string_view bytes, const std::function<void(const sse_event&)>& on_event);

private:
    void line(std::string_view text, const std::function<void(const sse_event&)>& on_event);

    std::size_t max_event_bytes_;
    std::string partial_line_;
    sse_event current_;
    bool has_data_ = false;
    bool after_cr_ = false; // the last byte was CR: a following LF belongs to it
    bool failed_ = false;
};

} // namespace donna::relay
