// The donna-relay executable as an operator runs it: configuration errors, SIGHUP reloading
// the .env file (key rotation), SIGTERM draining and exiting cleanly, secrets kept out of the
// log. A real process, real signals, HTTP over loopback.
#include "child_process.hpp"
#include "eventually.hpp"
#include "fake_media_stream.hpp"
#include "fake_realtime_server.hpp"
#include "fake_telnyx.hpp"
#include "fake_webhook_receiver.hpp"
#include "file_text.hpp"
#include "process_stats.hpp"
#include "relay_harness.hpp"
#include "smtp_test_server.hpp"

#include "store/action_store.hpp"
#include "store/database.hpp"
#include "store/sms_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
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

using donna::test::eventually;
using donna::test::read_file;

// The end of a relay's log, where a failed run says why (and a sanitizer its report).
std::string log_tail(const fs::path& log)
{
    const auto text = read_file(log);
    return text.size() <= 4000 ? text : "..." + text.substr(text.size() - 4000);
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
    EXPECT_TRUE(eventually([&] { return realtime_mode(port) == "openai"; }));

    // A broken .env on the next SIGHUP is refused (the log says so once the relay has read
    // it) and the running settings stay.
    std::ofstream(dir_ / ".env") << "this line is not KEY=VALUE\n";
    relay.signal(SIGHUP);
    ASSERT_TRUE(eventually(
        [&] { return read_file(dir_ / "log").find("reload refused") != std::string::npos; }));
    EXPECT_EQ(realtime_mode(port), "openai");

    relay.signal(SIGTERM);
    EXPECT_EQ(relay.wait_exit(), 0);
    const auto log = read_file(dir_ / "log");
    EXPECT_NE(log.find("reloaded (SIGHUP)"), std::string::npos) << log;
    EXPECT_NE(log.find("reload refused"), std::string::npos) << log;
    EXPECT_NE(log.find("SIGTERM"), std::string::npos) << log;
    EXPECT_EQ(log.find(key), std::string::npos) << log;
}

