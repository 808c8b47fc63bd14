// fake_google_drive.cpp: Drive v3's resumable upload as a fake_http_server handler: routing,
// the Bearer check, opening a session from its metadata, the chunks and status queries a
// session answers, the scripted faults, and the files that completed. Runs on the server's
// I/O thread; what tests read or script sits behind the handler's own mutex. Each session
// keeps running digests (libsodium's SHA-256, OpenSSL's MD5) of the bytes it kept, never the
// bytes.
//
// Sections: [helpers] [sessions] [api] [fake_google_drive]
#include "fake_google_drive.hpp"

#include "loopback_server.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

namespace donna::fakes {
namespace {

// Insertion order keeps Google's field order ("kind" first, "code" before "message").
using djson = nlohmann::ordered_json;

constexpr std::string_view drive_upload_path = "/upload/drive/v3/files";
constexpr std::string_view drive_resumable_path = "/resumable/upload/drive/v3/files";

// Every chunk but the last is a multiple of this (manage-uploads guide; Google.Apis .NET
// ResumableUpload.MinimumChunkSize).
constexpr std::uint64_t drive_upload_unit = 262144;

// The File fields this fake can answer, in the order Drive's File resource lists them.
constexpr std::array<std::string_view, 8> drive_known_fields = {
    "kind", "id", "name", "mimeType", "parents", "size", "md5Checksum", "sha256Checksum"};
// What files.create answers without `fields`.
constexpr std::array<std::string_view, 4> drive_default_fields = {"kind", "id", "name", "mimeType"};

// ---------------------------------------------------------------- [helpers]

// Thrown out of the handler to drop a connection without answering (the header says why):
// nothing catches it but loopback_server's I/O loop, which carries on, and the unwinding
// releases the connection, whose socket then closes.
class drive_connection_cut : public std::exception {
public:
    const char* what() const noexcept override
    {
        return "fake_google_drive: the connection was cut mid-chunk";
    }
};

std::string_view drive_trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// A decimal size with nothing around it; nullopt for anything else (a sign, a space, hex).
std::optional<std::uint64_t> drive_decimal(std::string_view text)
{
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [at, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || at != end)
        return std::nullopt;
    return value;
}

std::optional<std::string> drive_header(const recorded_request& request, const std::string& name)
{
    const auto found = request.headers.find(name);
    if (found == request.headers.end())
        return std::nullopt;
    return found->second;
}

std::string drive_hex(const unsigned char* bytes, std::size_t size)
{
    std::string text(size * 2 + 1, '\0');
    sodium_bin2hex(text.data(), text.size(), bytes, size);
    text.pop_back(); // the terminating NUL
    return text;
}

// google.rpc.Code's name for an HTTP status, as Google's JSON errors carry it in "status".
std::string_view drive_rpc_status(int status)
{
    switch (status) {
    case 400:
        return "INVALID_ARGUMENT";
    case 401:
        return "UNAUTHENTICATED";
    case 403:
        return "PERMISSION_DENIED";
    case 404:
        return "NOT_FOUND";
    case 409:
        return "ABORTED";
    case 429:
        return "RESOURCE_EXHAUSTED";
    case 500:
        return "INTERNAL";
    case 501:
        return "UNIMPLEMENTED";
    case 503:
        return "UNAVAILABLE";
    case 504:
        return "DEADLINE_EXCEEDED";
    default:
        return "UNKNOWN";
    }
}

http_answer drive_json_answer(int status, const djson& body)
{
    return {.status = status,
            .headers = {{"content-type", "application/json; charset=UTF-8"}},
            .body = body.dump(2)};
}

// Google's JSON error: the message twice, at the top and in errors[0] (where the two may
// differ, as the 401s' do), the reason in errors[0], google.rpc.Code's name in "status".
djson drive_error_body(int status, std::string_view reason, std::string_view message,
                       std::string_view detail)
{
    return {{"error",
             {{"code", status},
              {"message", message},
              {"errors", djson::array({{{"message", detail.empty() ? message : detail},
                                        {"domain", "global"},
                                        {"reason", reason}}})},
              {"status", drive_rpc_status(status)}}}};
}

http_answer drive_error(int status, std::string_view reason, std::string_view message,
                        std::string_view detail = {})
{
    return drive_json_answer(status, drive_error_body(status, reason, message, detail));
}

// The two 401s www.googleapis.com/upload/drive/v3/files answers (ShareX/ShareX#7079 for a bad
// token, ivanvermeyen/laravel-google-drive-demo#118 for none).
http_answer drive_unauthenticated(bool credentials_sent)
{
    auto body = credentials_sent
                    ? drive_error_body(401, "authError",
                                       "Request had invalid authentication credentials. "
                                       "Expected OAuth 2 access token, login cookie or other "
                                       "valid authentication credential. See "
                                       "https://developers.google.com/identity/sign-in/web/"
                                       "devconsole-project.",
                                       "Invalid Credentials")
                    : drive_error_body(401, "required",
                                       "Request is missing required authentication credential. "
                                       "Expected OAuth 2 access token, login cookie or other "
                                       "valid authentication credential. See "
                                       "https://developers.google.com/identity/sign-in/web/"
                                       "devconsole-project.",
                                       "Login Required.");
    auto& first = body["error"]["errors"][0];
    first["location"] = "Authorization";
    first["locationType"] = "header";
    if (!credentials_sent)
        body["error"]["details"] =
            djson::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                           {"reason", "CREDENTIALS_MISSING"},
                           {"domain", "googleapis.com"}}});
    auto answer = drive_json_answer(401, body);
    answer.headers.emplace_back("www-authenticate",
                                credentials_sent ? "Bearer realm=\"https://accounts.google.com/\", "
                                                   "error=\"invalid_token\""
                                                 : "Bearer realm=\"https://accounts.google.com/\"");
    return answer;
}

