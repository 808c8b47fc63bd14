// google_drive.cpp: the resumable upload's requests and answers.
#include "providers/google/google_drive.hpp"

#include "config/config.hpp"
#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace donna::relay {
namespace {

using djson = nlohmann::json;

std::string bearer(std::string_view token)
{
    return "Bearer " + std::string(token);
}

// "bytes=0-524287" -> 524288; absent or unreadable -> 0 (Google sends no Range when it has
// nothing).
std::uint64_t received_of(std::string_view range)
{
    constexpr std::string_view prefix = "bytes=0-";
    if (!range.starts_with(prefix))
        return 0;
    std::uint64_t last = 0;
    const auto digits = range.substr(prefix.size());
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), last);
    if (ec != std::errc() || end != digits.data() + digits.size())
        return 0;
    return last + 1;
}

// Google's JSON error's message, or the body's start.
std::string error_of(const upstream_response& response)
{
    const auto body = djson::parse(response.body, nullptr, false);
    if (body.is_object())
        if (const auto e = body.find("error"); e != body.end() && e->is_object())
            return json_string_member(*e, "message");
    return response.body.substr(0, 200);
}

} // namespace

upstream_request drive_open_upload_request(const config& cfg, std::string_view access_token,
                                           const drive_file_metadata& file, std::uint64_t size)
{
    djson metadata = {{"name", file.name}, {"mimeType", file.mime_type}};
    if (!file.folder_id.empty())
        metadata["parents"] = djson::array({file.folder_id});
    return {.method = "POST",
            .url = cfg.google_drive_base_url +
                   "/upload/drive/v3/files?uploadType=resumable&fields=id,name,mimeType,size",
            .headers = {{"Authorization", bearer(access_token)},
                        {"Content-Type", "application/json; charset=UTF-8"},
                        {"X-Upload-Content-Type", file.mime_type},
                        {"X-Upload-Content-Length", std::to_string(size)}},
            .body = metadata.dump()};
}

result<std::string> drive_session_uri(const upstream_response& response)
{
    const auto location = response.header("location");
    if (!response.ok() || location.empty())
        return make_error(errc::upstream_unavailable,
                          "Drive did not open an upload session (HTTP " +
                              std::to_string(response.status) + ": " + error_of(response) + ")");
    return location;
}

upstream_request drive_chunk_request(const std::string& session, std::string_view access_token,
                                     std::string bytes, std::uint64_t first, std::uint64_t total)
{
    const auto last = first + bytes.size() - 1;
    return {.method = "PUT",
            .url = session,
            .headers = {{"Authorization", bearer(access_token)},
                        {"Content-Range", "bytes " + std::to_string(first) + "-" +
                                              std::to_string(last) + "/" + std::to_string(total)}},
            .body = std::move(bytes),
            // Drive may have kept part of it: the uploader asks what, rather than send it again.
            .replay_when_stale = false};
}

upstream_request drive_status_request(const std::string& session, std::string_view access_token,
                                      std::uint64_t total)
{
    return {.method = "PUT",
            .url = session,
            .headers = {{"Authorization", bearer(access_token)},
                        {"Content-Range", "bytes */" + std::to_string(total)}},
            .body = {}};
}

drive_upload_answer read_drive_upload_answer(const upstream_response& response)
{
    drive_upload_answer answer;
    answer.status = response.status;
    if (response.status == 308) {
        answer.outcome = drive_upload_answer::kind::incomplete;
        answer.received = received_of(response.header("range"));
        return answer;
    }
    if (response.status == 200 || response.status == 201) {
        const auto body = djson::parse(response.body, nullptr, false);
        if (!body.is_object() || json_string_member(body, "id").empty()) {
            answer.error = "Drive's answer names no file";
            return answer;
        }
        answer.outcome = drive_upload_answer::kind::complete;
        answer.file = {.id = json_string_member(body, "id"),
                       .name = json_string_member(body, "name"),
                       .mime_type = json_string_member(body, "mimeType"),
                       .size = 0};
        // Drive writes int64 as a JSON string ("size":"20971520").
        const auto size = json_string_member(body, "size");
        if (std::from_chars(size.data(), size.data() + size.size(), answer.file.size).ec !=
            std::errc())
            answer.file.size = 0;
        return answer;
    }
    if (response.status == 404 || response.status == 410) {
        answer.outcome = drive_upload_answer::kind::session_gone;
        return answer;
    }
    answer.error = error_of(response);
    answer.retryable = response.status >= 500 || response.status == 429;
    return answer;
}

} // namespace donna::relay