TEST_F(RelayProcess,
       ARelayKilledDuringA200MailBurstDeliversEveryMailAfterRestartNoneTwiceButTheOneInFlight)
{
    donna::test::smtp_test_server smtp(dir_ / "smtp");
    ASSERT_TRUE(smtp.start());
    // 200 emails queued as the actions queue them, in the database the relay will open.
    constexpr int burst = 200;
    const auto db_path = (dir_ / "donna.db").string();
    {
        auto db = database::open(db_path);
        ASSERT_TRUE(db);
        action_store actions(**db);
        for (int i = 0; i < burst; ++i) {
            outbox_item item;
            item.site = "demo";
            item.channel = "email";
            item.recipient = "guest" + std::to_string(i) + "@example.com";
            item.payload =
                R"({"subject":"Booking )" + std::to_string(i) + R"(","body":"See you."})";
            item.created_at = 1796644800;
            ASSERT_TRUE(actions.enqueue(item));
        }
    }
    auto env = base_env();
    env.insert(env.end(),
               {"DONNA_DATABASE=" + db_path, "DONNA_ADMIN_TOKEN=" + test::test_admin_token,
                "SMTP_HOST=127.0.0.1", "SMTP_PORT=" + std::to_string(smtp.port()),
                "SMTP_USERNAME=" + smtp.options().user, "SMTP_PASSWORD=" + smtp.options().password,
                "SMTP_FROM_EMAIL=donna@acme.example",
                "DONNA_UPSTREAM_CA_FILE=" + smtp.ca_file().string(), "DONNA_JOB_POLL_MS=20",
                "DONNA_JOB_RETRY_MS=50", "DONNA_JOB_LEASE_SECONDS=10"});
    {
        relay_process relay(env, dir_ / "log");
        ASSERT_NE(relay.port(), 0) << read_file(dir_ / "log");
        // Killed mid-burst: some mails out, the rest still queued or in hand.
        ASSERT_TRUE(smtp.wait_for_messages(burst / 4)) << read_file(dir_ / "log");
        relay.signal(SIGKILL);
        EXPECT_EQ(relay.wait_exit(), 128 + SIGKILL) << log_tail(dir_ / "log");
    }
    const auto delivered_at_kill = smtp.message_count();
    EXPECT_LT(delivered_at_kill, static_cast<std::size_t>(burst));

    relay_process restarted(env, dir_ / "log2");
    const auto port = restarted.port();
    ASSERT_NE(port, 0) << read_file(dir_ / "log2");
    // The jobs in hand at the kill run again once their lease lapses (10 s).
    ASSERT_TRUE(smtp.wait_for_messages(burst, std::chrono::seconds(60)));
    nlohmann::json listing;
    EXPECT_TRUE(eventually([&] {
        listing = test::http_request(port, "GET", "/v1/messages?limit=500", "",
                                     test::bearer(test::test_admin_token))
                      .json();
        return listing["outbox"].size() == burst &&
               std::all_of(listing["outbox"].begin(), listing["outbox"].end(),
                           [](const auto& row) { return row["status"] == "sent"; });
    })) << listing.dump();
    restarted.signal(SIGTERM);
    EXPECT_EQ(restarted.wait_exit(), 0) << log_tail(dir_ / "log2");

    // Each row's Message-ID arrived; a second copy only of the one in flight at the kill.
    const auto mails = smtp.messages();
    std::set<std::string> ids;
    for (const auto& mail : mails)
        ids.insert(mail.header("Message-ID").value_or(""));
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(burst));
    EXPECT_LE(mails.size(), static_cast<std::size_t>(burst) + 1);
    for (int row = 1; row <= burst; ++row)
        EXPECT_TRUE(
            ids.contains("<donna.outbox." + std::to_string(row) + ".1796644800@acme.example>"))
            << row;
}

std::int64_t count_rows(const std::string& db_path, const std::string& sql)
{
    auto db = database::open(db_path);
    if (!db)
        return -1;
    auto rows = (*db)->query(sql);
    return rows && !rows->empty() ? integer_of(rows->front()[0]) : -1;
}

