// Files to the business's Drive (google/drive_upload, POST /v1/google/drive/files): a real
// relay, the Google OAuth fake for its access tokens and the Drive fake, over loopback. An
// upload arrives whole (its SHA-256) into the folder; a dropped connection is resumed from
// what Drive says it kept, not from what was sent; a session Drive forgot is opened again;
// without a connected account nothing is sent.
#include "fake_google_drive.hpp"
#include "fake_google_oauth.hpp"
#include "io_thread.hpp"
#include "relay_harness.hpp"
#include "test_pki.hpp"

#include "app/services.hpp"
#include "google/drive_upload.hpp"
#include "google/google_account.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

namespace donna::relay {
namespace {

std::string sha256_of(const std::string& bytes)
{
    std::array<unsigned char, crypto_hash_sha256_BYTES> hash{};
    crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
    return {hex.data(), hash.size() * 2};
}

// `size` bytes that differ along the file, so a chunk sent twice or at the wrong place shows.
std::string file_of(std::size_t size)
{
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i * 2654435761U) >> 13U);
    return bytes;
}

class DriveUpload : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(google_.start());
        ASSERT_TRUE(drive_.start());
    }

    // A relay whose Google account is the seed's pre-made refresh token (or none), or, with
    // `service_account_key`, a service account's key file.
    void start(bool connected = true, const std::string& service_account_key = {})
    {
        auto cfg = test::test_config();
        cfg.admin_token = test::test_admin_token;
        cfg.google_client_id = google_.client_id();
        cfg.google_client_secret = google_.client_secret();
        cfg.google_token_url = google_.token_url();
        cfg.google_drive_base_url = drive_.base_url();
        cfg.google_drive_folder_id = "folder-of-the-business";
        if (connected && service_account_key.empty())
            cfg.gmail_refresh_token =
                google_.issue_refresh_token("https://www.googleapis.com/auth/drive.file");
        if (!service_account_key.empty()) {
            key_file_ = std::filesystem::temp_directory_path() /
                        ("donna-sa-" + std::to_string(::getpid()) + ".json");
            std::ofstream(key_file_) << service_account_key;
            cfg.google_service_account_file = key_file_.string();
            cfg.google_token_url = google_.token_url();
        }
        relay_ = std::make_unique<test::relay_harness>(cfg);
    }

    result<drive_upload_report> upload(const std::string& bytes, drive_upload_options options)
    {
        std::promise<result<drive_upload_report>> done;
        auto& svc = relay_->svc();
        upload_to_drive({svc.upstreams(), svc.google(), svc.live(), io_.executor()},
                        {.name = "transcript.txt",
                         .mime_type = "text/plain",
                         .folder_id = "folder-of-the-business"},
                        std::make_shared<const std::string>(bytes), options,
                        [&done](result<drive_upload_report> r) { done.set_value(std::move(r)); });
        return done.get_future().get();
    }

    fakes::fake_google_oauth google_;
    fakes::fake_google_drive drive_{
        {.token_valid =
             [this](const std::string& token) { return google_.access_token_valid(token); },
         .tls = false}};
    donna::test::io_thread io_;
    std::unique_ptr<test::relay_harness> relay_;
    std::filesystem::path key_file_;

    void TearDown() override
    {
        relay_.reset();
        if (!key_file_.empty())
            std::filesystem::remove(key_file_);
    }
};

std::string service_account_key_file(const std::string& private_key_pem)
{
    return nlohmann::json{{"type", "service_account"},
                          {"private_key_id", "k1"},
                          {"private_key", private_key_pem},
                          {"client_email", "donna@acme.iam.gserviceaccount.com"}}
        .dump();
}

TEST_F(DriveUpload, TheAdminsFileLandsInTheFolderWholeWithItsName)
{
    start();
    const auto bytes = file_of(700'000);
    auto headers = test::bearer(test::test_admin_token);
    headers["Content-Type"] = "application/pdf";
    const auto r =
        relay_->request("POST", "/v1/google/drive/files?name=Offer%202026.pdf", bytes, headers);
    ASSERT_EQ(r.status, 201) << r.body;
    const auto files = drive_.files();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].name, "Offer 2026.pdf");
    EXPECT_EQ(files[0].mime_type, "application/pdf");
    EXPECT_EQ(files[0].parents, std::vector<std::string>{"folder-of-the-business"});
    EXPECT_EQ(files[0].sha256, sha256_of(bytes));
    EXPECT_EQ(r.json()["file"]["id"], files[0].id);
    EXPECT_EQ(r.json()["file"]["size"], 700'000);
}

