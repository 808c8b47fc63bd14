// fake_google_drive.hpp: a faithful fake of Google Drive v3's resumable upload on loopback
// (HTTP/1.1, keep-alive, optionally HTTPS): the request that opens an upload session, the
// chunks sent to the session, and the status query a client makes after an interruption, so
// that tests can point GOOGLE_DRIVE_BASE_URL at it and break an upload where they choose. It
// keeps each upload's SHA-256 and MD5, never its bytes.
//
//   donna::fakes::fake_google_drive drive({.token_valid = [&](const std::string& t) {
//                                              return google.access_token_valid(t); },
//                                          .tls = true});
//   ASSERT_TRUE(drive.start());
//   cfg.google_drive_base_url = drive.base_url();   // "https://127.0.0.1:<port>"
//   drive.cut_next_chunk_after(300'000);             // the next chunk's connection drops
//   ... the relay uploads, asks where it stands, resumes ...
//   ASSERT_TRUE(drive.wait_files(1));
//   EXPECT_EQ(drive.files()[0].sha256, sha256_hex(bytes));
//   EXPECT_EQ(drive.status_queries(), 1);
//
// What it speaks (../shared/API-NOTES.md section 7; developers.google.com/drive/api/guides/
// manage-uploads#resumable; Google.Apis .NET ResumableUpload.MinimumChunkSize = 262144):
//   Every request needs `Authorization: Bearer <token>` that options.token_valid accepts
//   (checked before the base class's faults, as Google checks credentials before quotas).
//   No Authorization header is 401 "Request is missing required authentication credential..."
//   (reason required, "Login Required.", status UNAUTHENTICATED); another scheme, an empty
//   or a refused token is 401 "Request had invalid authentication credentials..." (reason
//   authError, "Invalid Credentials"), each with WWW-Authenticate: Bearer realm=
//   "https://accounts.google.com/" (and error="invalid_token" for the second). Both bodies as
//   seen from www.googleapis.com/upload/drive/v3/files in issue threads (ShareX/ShareX#7079,
//   ivanvermeyen/laravel-google-drive-demo#118). Errors all take Google's JSON shape
//   {"error":{"code","message","errors":[{"message","domain":"global","reason"}],"status"}},
//   application/json; charset=UTF-8.
//   POST /upload/drive/v3/files?uploadType=resumable (or /resumable/upload/drive/v3/files,
//   where uploadType may be left out; any other uploadType, or none on /upload, is 400
//   invalidParameter: media and multipart uploads are not simulated). The body is the file's
//   metadata, JSON, Content-Type application/json (else 400 badContent; not an object is 400
//   parseError); it may be empty. `name` (a string, "Untitled" when absent), `parents` (an
//   array of strings; more than one is 403 cannotAddParent, as Drive has allowed one parent
//   per file since 2020), `mimeType` (a string); other members are ignored.
//   X-Upload-Content-Type is the file's type when the metadata gives none (then
//   application/octet-stream); X-Upload-Content-Length, when sent, must be a decimal size and
//   is what the file's size must come to. `fields` (top-level File field names, comma
//   separated, or *) selects what the finished file's JSON holds: kind, id, name, mimeType,
//   parents (only when the metadata gave one), size (a string, as int64 is in Google's
//   JSON), md5Checksum, sha256Checksum; another name is 400 invalidParameter "Invalid field
//   selection <name>". Without it: kind, id, name, mimeType, Drive v3's default. Answer:
//   200, empty body, Location <origin>/upload/drive/v3/files?uploadType=resumable&upload_id=
//   <id>, X-GUploader-UploadID <id>. Counted in initiations().
//   PUT <session URI> (either path, with upload_id in the query), in this order: the
//   credentials; an unknown upload_id, or one forget_sessions() forgot, is 404 notFound;
//   then Content-Range:
//     `bytes */<total>` or `bytes */*` with an empty body (else 400) is a status query
//     (status_queries()): 308 with `Range: bytes=0-<last received>` (no Range when nothing
//     was kept), or 200 with the file once complete. It never completes an upload itself.
//     `bytes <first>-<last>/<total>` or `.../*` carries bytes (chunk_requests()): the body
//     must be last - first + 1 bytes long, `first` must be the bytes kept so far (400 naming
//     that offset otherwise), a total must be past `last` and agree with every total given
//     before and with X-Upload-Content-Length, and a chunk that does not end the file (a
//     total not yet reached, or *) must be a multiple of 262144 bytes; each of these is a
//     400 that keeps nothing. A chunk that brings the bytes kept to a total given by a
//     Content-Range completes the file: 200 with its JSON (recorded in files()); otherwise
//     308 with Range as above. A PUT without Content-Range is the whole file in one request
//     (bytes 0-(n-1)/n; an empty body is an empty file). Once complete, every PUT to the
//     session is answered 200 with the file.
//   Any other path or method: 404 text/html, as Google's front end answers.
//   Faults: cut_next_chunk_after(), fail_next_put() (below) take the next PUT that carries
//   bytes to a live session, after its credentials and session were checked; the base class's
//   set_fault() applies to the POSTs that open sessions: 429 rateLimitExceeded with
//   Retry-After, 500 backendError "Backend Error".
//
// How the cut is made: fake_http_server reads a request's whole body before the handler sees
// it, and gives a handler no way to close a connection unanswered for a PUT (its own faults
// take POSTs only). So the fake reads the whole chunk, keeps the first `bytes` of it rounded
// down to a multiple of 262144, and then throws out of the handler (drive_connection_cut, in
// the .cpp): loopback_server's I/O thread catches it and carries on, and the unwinding drops
// the connection's last owner, which closes the socket with nothing written. From the
// client's side this is what a drop mid-chunk looks like: the request went out, no answer
// came, the connection is gone (end of stream; on TLS a truncated stream, no close_notify).
// Only the timing differs: the server saw the whole body before closing.
//
// Unconfirmed from a primary source: the text and reason of every 400 (a wrong offset, a
// chunk size, a total that disagrees, a bad `fields`, bad metadata), the 404's body for a
// forgotten session (Google's "sessions last about a week" is itself unconfirmed), the
// default set of File fields (API-NOTES section 7 marks it so), what Google does with a
// chunk sent to a completed session, whether a total from
// X-Upload-Content-Length alone completes an upload (here only a Content-Range total does),
// 403 cannotAddParent's text, whether the session URI needs the Bearer token (Google's
// clients send it; this fake requires it), and the default mimeType (Google may sniff the
// bytes; here it is application/octet-stream).
//
// Not simulated: simple and multipart uploads, files.update (PATCH/PUT on a file id),
// shared drives and supportsAllDrives, quotas and storage limits, the session's expiry by
// time, folders existing (any parent id is taken) and My Drive's root folder (a file with no
// parent reports none, where Drive would name the root's id), nested `fields` selections.
//
// Sizes: a request's body may be up to fake_http_server's limit, 32 MiB, so chunks of 8 MiB
// and more pass. The fake keeps digests, not bytes, but fake_http_server's requests() still
// keeps every request's body as it came, so a 20 MB upload is held once there.
//
// Thread safety: as fake_http_server's; every member may be called while it serves.
#pragma once