// What fail_next_put(status) answers: Drive's error for that kind of failure.
http_answer drive_failure(int status)
{
    if (status == 429)
        return drive_error(429, "rateLimitExceeded", "Rate Limit Exceeded");
    if (status >= 500)
        return drive_error(status, "backendError", "Backend Error");
    if (status == 404)
        return drive_error(404, "notFound", "Not Found");
    return drive_error(status, "badRequest", "Bad Request");
}

http_answer drive_session_gone()
{
    return drive_error(404, "notFound",
                       "The upload session was not found: it expired or was never opened. "
                       "Start a new one.");
}

std::string drive_html_escaped(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

http_answer drive_not_found_page(const recorded_request& request)
{
    return {.status = 404,
            .headers = {{"content-type", "text/html; charset=UTF-8"}},
            .body = "<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title>"
                    "<p><b>404.</b> That\xE2\x80\x99s an error.<p>The requested URL <code>" +
                    drive_html_escaped(request.path()) +
                    "</code> was not found on this server. That\xE2\x80\x99s all we know.</html>"};
}

// Which of the fake's endpoints a request is for.
enum class drive_route { none, open_session, session };

drive_route drive_route_of(const recorded_request& request)
{
    const auto path = request.path();
    if (path != drive_upload_path && path != drive_resumable_path)
        return drive_route::none;
    const bool to_session = query_parameter(request.target, "upload_id").has_value();
    if (request.method == "POST" && !to_session)
        return drive_route::open_session;
    if (request.method == "PUT" && to_session)
        return drive_route::session;
    return drive_route::none;
}

// Content-Range as a resumable upload sends it (RFC 9110 section 14.4, with Google's `*`
// for a range in a status query): `bytes <first>-<last>/<total>`, `bytes */<total>`, either
// with `*` for an unknown total.
struct drive_content_range {
    std::optional<std::uint64_t> first; // nullopt: `*`, a status query
    std::optional<std::uint64_t> last;
    std::optional<std::uint64_t> total; // nullopt: `*`, not known yet
};

std::optional<drive_content_range> parse_drive_content_range(std::string_view value)
{
    value = drive_trim(value);
    if (!lower(value.substr(0, 6)).starts_with("bytes "))
        return std::nullopt;
    value = drive_trim(value.substr(6));
    const auto slash = value.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    const auto range = value.substr(0, slash);
    const auto total = value.substr(slash + 1);
    drive_content_range out;
    if (total != "*") {
        out.total = drive_decimal(total);
        if (!out.total)
            return std::nullopt;
    }
    if (range == "*")
        return out;
    const auto dash = range.find('-');
    if (dash == std::string_view::npos)
        return std::nullopt;
    out.first = drive_decimal(range.substr(0, dash));
    out.last = drive_decimal(range.substr(dash + 1));
    if (!out.first || !out.last)
        return std::nullopt;
    return out;
}

// `fields` as top-level File field names; `*` is all of them. Sets `unknown` to the first
// name it cannot answer (then the selection is unusable).
std::vector<std::string> drive_field_selection(std::string_view fields, std::string& unknown)
{
    std::vector<std::string> selected;
    while (!fields.empty()) {
        const auto comma = fields.find(',');
        const auto name = drive_trim(fields.substr(0, comma));
        fields = comma == std::string_view::npos ? std::string_view{} : fields.substr(comma + 1);
        if (name == "*") {
            selected.assign(drive_known_fields.begin(), drive_known_fields.end());
            continue;
        }
        if (std::ranges::find(drive_known_fields, name) == drive_known_fields.end()) {
            unknown = std::string(name);
            return {};
        }
        selected.emplace_back(name);
    }
    return selected;
}

// The File as Drive answers it: the selected fields (Drive's default set when none were
// asked for), in the resource's order; parents only when there are some.
djson drive_file_json(const recorded_drive_file& file, const std::vector<std::string>& fields)
{
    const auto wanted = [&](std::string_view name) {
        return fields.empty()
                   ? std::ranges::find(drive_default_fields, name) != drive_default_fields.end()
                   : std::ranges::find(fields, name) != fields.end();
    };
    djson out = djson::object();
    if (wanted("kind"))
        out["kind"] = "drive#file";
    if (wanted("id"))
        out["id"] = file.id;
    if (wanted("name"))
        out["name"] = file.name;
    if (wanted("mimeType"))
        out["mimeType"] = file.mime_type;
    if (wanted("parents") && !file.parents.empty())
        out["parents"] = file.parents;
    if (wanted("size"))
        out["size"] = std::to_string(file.size); // int64, a string in Google's JSON
    if (wanted("md5Checksum") && !file.md5.empty())
        out["md5Checksum"] = file.md5;
    if (wanted("sha256Checksum"))
        out["sha256Checksum"] = file.sha256;
    return out;
}

// ---------------------------------------------------------------- [sessions]

struct drive_md_ctx_free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// SHA-256 and MD5 of the bytes fed in, in order, without keeping them.
class drive_digest {
public:
    drive_digest() : md5_(EVP_MD_CTX_new())
    {
        crypto_hash_sha256_init(&sha256_);
        // MD5 is only reported: should OpenSSL refuse it (a FIPS-only build), md5 stays empty.
        if (md5_ && EVP_DigestInit_ex(md5_.get(), EVP_md5(), nullptr) != 1)
            md5_.reset();
    }

    void add(std::string_view bytes)
    {
        const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
        crypto_hash_sha256_update(&sha256_, data, bytes.size());
        if (md5_ && EVP_DigestUpdate(md5_.get(), data, bytes.size()) != 1)
            md5_.reset();
    }

    // Lower-case hex of the SHA-256 and the MD5 ("" if MD5 was unavailable); once.
    std::pair<std::string, std::string> finish()
    {
        std::array<unsigned char, crypto_hash_sha256_BYTES> sha{};
        crypto_hash_sha256_final(&sha256_, sha.data());
        std::array<unsigned char, EVP_MAX_MD_SIZE> md5{};
        unsigned int md5_size = 0;
        std::string md5_hex;
        if (md5_ && EVP_DigestFinal_ex(md5_.get(), md5.data(), &md5_size) == 1)
            md5_hex = drive_hex(md5.data(), md5_size);
        return {drive_hex(sha.data(), sha.size()), md5_hex};
    }

private:
    crypto_hash_sha256_state sha256_{};
    std::unique_ptr<EVP_MD_CTX, drive_md_ctx_free> md5_;
};

// One upload session: its file's metadata, what it has kept, and the file once complete.
struct drive_session {
    std::string upload_id;
    std::string name;
    std::string mime_type;
    std::vector<std::string> parents;
    std::vector<std::string> fields;            // the initiation's `fields`; empty: default
    std::optional<std::uint64_t> declared_size; // X-Upload-Content-Length
    std::optional<std::uint64_t> range_total;   // the total a Content-Range gave
    std::uint64_t received = 0;                 // bytes kept, from the file's start
    drive_digest digest;
    std::optional<std::size_t> file; // its index in files() once complete
    bool forgotten = false;          // forget_sessions(): answers 404
};

// Where a PUT's bytes go, checked against its session.
struct drive_chunk {
    std::uint64_t first = 0;
    std::uint64_t length = 0;
    std::optional<std::uint64_t> total; // the Content-Range's; nullopt for `*`
};

http_answer drive_bad_chunk(const std::string& message)
{
    return drive_error(400, "badRequest", message);
}

// The chunk a PUT carries (the whole file without a Content-Range), or the 400 that refuses
// it. Checks the framing first, then the totals, the offset, and the size.
std::variant<drive_chunk, http_answer>
drive_read_chunk(const drive_session& s, const std::optional<drive_content_range>& range,
                 std::size_t body_size)
{
    drive_chunk c{.first = 0, .length = body_size, .total = body_size};
    if (range) {
        const auto& r = *range;
        if (!r.first || !r.last) // a status query: answered before any chunk is read
            return drive_bad_chunk("A status query carries no bytes.");
        const std::uint64_t first = *r.first;
        const std::uint64_t last = *r.last;
        if (last < first)
            return drive_bad_chunk("Invalid Content-Range: the last byte comes before the first.");
        c = {.first = first, .length = last - first + 1, .total = r.total};
        if (c.length != body_size)
            return drive_bad_chunk("Content-Range announces " + std::to_string(c.length) +
                                   " bytes but the body has " + std::to_string(body_size) + ".");
        if (r.total && last >= *r.total)
            return drive_bad_chunk("Invalid Content-Range: the last byte is past the total.");
    }
    const auto end = c.first + c.length;
    if (c.total && s.range_total && *c.total != *s.range_total)
        return drive_bad_chunk("Content-Range's total " + std::to_string(*c.total) +
                               " differs from the " + std::to_string(*s.range_total) +
                               " given before.");
    if (c.total && s.declared_size && *c.total != *s.declared_size)
        return drive_bad_chunk("The upload's size is " + std::to_string(*c.total) +
                               " bytes but X-Upload-Content-Length declared " +
                               std::to_string(*s.declared_size) + ".");
    if (s.declared_size && end > *s.declared_size)
        return drive_bad_chunk("The chunk ends past the X-Upload-Content-Length of " +
                               std::to_string(*s.declared_size) + " bytes.");
    if (s.range_total && end > *s.range_total)
        return drive_bad_chunk("The chunk ends past the total of " +
                               std::to_string(*s.range_total) + " bytes.");
    if (c.first != s.received)
        return drive_bad_chunk("Invalid request: the chunk starts at byte " +
                               std::to_string(c.first) + " but the session has " +
                               std::to_string(s.received) + " bytes: the next chunk starts at " +
                               std::to_string(s.received) + ".");
    const auto total = c.total ? c.total : s.range_total;
    const bool ends_the_file = total && end == *total;
    if (!ends_the_file && c.length % drive_upload_unit != 0)
        return drive_bad_chunk("Every chunk but the last must be a multiple of 262144 bytes; "
                               "this one has " +
                               std::to_string(c.length) + ".");
    return c;
}

} // namespace

