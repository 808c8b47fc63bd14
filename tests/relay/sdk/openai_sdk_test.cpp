// The official `openai` npm SDK, unchanged, through the relay's TLS listener to the fake
// OpenAI Realtime server: wire compatibility as an existing client sees it.
#include "command_output.hpp"
#include "fake_realtime_server.hpp"
#include "relay_harness.hpp"
#include "test_pki.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace donna::relay {
namespace {

TEST(OpenAISdk, RealtimeWsClientWorksThroughTheRelayOverWss)
{
    fakes::fake_realtime_server fake;
    ASSERT_TRUE(fake.start());
    const auto pki = donna::test::write_test_pki(std::filesystem::temp_directory_path() /
                                                 ("donna-sdk-pki-" + std::to_string(::getpid())));
    auto c = test::test_config_with_upstream(fake.base_url());
    c.tls_cert_file = (pki / "server.pem").string();
    c.tls_key_file = (pki / "server.key").string();
    test::relay_harness relay(c);
    const auto token = relay.session_token();

    const auto result = donna::test::run_command(
        "DONNA_RELAY_URL=https://localhost:" + std::to_string(relay.port()) + "/v1" +
        " DONNA_TOKEN='" + token + "' NODE_EXTRA_CA_CERTS='" + (pki / "ca.pem").string() +
        "' node '" DONNA_SOURCE_DIR "/tests/relay/sdk/openai_realtime_sdk.mjs' 2>&1");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const auto summary = nlohmann::json::parse(result.output, nullptr, false);
    ASSERT_TRUE(summary.is_object()) << result.output;
    const auto types = summary["types"].get<std::vector<std::string>>();
    ASSERT_FALSE(types.empty());
    EXPECT_EQ(types.front(), "session.created");
    EXPECT_NE(std::find(types.begin(), types.end(), "response.created"), types.end());
    EXPECT_EQ(summary["audioBytes"], 48000); // the fake's 1 s of PCM16 at 24 kHz
    EXPECT_EQ(summary["transcript"], "Hello from the fake.");
    // The SDK's session.update tried to set instructions: the relay removed them and said so.
    EXPECT_EQ(summary["errors"], nlohmann::json::array({"donna_field_not_allowed"}));
    const auto connections = fake.connections();
    ASSERT_EQ(connections.size(), 1u);
    EXPECT_EQ(connections[0].authorization, "Bearer sk-fake-test-key");
}

} // namespace
} // namespace donna::relay
