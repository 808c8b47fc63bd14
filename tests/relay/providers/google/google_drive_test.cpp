// Drive's resumable upload as the relay speaks it (relay/providers/google/google_drive),
// without I/O: the session's opening, a chunk's Content-Range, the status query, and how each
// answer of the session is read.
#include "providers/google/google_drive.hpp"

#include "config/config.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

std::string header_of(const upstream_request& r, std::string_view name)
{
    for (const auto& [key, value] : r.headers)
        if (key == name)
            return value;
    return {};
}

upstream_response drive_answer(unsigned status, std::string body = {}, header_list headers = {})
{
    upstream_response response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    return response;
}

TEST(GoogleDrive, TheSessionIsOpenedWithTheMetadataTheFolderAndTheSize)
{
    config cfg;
    const auto r = drive_open_upload_request(
        cfg, "ya29.token", {.name = "call.txt", .mime_type = "text/plain", .folder_id = "f1"},
        1234);
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url, "https://www.googleapis.com/upload/drive/v3/files?uploadType=resumable"
                     "&fields=id,name,mimeType,size");
    EXPECT_EQ(header_of(r, "Authorization"), "Bearer ya29.token");
    EXPECT_EQ(header_of(r, "X-Upload-Content-Length"), "1234");
    EXPECT_EQ(header_of(r, "X-Upload-Content-Type"), "text/plain");
    const auto metadata = nlohmann::json::parse(r.body);
    EXPECT_EQ(metadata["name"], "call.txt");
    EXPECT_EQ(metadata["parents"], nlohmann::json::array({"f1"}));
}

TEST(GoogleDrive, AChunkNamesItsBytesAndTheStatusQueryNamesNone)
{
    const auto chunk = drive_chunk_request("https://drive/session?upload_id=1", "t",
                                           std::string(262144, 'x'), 262144, 1000000);
    EXPECT_EQ(chunk.method, "PUT");
    EXPECT_EQ(header_of(chunk, "Content-Range"), "bytes 262144-524287/1000000");
    EXPECT_FALSE(chunk.replay_when_stale); // Drive may have kept part of it: ask, not resend
    const auto status = drive_status_request("https://drive/session?upload_id=1", "t", 1000000);
    EXPECT_EQ(header_of(status, "Content-Range"), "bytes */1000000");
    EXPECT_TRUE(status.body.empty());
}

TEST(GoogleDrive, EachAnswerOfTheSessionSaysWhatToDoNext)
{
    const auto kept =
        read_drive_upload_answer(drive_answer(308, {}, {{"Range", "bytes=0-524287"}}));
    EXPECT_EQ(kept.outcome, drive_upload_answer::kind::incomplete);
    EXPECT_EQ(kept.received, 524288u);
    EXPECT_EQ(read_drive_upload_answer(drive_answer(308)).received, 0u); // nothing kept yet
    const auto done = read_drive_upload_answer(drive_answer(
        200, R"({"id":"1AbC","name":"call.txt","mimeType":"text/plain","size":"1234"})"));
    EXPECT_EQ(done.outcome, drive_upload_answer::kind::complete);
    EXPECT_EQ(done.file.id, "1AbC");
    EXPECT_EQ(done.file.size, 1234u);
    EXPECT_EQ(read_drive_upload_answer(drive_answer(404)).outcome,
              drive_upload_answer::kind::session_gone);
    const auto busy = read_drive_upload_answer(
        drive_answer(503, R"({"error":{"code":503,"message":"Backend Error"}})"));
    EXPECT_EQ(busy.outcome, drive_upload_answer::kind::failed);
    EXPECT_TRUE(busy.retryable);
    EXPECT_EQ(busy.error, "Backend Error");
    EXPECT_FALSE(read_drive_upload_answer(drive_answer(403, "{}")).retryable);
}

} // namespace
} // namespace donna::relay
