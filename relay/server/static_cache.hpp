// static_cache.hpp: serves the built client's files from memory, with strong ETags (so a
// revalidation costs a 304, not a 10 MB wasm download) and gzip for compressible types.
// Pure C++, no sockets: the HTTP session turns a static_response into headers and a body.
//
//   donna::relay::static_cache files(config.web_root);
//   auto r = files.get(req.target(), req[http::field::accept_encoding],
//                      req[http::field::if_none_match]);
//   res.result(r.status); res.set(etag, r.etag); ... res.body() = *r.body;
//
// A file is read once and kept (with its gzip variant) until its size or mtime changes;
// every request still stats the file, so an edited file is served at once.
#pragma once

#include "http/static_response.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace donna::relay {

struct static_cache_limits {
    std::size_t max_total_bytes = std::size_t{64} << 20U; // file bytes + gzip bytes kept
    std::size_t max_file_bytes = std::size_t{16} << 20U;  // larger files are read per request
};

class static_cache {
public:
    explicit static_cache(std::filesystem::path web_root, static_cache_limits limits = {});

    // target: the request target ("/", "/donna.wasm?x=1"); accept_encoding and if_none_match:
    // the request's headers, empty when absent. Thread-safe.
    static_response get(std::string_view target, std::string_view accept_encoding,
                        std::string_view if_none_match);

private:
    struct entry {
        std::uintmax_t size = 0;
        std::filesystem::file_time_type mtime;
        std::shared_ptr<const std::string> body;
        std::shared_ptr<const std::string> gzip_body; // null: not compressible or no smaller
        std::string etag, gzip_etag;
        std::uint64_t last_used = 0;
        std::size_t cost() const;
    };

    std::optional<entry> load(const std::string& path, std::uintmax_t size,
                              std::filesystem::file_time_type mtime) const;
    void insert(const std::string& path, entry e);

    std::filesystem::path root_;
    static_cache_limits limits_;
    std::mutex mutex_;
    std::map<std::string, entry> entries_;
    std::size_t total_bytes_ = 0;
    std::uint64_t clock_ = 0;
};

// Whether an Accept-Encoding header value allows gzip ("gzip;q=0" does not; "*" does).
bool accepts_gzip(std::string_view accept_encoding);

// Whether an If-None-Match header value (a list of entity tags, or "*") matches `etag`,
// using the weak comparison RFC 9110 prescribes for If-None-Match.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

} // namespace donna::relay
