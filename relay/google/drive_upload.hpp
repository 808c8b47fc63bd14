// drive_upload.hpp: one file to the business's Google Drive by a resumable upload, so that a
// dropped connection costs at most the chunk under way, never the file.
//
//   upload_to_drive({client, google, settings, executor},
//                   {.name = "call-17.txt", .mime_type = "text/plain", .folder_id = folder},
//                   std::make_shared<const std::string>(bytes), {},
//                   [](result<drive_file> file) { ... });
//
// The session is opened with the file's size; the bytes go in chunks of chunk_bytes (a
// multiple of 256 KiB, as Google requires of every chunk but the last). When a chunk's
// request fails (the connection dropped, a 5xx, a 429), the session is asked how much it has
// (Content-Range: bytes */N) and the upload resumes from there, after a backoff; a session
// Google has forgotten (404, 410) is opened again and the upload starts over. More than
// max_failures failures in a row, or any other refusal, ends the upload with the reason.
// The access token comes from google_account (refreshed there as needed).
#pragma once

#include "core/error.hpp"
#include "providers/google/google_drive.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace donna::relay {

class google_account;
class http_client;
class settings_source;

struct drive_upload_deps {
    http_client& client;
    google_account& google;
    const settings_source& settings;       // GOOGLE_DRIVE_BASE_URL
    boost::asio::any_io_executor executor; // where the backoff timer runs
};

struct drive_upload_options {
    std::size_t chunk_bytes = std::size_t{8} << 20; // rounded down to a multiple of 256 KiB
    int max_failures = 5;                           // in a row, before giving up
    int max_restarts = 3;                           // sessions opened again after a 404/410
    std::chrono::milliseconds first_backoff{200};   // doubled after each failure in a row
};

// What happened on the way (for the log and tests): chunks sent, status queries, sessions
// opened again.
struct drive_upload_report {
    drive_file file;
    int chunks = 0;
    int status_queries = 0;
    int restarts = 0;
};

void upload_to_drive(const drive_upload_deps& deps, drive_file_metadata file,
                     std::shared_ptr<const std::string> bytes, drive_upload_options options,
                     std::function<void(result<drive_upload_report>)> done);

} // namespace donna::relay