// ---------------------------------------------------------------- [api]

struct fake_google_drive::api : http_handler {
    explicit api(fake_google_drive_options o) : options(std::move(o)) {}

    std::optional<http_answer> admit(const recorded_request& request) override
    {
        if (drive_route_of(request) == drive_route::none)
            return drive_not_found_page(request);
        return refuse_credentials(request);
    }

    http_answer rate_limited(int retry_after_seconds) override
    {
        auto a = drive_failure(429);
        a.headers.emplace_back("retry-after", std::to_string(retry_after_seconds));
        return a;
    }

    http_answer server_error() override { return drive_failure(500); }

    http_answer answer(const recorded_request& request) override
    {
        http_answer a;
        bool cut = false;
        {
            const std::lock_guard lock(mutex);
            if (drive_route_of(request) == drive_route::open_session)
                a = open_session(request);
            else
                a = put(request, cut);
            ++changes;
        }
        changed.notify_all();
        if (cut)
            throw drive_connection_cut(); // no answer; the connection closes (header comment)
        return a;
    }

    // ---- credentials

    // Called on the I/O thread without the mutex held, so token_valid may take other fakes'
    // locks (fake_google_oauth::access_token_valid).
    std::optional<http_answer> refuse_credentials(const recorded_request& request) const
    {
        const auto authorization = drive_header(request, "authorization");
        if (!authorization)
            return drive_unauthenticated(false);
        // The scheme is case-insensitive (RFC 9110 section 11.1).
        const std::string_view value = *authorization;
        if (!lower(value.substr(0, 7)).starts_with("bearer "))
            return drive_unauthenticated(true);
        const std::string token(drive_trim(value.substr(7)));
        const bool valid = options.token_valid ? options.token_valid(token) : !token.empty();
        if (token.empty() || !valid)
            return drive_unauthenticated(true);
        return std::nullopt;
    }

