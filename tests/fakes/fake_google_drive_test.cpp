// The Google Drive fake over real TCP on loopback, driven by the tests' Beast client as the
// relay's resumable upload would drive it: sessions opened from metadata, chunks in multiples
// of 256 KiB, status queries, a connection cut mid-chunk, forgotten sessions, failures, and
// the Bearer check. Digests are checked against OpenSSL's and against known vectors, never
// against the fake's own libsodium.
#include "fake_google_drive.hpp"
#include "http_test_client.hpp"

#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace donna::fakes {
namespace {

namespace http = boost::beast::http;
using drive_test_json = nlohmann::json;

constexpr std::uint64_t drive_unit = 262144; // Google's chunk granularity, 256 KiB
const std::string drive_token = "ya29.a0-drive-test-token";

// Bytes without repeats a wrong offset could hide behind (xorshift32).
std::string drive_test_bytes(std::size_t size)
{
    std::string out(size, '\0');
    std::uint32_t x = 2463534242U;
    for (auto& c : out) {
        x ^= x << 13U;
        x ^= x >> 17U;
        x ^= x << 5U;
        c = static_cast<char>(x & 0xFFU);
    }
    return out;
}

// Lower-case hex of a digest by OpenSSL (the fake hashes with libsodium).
std::string drive_openssl_hex(const EVP_MD* md, std::string_view bytes)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, md, nullptr), 1);
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string hex;
    for (std::size_t i = 0; i < size; ++i) {
        hex += digits[static_cast<std::size_t>(digest[i] >> 4U)];
        hex += digits[static_cast<std::size_t>(digest[i] & 0xFU)];
    }
    return hex;
}

std::string drive_sha256(std::string_view bytes)
{
    return drive_openssl_hex(EVP_sha256(), bytes);
}

drive_test_json drive_body(const exchange_result& r)
{
    return drive_test_json::parse(r.response.body(), nullptr, false);
}

std::string drive_range(const exchange_result& r)
{
    return std::string(r.response["range"]);
}

// What the relay's drive_open_upload_request sends.
struct drive_open {
    drive_test_json metadata = drive_test_json::object(); // null: no body at all
    std::optional<std::uint64_t> size = std::nullopt;     // X-Upload-Content-Length
    std::string upload_type = "resumable";
    std::string fields = "id,name,mimeType,parents,size,md5Checksum,sha256Checksum";
    std::string path = "/upload/drive/v3/files";
    std::optional<std::string> authorization = "Bearer " + drive_token;
};

struct started_google_drive {
    explicit started_google_drive(const fake_google_drive_options& options = {}) : fake(options)
    {
        const auto started = fake.start();
        EXPECT_TRUE(started) << (started ? "" : started.error().message);
    }

    // One request on a connection of its own.
    exchange_result send(http::request<http::string_body> req)
    {
        http_test_client client(fake.port());
        EXPECT_FALSE(client.connect());
        return client.exchange(std::move(req));
    }

