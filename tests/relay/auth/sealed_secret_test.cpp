// Secrets at rest (relay/auth/sealed_secret): a sealed value opens only under its key and for
// its place, never shows the secret, and survives a key rotation.
#include "auth/sealed_secret.hpp"

#include "test_pki.hpp"

#include <gtest/gtest.h>

#include <string>

namespace donna::relay {
namespace {

// Two keys made for this run, as `openssl rand -base64 32` prints them.
const std::string key_a = donna::test::new_data_key();
const std::string key_b = donna::test::new_data_key();
constexpr const char* refresh_token = "1//0gLz-refresh-token-of-the-business";
constexpr const char* place = "google_connections.refresh_token:1";

TEST(SealedSecret, ASealedSecretOpensForItsPlaceAndNeverShowsTheSecret)
{
    auto keys = data_keys::from(key_a);
    ASSERT_TRUE(keys) << keys.error().message;
    ASSERT_TRUE(keys->has_key());
    const auto sealed = keys->seal(refresh_token, place);
    EXPECT_TRUE(sealed.starts_with("ds1." + keys->key_id() + "."));
    EXPECT_EQ(sealed.find("refresh-token"), std::string::npos);
    auto opened = keys->open(sealed, place);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, refresh_token);
    // A fresh nonce each time: the same secret never seals to the same text.
    EXPECT_NE(keys->seal(refresh_token, place), sealed);
}

TEST(SealedSecret, AValueCopiedToAnotherPlaceOrAlteredDoesNotOpen)
{
    auto keys = data_keys::from(key_a);
    ASSERT_TRUE(keys);
    const auto sealed = keys->seal(refresh_token, place);
    const auto elsewhere = keys->open(sealed, "google_connections.refresh_token:2");
    ASSERT_FALSE(elsewhere);
    EXPECT_EQ(elsewhere.error().code, errc::unauthorized);
    auto altered = sealed;
    altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(keys->open(altered, place));
    EXPECT_FALSE(keys->open("1//plain-text-token", place));
    EXPECT_FALSE(keys->open("ds1.", place));
}

TEST(SealedSecret, AnotherKeyCannotOpenItAndTheRefusalNamesTheKeyItWasSealedUnder)
{
    auto a = data_keys::from(key_a);
    auto b = data_keys::from(key_b);
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->key_id(), b->key_id());
    const auto sealed = a->seal(refresh_token, place);
    const auto opened = b->open(sealed, place);
    ASSERT_FALSE(opened);
    EXPECT_NE(opened.error().message.find(a->key_id()), std::string::npos)
        << opened.error().message;
}

TEST(SealedSecret, AfterARotationOldValuesOpenUnderThePreviousKeyAndAreKnownForResealing)
{
    auto before = data_keys::from(key_a);
    ASSERT_TRUE(before);
    const auto old_value = before->seal(refresh_token, place);
    auto rotated = data_keys::from(key_b, key_a); // new key, the one it replaces
    ASSERT_TRUE(rotated);
    EXPECT_TRUE(rotated->sealed_with_previous(old_value));
    auto opened = rotated->open(old_value, place);
    ASSERT_TRUE(opened);
    EXPECT_EQ(*opened, refresh_token);
    const auto resealed = rotated->seal(*opened, place);
    EXPECT_FALSE(rotated->sealed_with_previous(resealed));
    EXPECT_TRUE(resealed.starts_with("ds1." + rotated->key_id() + "."));
}

TEST(SealedSecret, AKeyThatIsNot32BytesOfBase64IsRefusedNamingTheSetting)
{
    // 30 bytes of base64 (a key cut short) is not a key either.
    for (const std::string& bad :
         {std::string("short"), key_a.substr(0, 40), std::string("not base64 at all!!")}) {
        const auto keys = data_keys::from(bad);
        ASSERT_FALSE(keys) << bad;
        EXPECT_EQ(keys.error().code, errc::invalid_argument);
        EXPECT_NE(keys.error().message.find("DONNA_DATA_KEY"), std::string::npos);
    }
    const auto previous_alone = data_keys::from("", key_a);
    ASSERT_FALSE(previous_alone);
    EXPECT_NE(previous_alone.error().message.find("DONNA_DATA_KEY_PREVIOUS"), std::string::npos);
    const auto none = data_keys::from("");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_key());
}

} // namespace
} // namespace donna::relay