    // ---- opening a session

    http_answer open_session(const recorded_request& request)
    {
        const auto upload_type = query_parameter(request.target, "uploadType");
        const bool resumable_path = request.path() == drive_resumable_path;
        if (upload_type ? *upload_type != "resumable" : !resumable_path)
            return drive_error(400, "invalidParameter",
                               "Invalid value for uploadType: '" + upload_type.value_or("") +
                                   "'. This fake opens resumable uploads only.");
        drive_session s;
        if (const auto fields = query_parameter(request.target, "fields")) {
            std::string unknown;
            s.fields = drive_field_selection(*fields, unknown);
            if (!unknown.empty())
                return drive_error(400, "invalidParameter", "Invalid field selection " + unknown);
        }
        if (const auto declared = drive_header(request, "x-upload-content-length")) {
            s.declared_size = drive_decimal(drive_trim(*declared));
            if (!s.declared_size)
                return drive_error(400, "badRequest",
                                   "Invalid X-Upload-Content-Length: " + *declared);
        }
        auto metadata = djson::object();
        if (!request.body.empty()) {
            const auto type = drive_header(request, "content-type").value_or("");
            if (!lower(type).starts_with("application/json"))
                return drive_error(400, "badContent",
                                   "Unsupported content with type: " + type +
                                       " (the metadata is application/json).");
            metadata = djson::parse(request.body, nullptr, false);
            if (metadata.is_discarded() || !metadata.is_object())
                return drive_error(400, "parseError", "Parse Error");
        }
        if (auto refused = read_metadata(metadata, s))
            return *refused;
        if (s.mime_type.empty())
            s.mime_type =
                drive_header(request, "x-upload-content-type").value_or("application/octet-stream");

        s.upload_id = server->make_id("", 88);
        const auto location = server->origin() + std::string(drive_upload_path) +
                              "?uploadType=resumable&upload_id=" + s.upload_id;
        http_answer a{.status = 200,
                      .headers = {{"location", location}, {"x-guploader-uploadid", s.upload_id}}};
        const auto id = s.upload_id;
        sessions.emplace(id, std::move(s));
        ++initiations;
        return a;
    }