    static http::request<http::string_body> open_request(const drive_open& o)
    {
        std::string target = o.path;
        if (!o.upload_type.empty())
            target += "?uploadType=" + o.upload_type;
        if (!o.fields.empty())
            target += (o.upload_type.empty() ? "?fields=" : "&fields=") + o.fields;
        http::request<http::string_body> req{http::verb::post, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (o.authorization)
            req.set(http::field::authorization, *o.authorization);
        req.set("X-Upload-Content-Type", "text/plain");
        if (o.size)
            req.set("X-Upload-Content-Length", std::to_string(*o.size));
        if (!o.metadata.is_null()) {
            req.set(http::field::content_type, "application/json; charset=UTF-8");
            req.body() = o.metadata.dump();
        }
        req.prepare_payload();
        return req;
    }

    // Opens a session; its URI's path and query, or "" (with a failure) if none came.
    std::string open(const drive_open& o)
    {
        const auto r = send(open_request(o));
        EXPECT_EQ(r.response.result_int(), 200) << r.response.body();
        const std::string location(r.response[http::field::location]);
        const auto prefix =
            fake.origin() + "/upload/drive/v3/files?uploadType=resumable&upload_id=";
        EXPECT_TRUE(location.starts_with(prefix)) << location;
        EXPECT_TRUE(r.response.body().empty());
        return location.starts_with(prefix) ? location.substr(fake.origin().size()) : "";
    }

    std::string open_file(std::uint64_t size)
    {
        return open(
            {.metadata = {{"name", "call-17.txt"}, {"parents", {"folder-1"}}}, .size = size});
    }

    static http::request<http::string_body> put_request(const std::string& session,
                                                        std::string body,
                                                        const std::optional<std::string>& range)
    {
        http::request<http::string_body> req{http::verb::put, session, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, "Bearer " + drive_token);
        if (range)
            req.set(http::field::content_range, *range);
        req.body() = std::move(body);
        req.prepare_payload();
        return req;
    }

    // Bytes [first, first + size) of `file`, as `bytes first-last/<total>` (or `/*`).
    static http::request<http::string_body> chunk_request(const std::string& session,
                                                          const std::string& file,
                                                          std::uint64_t first, std::uint64_t size,
                                                          bool total_known = true)
    {
        const auto range = "bytes " + std::to_string(first) + "-" +
                           std::to_string(first + size - 1) + "/" +
                           (total_known ? std::to_string(file.size()) : std::string("*"));
        return put_request(session, file.substr(first, size), range);
    }

    exchange_result chunk(const std::string& session, const std::string& file, std::uint64_t first,
                          std::uint64_t size, bool total_known = true)
    {
        return send(chunk_request(session, file, first, size, total_known));
    }

    exchange_result status_query(const std::string& session, std::uint64_t total)
    {
        return send(put_request(session, "", "bytes */" + std::to_string(total)));
    }

    fake_google_drive fake;
};

TEST(FakeGoogleDrive, AnUploadInQuarterMebibyteMultiplesCompletesWithItsSizeAndSha256)
{
    started_google_drive s;
    const auto file = drive_test_bytes(4 * drive_unit + 1000);
    const auto session = s.open({.metadata = {{"name", "call-17.txt"},
                                              {"parents", {"folder-1"}},
                                              {"mimeType", "text/plain"}},
                                 .size = file.size()});

    const auto before = s.status_query(session, file.size());
    EXPECT_EQ(before.response.result_int(), 308);
    EXPECT_EQ(before.response.count("range"), 0U); // nothing received yet
    const auto first = s.chunk(session, file, 0, 2 * drive_unit);
    EXPECT_EQ(first.response.result_int(), 308) << first.response.body();
    EXPECT_EQ(drive_range(first), "bytes=0-524287");
    const auto second = s.chunk(session, file, 2 * drive_unit, 2 * drive_unit, false);
    EXPECT_EQ(second.response.result_int(), 308) << second.response.body();
    EXPECT_EQ(drive_range(second), "bytes=0-1048575");
    const auto last = s.chunk(session, file, 4 * drive_unit, 1000);
    ASSERT_EQ(last.response.result_int(), 200) << last.response.body();

    const auto body = drive_body(last);
    EXPECT_EQ(last.response[http::field::content_type], "application/json; charset=UTF-8");
    EXPECT_FALSE(body.contains("kind")); // `fields` selects exactly what it names
    EXPECT_EQ(body["name"], "call-17.txt");
    EXPECT_EQ(body["mimeType"], "text/plain");
    EXPECT_EQ(body["parents"], drive_test_json::array({"folder-1"}));
    EXPECT_EQ(body["size"], std::to_string(file.size())); // int64 travels as a string
    EXPECT_EQ(body["md5Checksum"], drive_openssl_hex(EVP_md5(), file));
    EXPECT_EQ(body["sha256Checksum"], drive_sha256(file));

    ASSERT_TRUE(s.fake.wait_files(1));
    const auto recorded = s.fake.files().at(0);
    EXPECT_EQ(recorded.id, body["id"]);
    EXPECT_EQ(recorded.name, "call-17.txt");
    EXPECT_EQ(recorded.mime_type, "text/plain");
    EXPECT_EQ(recorded.parents, std::vector<std::string>{"folder-1"});
    EXPECT_EQ(recorded.size, file.size());
    EXPECT_EQ(recorded.sha256, drive_sha256(file));
    EXPECT_EQ(s.fake.initiations(), 1);
    EXPECT_EQ(s.fake.chunk_requests(), 3);
    EXPECT_EQ(s.fake.status_queries(), 1);

    // Once complete, a status query (a client that lost the last answer) gets the file.
    const auto after = s.status_query(session, file.size());
    EXPECT_EQ(after.response.result_int(), 200);
    EXPECT_EQ(drive_body(after)["id"], body["id"]);
}

TEST(FakeGoogleDrive, AWholeFileInOneRequestIsUntitledWithoutMetadataAndHasTheKnownDigests)
{
    started_google_drive s;
    const auto session = s.open({.metadata = nullptr, .fields = ""});
    const std::string fox = "The quick brown fox jumps over the lazy dog";
    const auto r = s.send(started_google_drive::put_request(session, fox, std::nullopt));
    ASSERT_EQ(r.response.result_int(), 200) << r.response.body();
    // Without `fields`, Drive v3's default set only.
    const auto body = drive_body(r);
    EXPECT_EQ(body["kind"], "drive#file");
    EXPECT_EQ(body["name"], "Untitled");
    EXPECT_EQ(body["mimeType"], "text/plain"); // from X-Upload-Content-Type
    EXPECT_FALSE(body.contains("size"));
    EXPECT_FALSE(body.contains("md5Checksum"));

    ASSERT_EQ(s.fake.files().size(), 1U);
    const auto recorded = s.fake.files()[0];
    EXPECT_EQ(recorded.size, fox.size());
    EXPECT_TRUE(recorded.parents.empty());
    // FIPS 180-2 and RFC 1321 test-suite vectors for this sentence.
    EXPECT_EQ(recorded.sha256, "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
    EXPECT_EQ(recorded.md5, "9e107d9d372bb6826bd81d3542a419d6");
}

TEST(FakeGoogleDrive, AChunkNotAMultipleOfQuarterMebibyteIsRefusedUnlessItEndsTheFile)
{
    started_google_drive s;
    const auto file = drive_test_bytes(drive_unit + 300'000);
    const auto session = s.open_file(file.size());
    for (const bool total_known : {false, true}) {
        const auto r = s.chunk(session, file, 0, 300'000, total_known);
        EXPECT_EQ(r.response.result_int(), 400) << r.response.body();
        EXPECT_EQ(drive_body(r)["error"]["code"], 400);
        EXPECT_NE(drive_body(r)["error"]["message"].get<std::string>().find("262144"),
                  std::string::npos);
    }
    EXPECT_EQ(s.status_query(session, file.size()).response.count("range"), 0U); // none kept

    EXPECT_EQ(s.chunk(session, file, 0, drive_unit).response.result_int(), 308);
    const auto last = s.chunk(session, file, drive_unit, 300'000); // not a multiple: the last
    EXPECT_EQ(last.response.result_int(), 200) << last.response.body();
    ASSERT_EQ(s.fake.files().size(), 1U);
    EXPECT_EQ(s.fake.files()[0].sha256, drive_sha256(file));
}

TEST(FakeGoogleDrive, AChunkThatStartsElsewhereIsRefusedNamingTheOffsetToResumeFrom)
{
    started_google_drive s;
    const auto file = drive_test_bytes(3 * drive_unit);
    const auto session = s.open_file(file.size());
    EXPECT_EQ(s.chunk(session, file, 0, drive_unit).response.result_int(), 308);
    const auto ahead = s.chunk(session, file, 2 * drive_unit, drive_unit);
    EXPECT_EQ(ahead.response.result_int(), 400) << ahead.response.body();
    EXPECT_NE(drive_body(ahead)["error"]["message"].get<std::string>().find("starts at 262144"),
              std::string::npos)
        << ahead.response.body();
    const auto again = s.chunk(session, file, 0, drive_unit); // a resend of what was kept
    EXPECT_EQ(again.response.result_int(), 400);
    EXPECT_EQ(drive_range(s.status_query(session, file.size())), "bytes=0-262143");
}

TEST(FakeGoogleDrive, AfterACutTheStatusQueryReportsTheRoundedDownOffsetAndTheUploadResumes)
{
    started_google_drive s;
    constexpr std::uint64_t relay_chunk = 32 * drive_unit; // 8 MiB, the relay's default
    const auto file = drive_test_bytes(relay_chunk + 12'345);
    const auto session = s.open_file(file.size());
    s.fake.cut_next_chunk_after(5'000'000);

    http_test_client client(s.fake.port());
    ASSERT_FALSE(client.connect());
    const auto cut =
        client.exchange(started_google_drive::chunk_request(session, file, 0, relay_chunk));
    EXPECT_TRUE(cut.ec) << "the cut chunk was answered " << cut.response.result_int();
    EXPECT_EQ(cut.ec, http::error::end_of_stream) << cut.ec.message();
    EXPECT_TRUE(client.closed_by_server());
    ASSERT_TRUE(s.fake.wait_chunk_requests(1));

    // 5000000 bytes arrived; the session kept them down to a multiple of 262144: 19 of them.
    const auto where = s.status_query(session, file.size());
    EXPECT_EQ(where.response.result_int(), 308);
    EXPECT_EQ(drive_range(where), "bytes=0-4980735");
    const auto rest = s.chunk(session, file, 19 * drive_unit, file.size() - 19 * drive_unit);
    ASSERT_EQ(rest.response.result_int(), 200) << rest.response.body();
    EXPECT_EQ(drive_body(rest)["sha256Checksum"], drive_sha256(file));
    ASSERT_EQ(s.fake.files().size(), 1U);
    EXPECT_EQ(s.fake.files()[0].sha256, drive_sha256(file));
    EXPECT_EQ(s.fake.files()[0].size, file.size());
    EXPECT_EQ(s.fake.chunk_requests(), 2);
    EXPECT_EQ(s.fake.status_queries(), 1);
}

TEST(FakeGoogleDrive, ACutOverHttpsEndsTheTlsStreamUnansweredAndTheFakeServesOn)
{
    started_google_drive s({.tls = true});
    const auto file = drive_test_bytes(3 * drive_unit);
    const auto https = [&] {
        auto client = std::make_unique<http_test_client>(
            s.fake.port(), http_test_client_options{.tls = true, .host = "localhost"});
        EXPECT_FALSE(client->connect());
        return client;
    };
    const auto opened = https()->exchange(started_google_drive::open_request({}));
    ASSERT_EQ(opened.response.result_int(), 200) << opened.response.body();
    const auto session =
        std::string(opened.response[http::field::location]).substr(s.fake.origin().size());
    s.fake.cut_next_chunk_after(300'000);

    auto cut_client = https();
    const auto cut =
        cut_client->exchange(started_google_drive::chunk_request(session, file, 0, 2 * drive_unit));
    EXPECT_TRUE(cut.ec) << "the cut chunk was answered " << cut.response.result_int();
    EXPECT_TRUE(cut_client->closed_by_server());

    const auto where = https()->exchange(
        started_google_drive::put_request(session, "", "bytes */" + std::to_string(file.size())));
    EXPECT_EQ(where.response.result_int(), 308);
    EXPECT_EQ(drive_range(where), "bytes=0-262143");
}

TEST(FakeGoogleDrive, ForgetSessionsMakesEverySessionSoFarAnswer404AndANewOneWorks)
{
    started_google_drive s;
    const auto file = drive_test_bytes(2 * drive_unit);
    const auto forgotten = s.open_file(file.size());
    EXPECT_EQ(s.chunk(forgotten, file, 0, drive_unit).response.result_int(), 308);
    s.fake.forget_sessions();

    const auto query = s.status_query(forgotten, file.size());
    EXPECT_EQ(query.response.result_int(), 404);
    EXPECT_EQ(drive_body(query)["error"]["errors"][0]["reason"], "notFound");
    EXPECT_EQ(drive_body(query)["error"]["status"], "NOT_FOUND");
    EXPECT_EQ(s.chunk(forgotten, file, drive_unit, drive_unit).response.result_int(), 404);

    const auto fresh = s.open_file(file.size());
    EXPECT_EQ(s.chunk(fresh, file, 0, 2 * drive_unit).response.result_int(), 200);
    EXPECT_EQ(s.fake.initiations(), 2);
    ASSERT_EQ(s.fake.files().size(), 1U);
    EXPECT_EQ(s.fake.files()[0].sha256, drive_sha256(file));
}

TEST(FakeGoogleDrive, AMissingBearerTokenIs401LoginRequiredAndARefusedOneIs401AuthError)
{
    started_google_drive s(
        {.token_valid = [](const std::string& t) { return t == drive_token; }, .tls = false});
    const auto missing =
        s.send(started_google_drive::open_request({.authorization = std::nullopt}));
    EXPECT_EQ(missing.response.result_int(), 401);
    const auto missing_body = drive_body(missing);
    EXPECT_EQ(missing_body["error"]["code"], 401);
    EXPECT_EQ(missing_body["error"]["status"], "UNAUTHENTICATED");
    EXPECT_EQ(missing_body["error"]["errors"][0]["reason"], "required");
    EXPECT_EQ(missing_body["error"]["errors"][0]["location"], "Authorization");
    EXPECT_TRUE(missing.response[http::field::www_authenticate].starts_with("Bearer realm="));

    const auto refused =
        s.send(started_google_drive::open_request({.authorization = "Bearer ya29.expired"}));
    EXPECT_EQ(refused.response.result_int(), 401);
    const auto refused_body = drive_body(refused);
    EXPECT_EQ(refused_body["error"]["errors"][0]["reason"], "authError");
    EXPECT_TRUE(refused_body["error"]["message"].get<std::string>().starts_with(
        "Request had invalid authentication credentials."));
    EXPECT_NE(refused.response[http::field::www_authenticate].find("error=\"invalid_token\""),
              std::string::npos);

    // A session's PUTs need the token too; refused ones are not counted as chunks.
    const auto session = s.open({});
    auto put = started_google_drive::put_request(session, std::string(drive_unit, 'x'),
                                                 "bytes 0-262143/*");
    put.erase(http::field::authorization);
    EXPECT_EQ(s.send(std::move(put)).response.result_int(), 401);
    EXPECT_EQ(s.fake.initiations(), 1);
    EXPECT_EQ(s.fake.chunk_requests(), 0);
}

TEST(FakeGoogleDrive, AFinalSizeOtherThanXUploadContentLengthIsRefusedAndKeepsNothing)
{
    started_google_drive s;
    const auto file = drive_test_bytes(600'000);
    const auto session = s.open_file(file.size());
    EXPECT_EQ(s.chunk(session, file, 0, drive_unit, false).response.result_int(), 308);
    // Ends the file at 524288 bytes where 600000 were declared.
    const auto shorter = s.send(started_google_drive::put_request(
        session, file.substr(drive_unit, drive_unit), "bytes 262144-524287/524288"));
    EXPECT_EQ(shorter.response.result_int(), 400) << shorter.response.body();
    EXPECT_NE(
        drive_body(shorter)["error"]["message"].get<std::string>().find("X-Upload-Content-Length"),
        std::string::npos);
    EXPECT_EQ(drive_range(s.status_query(session, file.size())), "bytes=0-262143");
    EXPECT_TRUE(s.fake.files().empty());

    const auto right = s.chunk(session, file, drive_unit, file.size() - drive_unit);
    EXPECT_EQ(right.response.result_int(), 200) << right.response.body();
}

TEST(FakeGoogleDrive, FailNextPutAnswersItsStatusOnceAndKeepsNothingOfThatChunk)
{
    started_google_drive s;
    const auto file = drive_test_bytes(2 * drive_unit);
    const auto session = s.open_file(file.size());
    s.fake.fail_next_put(503);
    // A status query carries no bytes: the fault waits for a chunk.
    EXPECT_EQ(s.status_query(session, file.size()).response.result_int(), 308);

    const auto failed = s.chunk(session, file, 0, drive_unit);
    EXPECT_EQ(failed.response.result_int(), 503);
    EXPECT_EQ(drive_body(failed)["error"]["errors"][0]["reason"], "backendError");
    EXPECT_EQ(drive_body(failed)["error"]["status"], "UNAVAILABLE");
    EXPECT_EQ(s.status_query(session, file.size()).response.count("range"), 0U);

    const auto retried = s.chunk(session, file, 0, drive_unit);
    EXPECT_EQ(retried.response.result_int(), 308);
    EXPECT_EQ(drive_range(retried), "bytes=0-262143");
    EXPECT_EQ(s.fake.chunk_requests(), 2);
    EXPECT_EQ(s.fake.status_queries(), 2);
}

TEST(FakeGoogleDrive, TheResumablePathOpensSessionsAndOtherUploadTypesAreRefused)
{
    started_google_drive s;
    const auto media = s.send(started_google_drive::open_request({.upload_type = "media"}));
    EXPECT_EQ(media.response.result_int(), 400);
    EXPECT_EQ(drive_body(media)["error"]["errors"][0]["reason"], "invalidParameter");
    const auto selection = s.send(started_google_drive::open_request({.fields = "id,webViewLink"}));
    EXPECT_EQ(selection.response.result_int(), 400);
    EXPECT_EQ(drive_body(selection)["error"]["message"], "Invalid field selection webViewLink");
    const auto two_parents =
        s.send(started_google_drive::open_request({.metadata = {{"parents", {"a", "b"}}}}));
    EXPECT_EQ(two_parents.response.result_int(), 403);
    EXPECT_EQ(s.fake.initiations(), 0);

    const auto session = s.open({.upload_type = "", .path = "/resumable/upload/drive/v3/files"});
    EXPECT_FALSE(session.empty());
    EXPECT_EQ(s.fake.initiations(), 1);
}

TEST(FakeGoogleDrive, AnInitiationFaultIsGooglesBackendErrorAndTheRetryOpensASession)
{
    started_google_drive s;
    s.fake.set_fault(http_fault::status_500, 1);
    const auto failed = s.send(started_google_drive::open_request({}));
    EXPECT_EQ(failed.response.result_int(), 500);
    EXPECT_EQ(drive_body(failed)["error"]["errors"][0]["reason"], "backendError");
    EXPECT_FALSE(s.open({}).empty());
    EXPECT_EQ(s.fake.initiations(), 1);
}

TEST(FakeGoogleDrive, AWholeUploadRunsOverHttpsOnOneKeptAliveConnection)
{
    started_google_drive s({.tls = true});
    EXPECT_TRUE(s.fake.resumable_upload_url().starts_with("https://127.0.0.1:"));
    http_test_client client(s.fake.port(), {.tls = true, .host = "localhost"});
    ASSERT_FALSE(client.connect());
    const auto file = drive_test_bytes(drive_unit + 7);
    const auto opened = client.exchange(started_google_drive::open_request({.size = file.size()}));
    ASSERT_EQ(opened.response.result_int(), 200) << opened.response.body();
    const auto session =
        std::string(opened.response[http::field::location]).substr(s.fake.origin().size());
    EXPECT_EQ(client.exchange(started_google_drive::chunk_request(session, file, 0, drive_unit))
                  .response.result_int(),
              308);
    const auto last =
        client.exchange(started_google_drive::chunk_request(session, file, drive_unit, 7));
    ASSERT_EQ(last.response.result_int(), 200) << last.response.body();
    EXPECT_EQ(drive_body(last)["sha256Checksum"], drive_sha256(file));
    EXPECT_EQ(s.fake.tls_handshakes(), 1);
    EXPECT_EQ(s.fake.accepted_connections(), 1);
}

} // namespace
} // namespace donna::fakes
