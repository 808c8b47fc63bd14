// google_drive.hpp: Drive v3's resumable upload as the relay speaks it, free of I/O
// (../shared/API-NOTES.md section 7; developers.google.com/drive/api/guides/manage-uploads):
// the request that opens an upload session, the chunks (Content-Range, multiples of 256 KiB
// but the last), the status query after an interruption, and the session's answers.
//
//   auto open = drive_open_upload_request(cfg, token, {.name = "call.txt", ...}, size);
//   auto session = drive_session_uri(response);            // its Location header
//   auto chunk = drive_chunk_request(*session, token, bytes, first, size);
//   auto answer = read_drive_upload_answer(response);     // incomplete (received), complete
//                                                         // (the file), session_gone, failed
#pragma once

#include "core/error.hpp"
#include "upstream/http_client.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

struct config;

// Google's rule: every chunk but the last is a multiple of this.
inline constexpr std::size_t drive_chunk_unit = 262144;

struct drive_file_metadata {
    std::string name;
    std::string mime_type = "application/octet-stream";
    std::string folder_id = {}; // "" : the Drive's root (GOOGLE_DRIVE_FOLDER_ID otherwise)
};

struct drive_file {
    std::string id;
    std::string name;
    std::string mime_type;
    std::uint64_t size = 0;
};

// POST {GOOGLE_DRIVE_BASE_URL}/upload/drive/v3/files?uploadType=resumable
// &fields=id,name,mimeType,size, with the metadata as JSON, X-Upload-Content-Type and
// X-Upload-Content-Length.
upstream_request drive_open_upload_request(const config& cfg, std::string_view access_token,
                                           const drive_file_metadata& file, std::uint64_t size);
// The upload session's URI from the answer to drive_open_upload_request (its Location);
// errc::upstream_unavailable when the answer is not a session.
result<std::string> drive_session_uri(const upstream_response& response);

// PUT <session> with bytes [first, first + bytes.size()) of `total`.
upstream_request drive_chunk_request(const std::string& session, std::string_view access_token,
                                     std::string bytes, std::uint64_t first, std::uint64_t total);
// PUT <session> with no bytes and Content-Range: bytes */<total>: how much Google has.
upstream_request drive_status_request(const std::string& session, std::string_view access_token,
                                      std::uint64_t total);

struct drive_upload_answer {
    enum class kind {
        incomplete,   // 308: `received` bytes are kept, send the rest from there
        complete,     // 200/201: `file`
        session_gone, // 404/410: the session expired; start a new one from byte 0
        failed,       // anything else: `status`, `error`; `retryable` for 5xx and 429
    };
    kind outcome = kind::failed;
    std::uint64_t received = 0;
    drive_file file = {};
    unsigned status = 0;
    std::string error = {};
    bool retryable = false;
};
drive_upload_answer read_drive_upload_answer(const upstream_response& response);

} // namespace donna::relay