    // The metadata's name, parents and mimeType into `s`, or the refusal.
    static std::optional<http_answer> read_metadata(const djson& metadata, drive_session& s)
    {
        s.name = "Untitled";
        if (const auto name = metadata.find("name"); name != metadata.end()) {
            if (!name->is_string())
                return drive_error(400, "invalid", "Invalid value for name: not a string.");
            s.name = name->get<std::string>();
        }
        if (const auto parents = metadata.find("parents"); parents != metadata.end()) {
            if (!parents->is_array() ||
                !std::ranges::all_of(*parents, [](const djson& p) { return p.is_string(); }))
                return drive_error(400, "invalid",
                                   "Invalid value for parents: an array of folder ids.");
            if (parents->size() > 1)
                return drive_error(403, "cannotAddParent",
                                   "Increasing the number of parents is not allowed.");
            for (const auto& p : *parents)
                s.parents.push_back(p.get<std::string>());
        }
        if (const auto type = metadata.find("mimeType"); type != metadata.end()) {
            if (!type->is_string())
                return drive_error(400, "invalid", "Invalid value for mimeType: not a string.");
            s.mime_type = type->get<std::string>();
        }
        return std::nullopt;
    }

    // ---- the session: chunks and status queries

    // Sets `cut` when the connection must close unanswered (what is returned is then unused).
    http_answer put(const recorded_request& request, bool& cut)
    {
        const auto header = drive_header(request, "content-range");
        const auto range = header ? parse_drive_content_range(*header) : std::nullopt;
        const bool status_query = range && !range->first;
        ++(status_query ? status_query_count : chunk_request_count);
        if (!status_query && forget_at_chunk == chunk_request_count)
            for (auto& [id, s] : sessions)
                s.forgotten = true;

        const auto upload_id = query_parameter(request.target, "upload_id");
        const auto found = upload_id ? sessions.find(*upload_id) : sessions.end();
        if (found == sessions.end() || found->second.forgotten)
            return drive_session_gone();
        auto& s = found->second;
        if (status_query) {
            if (!request.body.empty())
                return drive_bad_chunk("A status query (Content-Range: bytes */...) has no body.");
            return progress(s);
        }

        // The faults take this PUT: it carries bytes to a live session.
        if (const auto status = std::exchange(fail_next_status, std::nullopt))
            return drive_failure(*status);
        auto cut_after = std::exchange(cut_next_after, std::nullopt);
        if (const auto numbered = cut_numbered.find(chunk_request_count);
            !cut_after && numbered != cut_numbered.end())
            cut_after = numbered->second;
        cut = cut_after.has_value();

        if (s.file)
            return progress(s);
        if (header && !range)
            return drive_bad_chunk("Invalid Content-Range: " + *header);
        auto read = drive_read_chunk(s, range, request.body.size());
        if (auto* refused = std::get_if<http_answer>(&read))
            return std::move(*refused);
        const auto& chunk = std::get<drive_chunk>(read);
        auto kept = chunk.length;
        if (cut_after) {
            // What arrived before the drop, down to the unit Google persists in.
            const auto arrived = chunk.first + std::min<std::uint64_t>(*cut_after, chunk.length);
            const auto persisted = arrived - arrived % drive_upload_unit;
            kept = persisted > chunk.first ? persisted - chunk.first : 0;
        }
        keep(s, std::string_view(request.body).substr(0, static_cast<std::size_t>(kept)),
             chunk.total);
        return progress(s);
    }