TEST_F(RelayProcess,
       ARelayKilledDuringABurstOf2000SignedWebhooksStoresAndFansOutEachEventOnceAfterRestart)
{
    constexpr int burst = 2000;
    const std::string secret = "audit-signing-secret-of-at-least-32-ch";
    fakes::fake_telnyx telnyx;
    ASSERT_TRUE(telnyx.start());
    fakes::fake_webhook_receiver audit(secret);
    ASSERT_TRUE(audit.start());
    std::ofstream(dir_ / "fanout.json") << R"({"endpoints":[{"id":"audit","url":")" << audit.url()
                                        << R"(","events":["*"],"secret_env":"AUDIT_SECRET"}]})";
    // The burst, queued at Telnyx before the relay starts: each a call of its own.
    for (int i = 0; i < burst; ++i)
        telnyx.send_event("call.initiated", {{"call_control_id", "v3:burst-" + std::to_string(i)},
                                             {"call_leg_id", "leg-" + std::to_string(i)},
                                             {"call_session_id", "session-" + std::to_string(i)},
                                             {"direction", "incoming"},
                                             {"from", "+15550100199"},
                                             {"to", "+15550100100"}});
    const auto db_path = (dir_ / "donna.db").string();
    auto env = base_env();
    env.insert(env.end(),
               {"DONNA_DATABASE=" + db_path,
                "TELNYX_PUBLIC_KEY=" + telnyx.signer().public_key_base64(),
                "DONNA_FANOUT_FILE=" + (dir_ / "fanout.json").string(), "AUDIT_SECRET=" + secret,
                "DONNA_JOB_POLL_MS=20", "DONNA_JOB_RETRY_MS=50", "DONNA_JOB_LEASE_SECONDS=10"});
    {
        relay_process relay(env, dir_ / "log");
        const auto port = relay.port();
        ASSERT_NE(port, 0) << read_file(dir_ / "log");
        telnyx.deliver_webhooks_to("http://127.0.0.1:" + std::to_string(port) +
                                   "/v1/webhooks/telnyx");
        ASSERT_TRUE(eventually([&] { return telnyx.webhooks_answered() >= burst / 4; }))
            << telnyx.webhooks_answered() << " answered\n"
            << log_tail(dir_ / "log");
        relay.signal(SIGKILL);
        EXPECT_EQ(relay.wait_exit(), 128 + SIGKILL) << log_tail(dir_ / "log");
    }
    const auto answered_at_kill = telnyx.webhooks_answered();
    EXPECT_LT(answered_at_kill, burst);

    relay_process restarted(env, dir_ / "log2");
    const auto port = restarted.port();
    ASSERT_NE(port, 0) << read_file(dir_ / "log2");
    // Telnyx has kept retrying the delivery the kill cut off; now it reaches the new process.
    telnyx.deliver_webhooks_to("http://127.0.0.1:" + std::to_string(port) + "/v1/webhooks/telnyx");
    ASSERT_TRUE(telnyx.wait_webhooks_answered(std::chrono::seconds(60)))
        << telnyx.webhooks_answered() << " answered\n"
        << log_tail(dir_ / "log2");
    ASSERT_TRUE(audit.wait_for_events(burst, std::chrono::seconds(60)))
        << audit.distinct_events() << " of " << burst << "\n"
        << log_tail(dir_ / "log2");
    // The deliveries in hand at the kill go again once their lease lapses (10 s).
    EXPECT_TRUE(eventually(
        [&] {
            return count_rows(db_path, "SELECT COUNT(*) FROM fanout_deliveries WHERE "
                                       "state = 'delivered'") == burst;
        },
        std::chrono::seconds(60)))
        << log_tail(dir_ / "log2");
    restarted.signal(SIGTERM);
    EXPECT_EQ(restarted.wait_exit(), 0) << log_tail(dir_ / "log2");

    EXPECT_EQ(count_rows(db_path, "SELECT COUNT(*) FROM webhook_events"), burst);
    EXPECT_EQ(count_rows(db_path, "SELECT COUNT(DISTINCT event_id) FROM webhook_events"), burst);
    EXPECT_EQ(count_rows(db_path, "SELECT COUNT(*) FROM calls"), burst);
    EXPECT_EQ(count_rows(db_path, "SELECT COUNT(*) FROM fanout_deliveries WHERE "
                                  "state = 'delivered'"),
              burst);
    // Each event reached the endpoint; a second copy only of those whose delivery was in
    // flight at the kill (answered by the endpoint, not yet written down: at most a poll's
    // batch of 8 jobs).
    EXPECT_EQ(audit.distinct_events(), burst);
    EXPECT_LE(audit.deliveries().size(), static_cast<std::size_t>(burst) + 8)
        << log_tail(dir_ / "log2");
}

