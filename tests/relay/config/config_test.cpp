#include "config/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace donna::relay {
namespace {

environment env_of(std::map<std::string, std::string> vars)
{
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
}

TEST(RelayConfig, DefaultsServeLocallyOnPort8080WithNoVariablesSet)
{
    auto c = load_config(env_of({}));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->listen_address, "127.0.0.1");
    EXPECT_EQ(c->port, 8080);
    EXPECT_EQ(c->threads, 2);
}

TEST(RelayConfig, ReadsEveryVariable)
{
    auto c = load_config(env_of({{"DONNA_LISTEN_ADDRESS", "0.0.0.0"},
                                 {"DONNA_PORT", "9000"},
                                 {"DONNA_WEB_ROOT", "/srv/site"},
                                 {"DONNA_THREADS", "4"}}));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->listen_address, "0.0.0.0");
    EXPECT_EQ(c->port, 9000);
    EXPECT_EQ(c->web_root, "/srv/site");
    EXPECT_EQ(c->threads, 4);
}

TEST(RelayConfig, InvalidValuesNameTheVariable)
{
    const std::pair<std::map<std::string, std::string>, std::string> cases[] = {
        {{{"DONNA_PORT", "80a"}}, "DONNA_PORT must be an integer"},
        {{{"DONNA_PORT", "70000"}}, "DONNA_PORT must be between 0 and 65535"},
        {{{"DONNA_PORT", ""}}, "DONNA_PORT must be an integer"},
        {{{"DONNA_THREADS", "0"}}, "DONNA_THREADS must be between 1 and 64"},
        {{{"DONNA_WEB_ROOT", ""}}, "DONNA_WEB_ROOT is empty"},
        {{{"DONNA_LISTEN_ADDRESS", ""}}, "DONNA_LISTEN_ADDRESS is empty"},
        {{{"DONNA_PHONE_AUDIO", "opus"}}, "DONNA_PHONE_AUDIO"},
    };
    for (const auto& [vars, message] : cases) {
        auto c = load_config(env_of(vars));
        ASSERT_FALSE(c) << message;
        EXPECT_NE(c.error().message.find(message), std::string::npos) << c.error().message;
    }
}

TEST(RelayConfig, G711PassesThroughOnlyWhenAskedAndTheUpstreamIsOpenAIs)
{
    auto plain = load_config(env_of({{"OPENAI_API_KEY", "sk-test"}}));
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->phone_audio, "convert");
    EXPECT_FALSE(plain->phone_passes_g711());
    auto g711 = load_config(env_of({{"OPENAI_API_KEY", "sk-test"}, {"DONNA_PHONE_AUDIO", "g711"}}));
    ASSERT_TRUE(g711);
    EXPECT_TRUE(g711->phone_passes_g711());
    // The demo upstream speaks 24 kHz PCM16 only.
    auto demo = load_config(env_of({{"DONNA_PHONE_AUDIO", "g711"}}));
    ASSERT_TRUE(demo);
    EXPECT_FALSE(demo->phone_passes_g711());
}

TEST(RelayConfig, SmtpNeedsASenderAddressAndTlsOffThisMachine)
{
    const std::map<std::string, std::string> good = {{"SMTP_HOST", "mail.acme.example"},
                                                     {"SMTP_FROM_EMAIL", "donna@acme.example"}};
    ASSERT_TRUE(load_config(env_of(good)));
    const std::pair<std::map<std::string, std::string>, std::string> cases[] = {
        {{{"SMTP_HOST", "mail.acme.example"}}, "SMTP_FROM_EMAIL must be the sender's"},
        {{{"SMTP_HOST", "mail.acme.example"}, {"SMTP_FROM_EMAIL", "donna at acme"}},
         "SMTP_FROM_EMAIL must be the sender's"},
        {{{"SMTP_HOST", "mail.acme.example"},
          {"SMTP_FROM_EMAIL", "donna@acme.example"},
          {"SMTP_ENCRYPTION", "none"}},
         "SMTP_ENCRYPTION=none is allowed only for a server on this machine"},
        {{{"SMTP_HOST", "mail.acme.example"},
          {"SMTP_FROM_EMAIL", "donna@acme.example"},
          {"SMTP_USERNAME", "donna"}},
         "SMTP_USERNAME and SMTP_PASSWORD must be set together"},
        {{{"SMTP_ENCRYPTION", "starttls"}}, "SMTP_ENCRYPTION"},
    };
    for (const auto& [vars, message] : cases) {
        auto c = load_config(env_of(vars));
        ASSERT_FALSE(c) << message;
        EXPECT_NE(c.error().message.find(message), std::string::npos) << c.error().message;
    }
    auto loopback = good;
    loopback["SMTP_HOST"] = "127.0.0.1";
    loopback["SMTP_ENCRYPTION"] = "none";
    EXPECT_TRUE(load_config(env_of(loopback)));
}

} // namespace
} // namespace donna::relay
