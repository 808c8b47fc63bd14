// The Google connection and the OAuth flows (relay/store/google_store) on a SQLite file: a
// state is taken once and only in time, the refresh token is never on disk in plain text, and
// a key rotation re-seals what the old key sealed.
#include "store/google_store.hpp"

#include "auth/random_id.hpp"

#include "database_bytes.hpp"
#include "test_pki.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace donna::relay {
namespace {

// Made for this run.
const std::string old_data_key = donna::test::new_data_key();
const std::string new_data_key = donna::test::new_data_key();
constexpr const char* business_refresh_token = "1//0gRefreshTokenOfTheBusinessAccount";
constexpr std::int64_t stored_at = 1'796'000'000;

// What a sealed value opens to, "" when it does not.
std::string opened(const data_keys& keys, const std::string& sealed, std::string_view place)
{
    auto secret = keys.open(sealed, place);
    return secret ? *secret : std::string();
}

class GoogleStore : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() / ("donna-google-store-" + random_hex(8));
        std::filesystem::create_directories(dir_);
        open();
    }
    void TearDown() override
    {
        db_.reset();
        std::filesystem::remove_all(dir_);
    }
    void open()
    {
        db_.reset();
        auto db = database::open((dir_ / "donna.db").string());
        ASSERT_TRUE(db) << db.error().message;
        db_ = std::move(*db);
    }
    std::string on_disk() const { return donna::test::database_bytes(dir_ / "donna.db"); }

    std::filesystem::path dir_;
    std::unique_ptr<database> db_;
};

TEST_F(GoogleStore, AStateIsTakenOnceAndASecondTakeIsRefused)
{
    google_store store(*db_);
    ASSERT_TRUE(store.add_state(
        {.id = "s1", .binding_hash = "h", .verifier_sealed = "v", .expires_at = stored_at + 600}));
    auto first = store.take_state("s1", stored_at);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->binding_hash, "h");
    EXPECT_EQ(first->verifier_sealed, "v");
    const auto replay = store.take_state("s1", stored_at + 1);
    ASSERT_FALSE(replay);
    EXPECT_EQ(replay.error().code, errc::unauthorized);
    const auto unknown = store.take_state("s2", stored_at);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, errc::not_found);
}

TEST_F(GoogleStore, AnExpiredStateIsRefusedAndCannotBeTriedAgain)
{
    google_store store(*db_);
    ASSERT_TRUE(store.add_state(
        {.id = "late", .binding_hash = "h", .verifier_sealed = "v", .expires_at = stored_at}));
    const auto late = store.take_state("late", stored_at);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, errc::token_expired);
    EXPECT_EQ(store.take_state("late", stored_at - 100).error().code, errc::unauthorized);
}

TEST_F(GoogleStore, TheRefreshTokenIsNeverOnDiskInPlainText)
{
    auto keys = data_keys::from(old_data_key);
    ASSERT_TRUE(keys);
    {
        google_store store(*db_);
        ASSERT_TRUE(store.save_connection({.scopes = "https://www.googleapis.com/auth/gmail.send",
                                           .refresh_token_sealed = keys->seal(
                                               business_refresh_token, google_refresh_token_place)},
                                          stored_at));
    }
    open(); // closed and opened again: what is kept is what is on disk
    google_store store(*db_);
    const auto bytes = on_disk();
    EXPECT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.find(business_refresh_token), std::string::npos);
    EXPECT_EQ(bytes.find("RefreshTokenOfTheBusiness"), std::string::npos);
    auto row = store.connection();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*row)->state, "connected");
    EXPECT_EQ(opened(*keys, (*row)->refresh_token_sealed, google_refresh_token_place),
              business_refresh_token);
}

TEST_F(GoogleStore, ABrokenConnectionSaysWhyAndANewConsentMendsIt)
{
    google_store store(*db_);
    ASSERT_TRUE(store.save_connection({.scopes = "s", .refresh_token_sealed = "x"}, stored_at));
    ASSERT_TRUE(
        store.mark_broken("Google refused the refresh token (invalid_grant)", stored_at + 5));
    auto broken = store.connection();
    ASSERT_TRUE(broken && *broken);
    EXPECT_EQ((*broken)->state, "broken");
    EXPECT_EQ((*broken)->broken_reason, "Google refused the refresh token (invalid_grant)");
    ASSERT_TRUE(store.save_connection({.scopes = "s", .refresh_token_sealed = "y"}, stored_at + 9));
    auto mended = store.connection();
    ASSERT_TRUE(mended && *mended);
    EXPECT_EQ((*mended)->state, "connected");
    EXPECT_EQ((*mended)->broken_reason, "");
    ASSERT_TRUE(store.remove_connection());
    auto gone = store.connection();
    ASSERT_TRUE(gone);
    EXPECT_FALSE(gone->has_value());
}

TEST_F(GoogleStore, AKeyRotationResealsEverySecretUnderTheNewKey)
{
    auto old_keys = data_keys::from(old_data_key);
    ASSERT_TRUE(old_keys);
    google_store store(*db_);
    ASSERT_TRUE(store.save_connection({.scopes = "s",
                                       .refresh_token_sealed = old_keys->seal(
                                           business_refresh_token, google_refresh_token_place)},
                                      stored_at));
    ASSERT_TRUE(store.add_state(
        {.id = "flow",
         .binding_hash = "h",
         .verifier_sealed = old_keys->seal("verifier", oauth_verifier_place("flow")),
         .expires_at = stored_at + 600}));
    auto rotated = data_keys::from(new_data_key, old_data_key);
    ASSERT_TRUE(rotated);
    int unreadable = -1;
    auto resealed = store.reseal(*rotated, &unreadable);
    ASSERT_TRUE(resealed) << resealed.error().message;
    EXPECT_EQ(*resealed, 2);
    EXPECT_EQ(unreadable, 0);
    // Only the new key is needed from stored_at on.
    auto only_new = data_keys::from(new_data_key);
    ASSERT_TRUE(only_new);
    auto row = store.connection();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(opened(*only_new, (*row)->refresh_token_sealed, google_refresh_token_place),
              business_refresh_token);
    auto flow = store.take_state("flow", stored_at);
    ASSERT_TRUE(flow);
    EXPECT_EQ(opened(*only_new, flow->verifier_sealed, oauth_verifier_place("flow")), "verifier");
    // Nothing left to re-seal.
    auto again = store.reseal(*rotated);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0);
}

} // namespace
} // namespace donna::relay