TEST_F(RelayProcess, ARelayKilledDuringATextBurstTextsEachRecipientExactlyOnceAndNeverAStop)
{
    constexpr int burst = 300;
    fakes::fake_telnyx telnyx;
    ASSERT_TRUE(telnyx.start());
    const auto db_path = (dir_ / "donna.db").string();
    const auto number = [](int i) {
        return "+1555020" + std::to_string(1000 + i);
    };
    {
        auto db = database::open(db_path);
        ASSERT_TRUE(db);
        action_store actions(**db);
        sms_store sms(**db);
        ASSERT_TRUE(sms.opt_out(number(0), "STOP", 1796644800)); // texted STOP before
        for (int i = 0; i < burst; ++i) {
            outbox_item item;
            item.site = "demo";
            item.channel = "sms";
            item.recipient = number(i);
            item.payload = R"({"body":"Your table is booked."})";
            item.created_at = 1796644800;
            ASSERT_TRUE(actions.enqueue(item));
        }
    }
    auto env = base_env();
    env.insert(env.end(),
               {"DONNA_DATABASE=" + db_path, "DONNA_ADMIN_TOKEN=" + test::test_admin_token,
                "TELNYX_API_KEY=" + telnyx.api_key(), "TELNYX_BASE_URL=" + telnyx.base_url(),
                "TELNYX_PHONE_NUMBER=+15550100100", "DONNA_JOB_POLL_MS=20", "DONNA_JOB_RETRY_MS=50",
                "DONNA_JOB_LEASE_SECONDS=10"});
    {
        relay_process relay(env, dir_ / "log");
        ASSERT_NE(relay.port(), 0) << read_file(dir_ / "log");
        ASSERT_TRUE(eventually([&] { return telnyx.texts_sent() >= burst / 4; }));
        relay.signal(SIGKILL);
        EXPECT_EQ(relay.wait_exit(), 128 + SIGKILL) << log_tail(dir_ / "log");
    }
    EXPECT_LT(telnyx.texts_sent(), burst - 1);

    relay_process restarted(env, dir_ / "log2");
    const auto port = restarted.port();
    ASSERT_NE(port, 0) << read_file(dir_ / "log2");
    nlohmann::json listing;
    EXPECT_TRUE(eventually(
        [&] {
            listing = test::http_request(port, "GET", "/v1/messages?limit=500", "",
                                         test::bearer(test::test_admin_token))
                          .json();
            return listing["outbox"].size() == burst &&
                   std::all_of(listing["outbox"].begin(), listing["outbox"].end(),
                               [](const auto& r) {
                                   return r["status"] == "sent" || r["status"] == "failed";
                               });
        },
        std::chrono::seconds(60)))
        << listing.dump().substr(0, 2000);
    restarted.signal(SIGTERM);
    EXPECT_EQ(restarted.wait_exit(), 0) << log_tail(dir_ / "log2");

    // Telnyx took one text per recipient but the one who sent STOP: retries of the texts in
    // flight at the kill carried their key and were answered with the first message.
    EXPECT_EQ(telnyx.texts_sent(), burst - 1);
    std::set<std::string> recipients;
    for (const auto& t : telnyx.texts())
        recipients.insert(t.to);
    EXPECT_EQ(recipients.size(), static_cast<std::size_t>(burst - 1));
    EXPECT_FALSE(recipients.contains(number(0)));
}

// This tree's programs run under AddressSanitizer (GCC says so with __SANITIZE_ADDRESS__,
// clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

// A gauge or counter's value in /metrics text (-1 when absent).
double metric_value(const std::string& text, const std::string& name)
{
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
        if (line.starts_with(name + " "))
            return std::stod(line.substr(name.size() + 1));
    return -1;
}

