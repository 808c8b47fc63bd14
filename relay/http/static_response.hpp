// static_response.hpp: a file of the web root as an answer (what server/static_cache gives and
// an http_reply sends), plain data.
#pragma once

#include <memory>
#include <string>

namespace donna::relay {

struct static_response {
    int status = 200; // 200, 304 or 404
    // Never null; empty for 304 and 404 (and HEAD callers ignore it).
    std::shared_ptr<const std::string> body;
    // 200 and 304 carry content_type, etag, cache_control and vary; content_encoding
    // ("gzip" or "") only describes a 200's body. 404 carries nothing but the status.
    std::string content_type, etag, content_encoding;
    std::string cache_control; // "no-cache": the client must revalidate; the ETag makes it cheap
    std::string vary;          // "Accept-Encoding" for compressible types, else ""
};

} // namespace donna::relay
