// sse_parser.cpp: line splitting and field handling for text/event-stream.
#include "upstream/sse_parser.hpp"

namespace donna::relay {

status sse_parser::feed(std::string_view bytes,
                        const std::function<void(const sse_event&)>& on_event)
{
    if (failed_)
        return make_error(errc::payload_too_large, "event stream already failed");
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (after_cr_ && c == '\n') {
            after_cr_ = false;
            continue;
        }
        after_cr_ = c == '\r';
        if (c == '\r' || c == '\n') {
            line(partial_line_, on_event);
            partial_line_.clear();
            continue;
        }
        // Copy the run of ordinary bytes at once rather than byte by byte.
        std::size_t end = i;
        while (end < bytes.size() && bytes[end] != '\r' && bytes[end] != '\n')
            ++end;
        partial_line_.append(bytes.substr(i, end - i));
        i = end - 1;
        if (partial_line_.size() + current_.data.size() > max_event_bytes_) {
            failed_ = true;
            return make_error(errc::payload_too_large, "an event in the stream is larger than " +
                                                           std::to_string(max_event_bytes_) +
                                                           " bytes");
        }
    }
    return ok();
}

void sse_parser::line(std::string_view text, const std::function<void(const sse_event&)>& on_event)
{
    if (text.empty()) {
        if (has_data_ && on_event)
            on_event(current_);
        current_ = {};
        has_data_ = false;
        return;
    }
    if (text.front() == ':')
        return; // comment (keep-alive pings)
    const auto colon = text.find(':');
    const std::string_view field = text.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
    if (field == "data") {
        if (has_data_)
            current_.data += '\n';
        current_.data.append(value);
        has_data_ = true;
    } else if (field == "event") {
        current_.event = std::string(value);
    } else if (field == "id") {
        current_.id = std::string(value);
    }
    // "retry" and unknown fields are ignored, as the standard says.
}

} // namespace donna::relay