TEST_F(RelayProcess, FiftyAnsweredCallsLeaveNoSessionBehindAndMemoryBackAtItsBaseline)
{
    const std::string line = "+15550100100";
    fakes::fake_telnyx telnyx;
    ASSERT_TRUE(telnyx.start());
    fakes::fake_realtime_server upstream;
    ASSERT_TRUE(upstream.start());
    std::ofstream(dir_ / "sites.json")
        << R"({"sites":[{"id":"demo","allowed_origins":["self"],"persona":"receptionist","phone_numbers":[")"
        << line << R"("]}]})";
    const auto port = donna::test::free_loopback_port(); // named before start: Telnyx streams there
    const auto origin = "http://127.0.0.1:" + std::to_string(port);
    auto env = base_env();
    env[0] = "DONNA_PORT=" + std::to_string(port);
    env.insert(env.end(),
               {"DONNA_DATABASE=" + (dir_ / "donna.db").string(), "DONNA_PUBLIC_URL=" + origin,
                "DONNA_SITES_FILE=" + (dir_ / "sites.json").string(),
                "TELNYX_API_KEY=" + telnyx.api_key(), "TELNYX_BASE_URL=" + telnyx.base_url(),
                "TELNYX_PUBLIC_KEY=" + telnyx.signer().public_key_base64(),
                "TELNYX_CONNECTION_ID=" + telnyx.connection_id(), "TELNYX_PHONE_NUMBER=" + line,
                "OPENAI_API_KEY=" + std::string(test::fake_openai_key),
                "OPENAI_BASE_URL=" + upstream.base_url(), "DONNA_JOB_POLL_MS=20",
                "DONNA_JOB_RETRY_MS=50"});
    relay_process relay(env, dir_ / "log");
    ASSERT_EQ(relay.port(), port) << log_tail(dir_ / "log");
    telnyx.deliver_webhooks_to(origin + "/v1/webhooks/telnyx");
    const auto metrics = [&] {
        return test::http_request(port, "GET", "/metrics").body;
    };

    // One call: answered, DONNA's greeting starts playing, the caller hangs up.
    int answered = 0;
    const auto one_call = [&] {
        const auto id = telnyx.call_in("+15550100199", line, "PCMU");
        const auto call = telnyx.wait_stream(id);
        ASSERT_TRUE(call) << log_tail(dir_ / "log");
        fakes::fake_media_stream media({.url = call->stream_url,
                                        .auth_token = call->stream_auth_token,
                                        .call_control_id = call->call_control_id});
        ASSERT_TRUE(media.connect()) << media.refused_status() << " " << media.refused_body();
        ASSERT_TRUE(media.wait_until([&] { return !media.heard().empty(); }));
        media.stop();
        telnyx.hang_up_call(id);
        ASSERT_TRUE(media.wait_until([&] { return media.closed(); }));
        ++answered;
    };
    const auto settled = [&] {
        return eventually([&] {
            const auto text = metrics();
            const auto sessions = upstream.connections();
            return metric_value(text, "donna_phone_calls_active") == 0 &&
                   std::all_of(sessions.begin(), sessions.end(),
                               [](const auto& c) { return c.closed; });
        });
    };
    // Warm-up: the allocator's arenas, SQLite's page cache and the lazily made parts settle.
    for (int i = 0; i < 10; ++i)
        one_call();
    ASSERT_EQ(answered, 10);
    ASSERT_TRUE(settled()) << metrics();
    const auto baseline = donna::test::resident_kib(relay.pid());
    for (int i = 0; i < 50; ++i)
        one_call();
    ASSERT_EQ(answered, 60);
    // Every call's session and upstream are gone...
    ASSERT_TRUE(settled()) << metrics();
    EXPECT_EQ(upstream.connections().size(), 60u);
    EXPECT_EQ(metric_value(metrics(), "donna_calls_answered_total{outcome=\"answered\"}"), 60);
    // ...and the memory they held is back: what 50 calls add is bounded by the records they
    // leave (a few KiB each), not by their sessions (hundreds of KiB each: buffers, codec
    // and resampler state, the upstream's queues).
    const auto after = donna::test::resident_kib(relay.pid());
    if (!sanitized) { // ASan's allocator keeps freed memory in quarantine
        EXPECT_LT(after - baseline, 2 * 1024) << "KiB: " << baseline << " -> " << after;
    }
    std::cout << "[ memory   ] relay RSS after 10 calls " << baseline << " KiB, after 60 " << after
              << " KiB\n";
    // Under the sanitizers, LeakSanitizer checks the exit: a leaked session fails it.
    relay.signal(SIGTERM);
    EXPECT_EQ(relay.wait_exit(), 0) << log_tail(dir_ / "log");
}

} // namespace
} // namespace donna::relay