    void keep(drive_session& s, std::string_view bytes, std::optional<std::uint64_t> total)
    {
        s.digest.add(bytes);
        s.received += bytes.size();
        if (total)
            s.range_total = total;
        if (!s.range_total || s.received != *s.range_total)
            return;
        auto [sha256, md5] = s.digest.finish();
        files.push_back({.id = server->make_id("1", 32),
                         .name = s.name,
                         .mime_type = s.mime_type,
                         .parents = s.parents,
                         .size = s.received,
                         .sha256 = std::move(sha256),
                         .md5 = std::move(md5)});
        s.file = files.size() - 1;
    }

    // 200 with the file once complete; otherwise 308 Resume Incomplete with the bytes kept.
    http_answer progress(const drive_session& s) const
    {
        if (s.file) {
            auto a = drive_json_answer(200, drive_file_json(files[*s.file], s.fields));
            a.headers.emplace_back("x-guploader-uploadid", s.upload_id);
            return a;
        }
        http_answer a{.status = 308, .headers = {{"x-guploader-uploadid", s.upload_id}}};
        if (s.received > 0)
            a.headers.emplace_back("range", "bytes=0-" + std::to_string(s.received - 1));
        return a;
    }

    fake_google_drive_options options; // read-only once constructed
    mutable std::mutex mutex;
    mutable std::condition_variable changed; // after each request answered
    std::uint64_t changes = 0;
    std::map<std::string, drive_session> sessions; // by upload_id
    std::vector<recorded_drive_file> files;
    int initiations = 0;
    int chunk_request_count = 0;
    int status_query_count = 0;
    std::optional<std::size_t> cut_next_after;
    std::map<int, std::size_t> cut_numbered; // chunk request number -> bytes before the drop
    int forget_at_chunk = 0;                 // 0: never
    std::optional<int> fail_next_status;
};

