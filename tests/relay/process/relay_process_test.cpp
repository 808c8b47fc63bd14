// The donna-relay executable as an operator runs it: configuration errors, SIGHUP reloading
// the .env file (key rotation), SIGTERM draining and exiting cleanly, secrets kept out of the
// log. A real process, real signals, HTTP over loopback.
#include "child_process.hpp"
#include "relay_harness.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace donna::relay {
namespace {

namespace fs = std::filesystem;

// donna-relay started with exactly `env` as its environment; the log (stderr) to a file.
class relay_process : public donna::test::child_process {
public:
    relay_process(const std::vector<std::string>& env, const fs::path& log_file)
        : child_process({DONNA_RELAY_BINARY}, env, log_file)
    {}

    // The port from "donna-relay: listening on port N" (0 if the process ended first).
    std::uint16_t port()
    {
        while (const auto line = read_line()) {
            unsigned port = 0;
            if (std::sscanf(line->c_str(), "donna-relay: listening on port %u", &port) == 1)
                return static_cast<std::uint16_t>(port);
        }
        return 0;
    }
};

std::string read_file(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class RelayProcess : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() /
               ("donna-process-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_ / "web");
        std::ofstream(dir_ / "web" / "index.html") << "<title>DONNA</title>";
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::vector<std::string> base_env() const
    {
        return {"DONNA_PORT=0", "DONNA_WEB_ROOT=" + (dir_ / "web").string(),
                "DONNA_ENV_FILE=" + (dir_ / ".env").string(), "PATH=/usr/bin:/bin"};
    }

    std::string realtime_mode(std::uint16_t port)
    {
        const auto j = test::http_request(port, "GET", "/readyz").json();
        return j["features"]["realtime"]["mode"].get<std::string>();
    }

    fs::path dir_;
};

TEST_F(RelayProcess, InvalidConfigurationExitsWith2AndNamesTheVariable)
{
    auto env = base_env();
    env.emplace_back("DONNA_THREADS=lots");
    relay_process relay(env, dir_ / "log");
    EXPECT_EQ(relay.wait_exit(), 2);
    EXPECT_NE(read_file(dir_ / "log").find("DONNA_THREADS must be an integer"), std::string::npos)
        << read_file(dir_ / "log");
}

TEST_F(RelayProcess, SighupReloadsTheDotenvFileAndSigtermExitsCleanly)
{
    const std::string key = std::string("sk-") + "rotated-process-test-key-0123456789";
    std::ofstream(dir_ / ".env") << "# no key yet\nDONNA_DEMO=0\n";
    relay_process relay(base_env(), dir_ / "log");
    const auto port = relay.port();
    ASSERT_NE(port, 0) << read_file(dir_ / "log");
    EXPECT_EQ(realtime_mode(port), "off");

    std::ofstream(dir_ / ".env") << "DONNA_DEMO=0\nexport OPENAI_API_KEY=\"" << key
                                 << "\"\nOPENAI_BASE_URL=http://127.0.0.1:1/v1\n";
    relay.signal(SIGHUP);
    std::string mode;
    for (int i = 0; i < 200 && mode != "openai"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
        mode = realtime_mode(port);
    }
    EXPECT_EQ(mode, "openai");

    // A broken .env on the next SIGHUP is refused and the running settings stay.
    std::ofstream(dir_ / ".env") << "this line is not KEY=VALUE\n";
    relay.signal(SIGHUP);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(realtime_mode(port), "openai");

    relay.signal(SIGTERM);
    EXPECT_EQ(relay.wait_exit(), 0);
    const auto log = read_file(dir_ / "log");
    EXPECT_NE(log.find("reloaded (SIGHUP)"), std::string::npos) << log;
    EXPECT_NE(log.find("reload refused"), std::string::npos) << log;
    EXPECT_NE(log.find("SIGTERM"), std::string::npos) << log;
    EXPECT_EQ(log.find(key), std::string::npos) << log;
}

} // namespace
} // namespace donna::relay