#include "fake_http_server.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace donna::fakes {

struct fake_google_drive_options {
    // Whether a Bearer token is one Google would take; point it at
    // fake_google_oauth::access_token_valid to pair the two fakes.
    std::function<bool(const std::string&)> token_valid = [](const std::string& token) {
        return !token.empty();
    };
    bool tls = false; // HTTPS with the test PKI's certificate (SAN localhost, 127.0.0.1)
};

// One file whose upload completed, as Drive would list it, with its bytes' digests.
struct recorded_drive_file {
    std::string id;                   // Drive's file id ("1" and 32 base62 characters)
    std::string name;                 // "Untitled" when the metadata named none
    std::string mime_type;            // the metadata's, else X-Upload-Content-Type's
    std::vector<std::string> parents; // folder ids as sent; empty for My Drive's root
    std::uint64_t size = 0;
    std::string sha256; // lower-case hex of the bytes' SHA-256 (Drive's sha256Checksum)
    std::string md5;    // lower-case hex of their MD5 (Drive's md5Checksum)
};

class fake_google_drive : public fake_http_server {
public:
    explicit fake_google_drive(const fake_google_drive_options& options = {});

    // start() (fake_http_server's): 127.0.0.1, an ephemeral port.
    // origin(): what GOOGLE_DRIVE_BASE_URL is set to.
    std::string base_url() const;
    // "<origin>/upload/drive/v3/files?uploadType=resumable": where sessions are opened.
    std::string resumable_upload_url() const;

    // The next PUT that carries bytes to a live session loses its connection with no answer
    // after `bytes` of its body; the session keeps those bytes rounded down to a multiple of
    // 262144 (so a client must ask where it stands, not assume). See the header comment for
    // how the drop is made.
    void cut_next_chunk_after(std::size_t bytes);
    // The same for the chunk requests so numbered (counting every PUT that carries bytes from
    // 1, as chunk_requests() does): {{3, 300000}, {9, 0}} drops the 3rd after 300000 bytes
    // and the 9th after none, whenever they come.
    void cut_chunks(std::map<int, std::size_t> numbered);
    // Every session opened so far is gone: each answers 404 from now on (sessions opened
    // later are not affected).
    void forget_sessions();
    // The same, when the chunk request so numbered arrives (it then finds its session gone).
    void forget_sessions_at_chunk(int number);
    // The next PUT that carries bytes to a live session is answered `status` (400 to 599)
    // with Google's JSON error (5xx: backendError; 429: rateLimitExceeded; 404: notFound;
    // others: badRequest) and keeps none of its bytes.
    void fail_next_put(int status);

    // The files whose upload completed, in order of completion.
    std::vector<recorded_drive_file> files() const;
    // Sessions opened (initiations answered 200).
    int initiations() const;
    // PUTs that carried bytes (any PUT but a status query) with valid credentials, whatever
    // their answer: refused, faulted and cut ones included.
    int chunk_requests() const;
    // Status queries (Content-Range: bytes */...) with valid credentials, whatever their
    // answer.
    int status_queries() const;

    // Wait until `count` files completed / sessions were opened / chunk requests or status
    // queries arrived, re-checking whenever the fake answers one (fake_http_server::
    // wait_until's pattern); false if `timeout` passes first.
    bool wait_files(std::size_t count,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    bool wait_initiations(int count,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    bool wait_chunk_requests(int count,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    bool wait_status_queries(int count,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

private:
    struct api; // the handler, in the .cpp
    api& api_;
};

} // namespace donna::fakes