TEST_F(DriveUpload, ATwentyMegabyteUploadCutTwiceResumesFromWhatDriveKeptAndArrivesWhole)
{
    start();
    const auto bytes = file_of(20U << 20U);
    // The 3rd chunk's connection drops after 300000 bytes (Drive keeps 262144 of them), the
    // 9th's before any byte.
    drive_.cut_chunks({{3, 300'000}, {9, 0}});
    const auto report = upload(bytes, {.chunk_bytes = std::size_t{1} << 20U,
                                       .first_backoff = std::chrono::milliseconds(1)});
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->status_queries, 2);
    EXPECT_EQ(report->restarts, 0);
    const auto files = drive_.files();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].size, bytes.size());
    EXPECT_EQ(files[0].sha256, sha256_of(bytes));
    EXPECT_EQ(report->file.id, files[0].id);
    EXPECT_EQ(drive_.initiations(), 1);
}

TEST_F(DriveUpload, ASessionDriveForgotIsOpenedAgainAndTheUploadStartsOver)
{
    start();
    const auto bytes = file_of(3U << 20U);
    // The session is gone when the second chunk comes: it is answered 404.
    drive_.forget_sessions_at_chunk(2);
    const auto report = upload(bytes, {.chunk_bytes = std::size_t{1} << 20U,
                                       .first_backoff = std::chrono::milliseconds(1)});
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->restarts, 1);
    EXPECT_EQ(drive_.initiations(), 2);
    ASSERT_EQ(drive_.files().size(), 1u);
    EXPECT_EQ(drive_.files()[0].sha256, sha256_of(bytes));
}

TEST_F(DriveUpload, AServiceAccountsSignedAssertionIsItsCredentialForDrive)
{
    const auto key = donna::test::new_rsa_key_pair();
    google_.trust_service_account("donna@acme.iam.gserviceaccount.com", key.public_key_pem);
    start(false, service_account_key_file(key.private_key_pem));
    const auto connection =
        relay_->request("GET", "/v1/google", "", test::bearer(test::test_admin_token)).json();
    EXPECT_EQ(connection["connection"]["source"], "service_account") << connection.dump();
    const auto r = relay_->request("POST", "/v1/google/drive/files?name=notes.txt", "the notes",
                                   test::bearer(test::test_admin_token));
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(google_.service_account_grants(),
              std::vector<std::string>{"donna@acme.iam.gserviceaccount.com"});
    ASSERT_EQ(drive_.files().size(), 1u);
    EXPECT_EQ(drive_.files()[0].sha256, sha256_of("the notes"));
    // Its key is the settings', not a connection the admin can revoke here.
    const auto disconnect =
        relay_->request("DELETE", "/v1/google", "", test::bearer(test::test_admin_token));
    EXPECT_EQ(disconnect.status, 409) << disconnect.body;
    EXPECT_EQ(disconnect.json()["error"]["code"], "google_service_account_in_use");
}

TEST_F(DriveUpload, AServiceAccountKeyGoogleDoesNotTrustBreaksTheConnectionAndSendsNothing)
{
    const auto key = donna::test::new_rsa_key_pair();
    // Google knows the account by another key (this one was deleted in Google Cloud).
    google_.trust_service_account("donna@acme.iam.gserviceaccount.com",
                                  donna::test::new_rsa_key_pair().public_key_pem);
    start(false, service_account_key_file(key.private_key_pem));
    const auto r = relay_->request("POST", "/v1/google/drive/files?name=notes.txt", "the notes",
                                   test::bearer(test::test_admin_token));
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_NE(r.body.find("invalid_grant"), std::string::npos) << r.body;
    EXPECT_EQ(drive_.initiations(), 0);
    const auto connection =
        relay_->request("GET", "/v1/google", "", test::bearer(test::test_admin_token)).json();
    EXPECT_EQ(connection["connection"]["state"], "broken") << connection.dump();
}

TEST_F(DriveUpload, WithoutAConnectedAccountNothingIsSentAndTheAdminIsTold)
{
    start(false);
    const auto r = relay_->request("POST", "/v1/google/drive/files?name=a.txt", "hello",
                                   test::bearer(test::test_admin_token));
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.json()["error"]["code"], "google_not_connected");
    EXPECT_EQ(drive_.initiations(), 0);
    EXPECT_EQ(relay_
                  ->request("POST", "/v1/google/drive/files", "hello",
                            test::bearer(test::test_admin_token))
                  .status,
              400);
}

} // namespace
} // namespace donna::relay
