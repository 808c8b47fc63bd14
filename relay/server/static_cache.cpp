// static_cache.cpp: file bytes, gzip variants and ETags kept per path, bounded and locked.
#define ZLIB_CONST // next_in is then a pointer to const: no const_cast on the file's bytes
#include "server/static_cache.hpp"

#include "core/ascii.hpp"

#include "server/static_files.hpp"

#include <sodium.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <utility>

namespace donna::relay {
namespace {

constexpr std::size_t etag_hash_bytes = 16; // 128 bits: collisions are not a concern
constexpr int gzip_level = 6;
constexpr int gzip_window_bits = 15 + 16; // 15: the largest window; +16: gzip wrapper, not zlib

const std::shared_ptr<const std::string>& empty_body()
{
    static const auto empty = std::make_shared<const std::string>();
    return empty;
}

static_response not_found()
{
    static_response r;
    r.status = 404;
    r.body = empty_body();
    return r;
}

bool is_compressible(std::string_view type)
{
    return type.starts_with("text/") || type.find("javascript") != std::string_view::npos ||
           type.find("json") != std::string_view::npos ||
           type.find("wasm") != std::string_view::npos ||
           type.find("svg") != std::string_view::npos;
}

std::string content_hash(std::string_view bytes)
{
    std::array<unsigned char, etag_hash_bytes> hash{};
    crypto_generichash(hash.data(), hash.size(),
                       reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr,
                       0);
    std::array<char, etag_hash_bytes * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
    return std::string(hex.data(), etag_hash_bytes * 2);
}

std::optional<std::string> gzip(std::string_view bytes)
{
    if (bytes.size() > UINT_MAX / 2)
        return std::nullopt;
    z_stream zs{};
    if (deflateInit2(&zs, gzip_level, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return std::nullopt;
    std::string out(deflateBound(&zs, static_cast<uLong>(bytes.size())), '\0');
    zs.next_in = reinterpret_cast<const Bytef*>(bytes.data());
    zs.avail_in = static_cast<uInt>(bytes.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    const auto written = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return std::nullopt;
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). A malformed weight counts as
// zero: when in doubt, send identity, which every client understands.
bool positive_qvalue(std::string_view q)
{
    if (q.empty() || q.size() > 5 || (q[0] != '0' && q[0] != '1'))
        return false;
    if (q.size() > 1 && q[1] != '.')
        return false;
    const std::string_view decimals = q.size() > 2 ? q.substr(2) : std::string_view{};
    if (!std::all_of(decimals.begin(), decimals.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    if (q[0] == '1')
        return std::all_of(decimals.begin(), decimals.end(), [](char c) { return c == '0'; });
    return std::any_of(decimals.begin(), decimals.end(), [](char c) { return c != '0'; });
}

// Calls f(item) for each comma-separated, trimmed, non-empty item.
template <class F>
void for_each_item(std::string_view list, F f)
{
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view item = trim(list.substr(0, comma));
        if (!item.empty())
            f(item);
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
}

} // namespace

bool accepts_gzip(std::string_view accept_encoding)
{
    std::optional<bool> gzip_weight;
    std::optional<bool> any_weight;
    for_each_item(accept_encoding, [&](std::string_view item) {
        const auto semicolon = item.find(';');
        const std::string_view coding = trim(item.substr(0, semicolon));
        bool positive = true;
        std::string_view params =
            semicolon == std::string_view::npos ? std::string_view{} : item.substr(semicolon + 1);
        while (!params.empty()) {
            const auto next = params.find(';');
            const std::string_view param = trim(params.substr(0, next));
            const auto eq = param.find('=');
            if (eq != std::string_view::npos &&
                ascii_equal_ignoring_case(trim(param.substr(0, eq)), "q"))
                positive = positive_qvalue(trim(param.substr(eq + 1)));
            if (next == std::string_view::npos)
                break;
            params.remove_prefix(next + 1);
        }
        if (ascii_equal_ignoring_case(coding, "gzip") ||
            ascii_equal_ignoring_case(coding, "x-gzip"))
            gzip_weight = gzip_weight.value_or(false) || positive;
        else if (coding == "*")
            any_weight = positive;
    });
    // An explicit gzip entry wins over "*" (RFC 9110 section 12.5.3).
    if (gzip_weight)
        return *gzip_weight;
    return any_weight.value_or(false);
}

bool etag_matches(std::string_view if_none_match, std::string_view etag)
{
    if_none_match = trim(if_none_match);
    if (if_none_match == "*")
        return true;
    bool matched = false;
    for_each_item(if_none_match, [&](std::string_view tag) {
        // Weak comparison: W/"x" matches "x".
        if (tag.starts_with("W/"))
            tag.remove_prefix(2);
        if (tag == etag)
            matched = true;
    });
    return matched;
}

std::size_t static_cache::entry::cost() const
{
    return body->size() + (gzip_body ? gzip_body->size() : 0);
}

static_cache::static_cache(std::filesystem::path web_root, static_cache_limits limits)
    : root_(std::move(web_root)), limits_(limits)
{
    // sodium_init only picks the fastest implementation (and is safe to call from many places
    // and threads); crypto_generichash is correct without it, so a failure changes nothing.
    [[maybe_unused]] const int sodium_ready = sodium_init();
}

static_response static_cache::get(std::string_view target, std::string_view accept_encoding,
                                  std::string_view if_none_match)
{
    const auto path = resolve_static_path(root_.string(), target);
    if (!path)
        return not_found();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*path, ec) || ec)
        return not_found();
    const auto size = std::filesystem::file_size(*path, ec);
    if (ec)
        return not_found();
    const auto mtime = std::filesystem::last_write_time(*path, ec);
    if (ec)
        return not_found();

    std::optional<entry> found;
    {
        const std::lock_guard lock(mutex_);
        if (auto it = entries_.find(*path);
            it != entries_.end() && it->second.size == size && it->second.mtime == mtime) {
            it->second.last_used = ++clock_;
            found = it->second;
        }
    }
    if (!found) {
        // Read outside the lock: a 10 MB wasm must not stall every other request.
        found = load(*path, size, mtime);
        if (!found)
            return not_found();
        // A size that differs from the stat's means the file changed while being read.
        if (found->size == size && size <= limits_.max_file_bytes)
            insert(*path, *found);
    }

    const bool use_gzip = found->gzip_body && accepts_gzip(accept_encoding);
    static_response r;
    r.content_type = std::string(media_type(*path));
    r.cache_control = "no-cache";
    if (found->gzip_body)
        r.vary = "Accept-Encoding";
    r.etag = use_gzip ? found->gzip_etag : found->etag;
    if (!if_none_match.empty() && etag_matches(if_none_match, r.etag)) {
        r.status = 304;
        r.body = empty_body();
        return r;
    }
    r.body = use_gzip ? found->gzip_body : found->body;
    if (use_gzip)
        r.content_encoding = "gzip";
    return r;
}

std::optional<static_cache::entry> static_cache::load(const std::string& path, std::uintmax_t size,
                                                      std::filesystem::file_time_type mtime) const
{
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open())
        return std::nullopt;
    auto bytes = std::make_shared<std::string>(std::istreambuf_iterator<char>(in),
                                               std::istreambuf_iterator<char>());
    if (in.bad())
        return std::nullopt;

    entry e;
    e.size = bytes->size();
    e.mtime = mtime;
    const std::string hash = content_hash(*bytes);
    e.etag = "\"" + hash + "\"";
    // Compressing a file too large to cache would cost the CPU on every request.
    if (size <= limits_.max_file_bytes && is_compressible(media_type(path))) {
        if (auto compressed = gzip(*bytes); compressed && compressed->size() < bytes->size()) {
            e.gzip_body = std::make_shared<const std::string>(std::move(*compressed));
            e.gzip_etag = "\"" + hash + "-gz\"";
        }
    }
    e.body = std::move(bytes);
    return e;
}

void static_cache::insert(const std::string& path, entry e)
{
    const std::lock_guard lock(mutex_);
    if (auto old = entries_.find(path); old != entries_.end()) {
        total_bytes_ -= old->second.cost();
        entries_.erase(old);
    }
    const std::size_t cost = e.cost();
    if (cost > limits_.max_total_bytes)
        return;
    // Evict the least recently used until the new entry fits; a web root holds a few files.
    while (total_bytes_ + cost > limits_.max_total_bytes && !entries_.empty()) {
        const auto oldest =
            std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
                return a.second.last_used < b.second.last_used;
            });
        total_bytes_ -= oldest->second.cost();
        entries_.erase(oldest);
    }
    e.last_used = ++clock_;
    total_bytes_ += cost;
    entries_.emplace(path, std::move(e));
}

} // namespace donna::relay