// ---------------------------------------------------------------- [fake_google_drive]

fake_google_drive::fake_google_drive(const fake_google_drive_options& options)
    : fake_http_server(std::make_unique<api>(options),
                       {.name = "donna-fake-google-drive",
                        .tls = options.tls,
                        .fault = http_fault::none,
                        .fault_count = 1,
                        .retry_after_seconds = 1,
                        .chunk_interval = std::chrono::milliseconds(0)}),
      api_(static_cast<api&>(handler()))
{}

std::string fake_google_drive::base_url() const
{
    return origin();
}

std::string fake_google_drive::resumable_upload_url() const
{
    return origin() + std::string(drive_upload_path) + "?uploadType=resumable";
}

void fake_google_drive::cut_next_chunk_after(std::size_t bytes)
{
    const std::lock_guard lock(api_.mutex);
    api_.cut_next_after = bytes;
}

void fake_google_drive::cut_chunks(std::map<int, std::size_t> numbered)
{
    const std::lock_guard lock(api_.mutex);
    api_.cut_numbered = std::move(numbered);
}

void fake_google_drive::forget_sessions()
{
    const std::lock_guard lock(api_.mutex);
    for (auto& [id, s] : api_.sessions)
        s.forgotten = true;
}

void fake_google_drive::forget_sessions_at_chunk(int number)
{
    const std::lock_guard lock(api_.mutex);
    api_.forget_at_chunk = number;
}

void fake_google_drive::fail_next_put(int status)
{
    const std::lock_guard lock(api_.mutex);
    api_.fail_next_status = status;
}

std::vector<recorded_drive_file> fake_google_drive::files() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.files;
}

int fake_google_drive::initiations() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.initiations;
}

int fake_google_drive::chunk_requests() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.chunk_request_count;
}

int fake_google_drive::status_queries() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.status_query_count;
}

bool fake_google_drive::wait_files(std::size_t count, std::chrono::milliseconds timeout) const
{
    return wait_for_change<std::size_t>(
        api_.mutex, api_.changed, [&] { return api_.files.size(); }, [&] { return api_.changes; },
        [count](const std::size_t& seen) { return seen >= count; }, timeout);
}

bool fake_google_drive::wait_initiations(int count, std::chrono::milliseconds timeout) const
{
    return wait_for_change<int>(
        api_.mutex, api_.changed, [&] { return api_.initiations; }, [&] { return api_.changes; },
        [count](const int& seen) { return seen >= count; }, timeout);
}

bool fake_google_drive::wait_chunk_requests(int count, std::chrono::milliseconds timeout) const
{
    return wait_for_change<int>(
        api_.mutex, api_.changed, [&] { return api_.chunk_request_count; },
        [&] { return api_.changes; }, [count](const int& seen) { return seen >= count; }, timeout);
}

bool fake_google_drive::wait_status_queries(int count, std::chrono::milliseconds timeout) const
{
    return wait_for_change<int>(
        api_.mutex, api_.changed, [&] { return api_.status_query_count; },
        [&] { return api_.changes; }, [count](const int& seen) { return seen >= count; }, timeout);
}

} // namespace donna::fakes
