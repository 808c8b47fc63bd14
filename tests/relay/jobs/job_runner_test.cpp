// The durable job runner (relay/jobs/job_runner) on a real SQLite file: jobs enqueued with
// their data, run by the handler of their kind, retried with backoff, dead-lettered, counted
// in the metrics, drained; and across a kill -9 of the process running them, a claimed job
// whose lease lapsed runs again while a finished one never does.
#include "jobs/job_runner.hpp"

#include "io_thread.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "store/action_store.hpp"
#include "store/database.hpp"
#include "store/job_store.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <future>
#include <mutex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace donna::relay {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::int64_t wall_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// What the handlers saw, with a wait for a condition on it (no sleeps: the condition is
// signalled as each run is recorded).
class job_run_log {
public:
    void add(const std::string& line)
    {
        {
            const std::lock_guard lock(mutex_);
            lines_.push_back(line);
        }
        changed_.notify_all();
    }
    bool wait_for_count(std::size_t n, std::chrono::seconds timeout = 20s)
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return lines_.size() >= n; });
    }
    std::vector<std::string> lines()
    {
        const std::lock_guard lock(mutex_);
        return lines_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
};

// Quick polls and waits, so a test spends milliseconds.
job_runner_settings fast_jobs()
{
    job_runner_settings s;
    s.poll_interval = 20ms;
    s.lease = 60s;
    s.backoff = {.max_attempts = 8, .base_delay = 10ms, .max_delay = 40ms, .max_total = 1h};
    return s;
}

class JobRunner : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() /
               ("donna-jobs-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        auto opened = database::open((dir_ / "donna.db").string());
        ASSERT_TRUE(opened) << opened.error().message;
        db_ = std::move(*opened);
    }
    void TearDown() override
    {
        db_.reset();
        fs::remove_all(dir_);
    }

    std::string db_path() const { return (dir_ / "donna.db").string(); }

    fs::path dir_;
    std::unique_ptr<database> db_;
    std::ostringstream log_text_;
    logger log_{log_text_, log_level::debug};
    metrics_registry registry_;
};

TEST_F(JobRunner, AJobRunsOnceAndIsDone)
{
    job_store store(*db_);
    const auto id = store.enqueue(
        {.kind = "test.record", .idempotency_key = "a", .payload = R"({"n":1})"}, wall_ms());
    ASSERT_TRUE(id);
    job_run_log runs;
    donna::test::io_thread io;
    job_runner runner(store, registry_, log_, io.executor(), fast_jobs());
    runner.handle("test.record", [&](const job& j, const job_runner::settle& done) {
        runs.add(j.idempotency_key + " " + j.payload + " attempt " + std::to_string(j.attempts));
        done(job_outcome::done());
    });
    runner.start();
    ASSERT_TRUE(runs.wait_for_count(1));
    ASSERT_TRUE(runner.wait_idle(std::chrono::steady_clock::now() + 20s));
    EXPECT_EQ(runs.lines(), std::vector<std::string>{R"(a {"n":1} attempt 1)"});
    const auto stored = store.get(*id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->state, "done");
    EXPECT_EQ(stored->attempts, 1);
}

TEST_F(JobRunner, TheSameIdempotencyKeyIsOneJob)
{
    job_store store(*db_);
    const auto first =
        store.enqueue({.kind = "test.record", .idempotency_key = "outbox:7"}, wall_ms());
    const auto again =
        store.enqueue({.kind = "test.record", .idempotency_key = "outbox:7"}, wall_ms());
    ASSERT_TRUE(first);
    ASSERT_TRUE(again);
    EXPECT_EQ(*first, *again);
    auto counts = store.counts(wall_ms());
    ASSERT_TRUE(counts);
    ASSERT_EQ(counts->size(), 1U);
    EXPECT_EQ(counts->front().count, 1);
}

TEST_F(JobRunner, AFailedAttemptIsRetriedWithBackoffUntilItSucceeds)
{
    job_store store(*db_);
    const auto id = store.enqueue({.kind = "test.flaky", .idempotency_key = "f"}, wall_ms());
    ASSERT_TRUE(id);
    job_run_log runs;
    donna::test::io_thread io;
    job_runner runner(store, registry_, log_, io.executor(), fast_jobs());
    runner.handle("test.flaky", [&](const job& j, const job_runner::settle& done) {
        runs.add("attempt " + std::to_string(j.attempts));
        done(j.attempts < 3 ? job_outcome::retry("the server said 451, try later")
                            : job_outcome::done());
    });
    runner.start();
    ASSERT_TRUE(runs.wait_for_count(3));
    ASSERT_TRUE(runner.wait_idle(std::chrono::steady_clock::now() + 20s));
    EXPECT_EQ(runs.lines(), (std::vector<std::string>{"attempt 1", "attempt 2", "attempt 3"}));
    EXPECT_EQ(store.get(*id)->state, "done");
    EXPECT_NE(
        registry_.render().find(R"(donna_jobs_settled_total{kind="test.flaky",outcome="retry"} 2)"),
        std::string::npos)
        << registry_.render();
}

TEST_F(JobRunner, AJobOutOfAttemptsIsDeadLetteredWithItsLastError)
{
    job_store store(*db_);
    const auto id = store.enqueue(
        {.kind = "test.failing", .idempotency_key = "d", .payload = "{}", .max_attempts = 2},
        wall_ms());
    ASSERT_TRUE(id);
    job_run_log runs;
    donna::test::io_thread io;
    job_runner runner(store, registry_, log_, io.executor(), fast_jobs());
    runner.handle("test.failing", [&](const job& j, const job_runner::settle& done) {
        runs.add("attempt " + std::to_string(j.attempts));
        done(job_outcome::retry("connection refused"));
    });
    runner.start();
    ASSERT_TRUE(runs.wait_for_count(2));
    ASSERT_TRUE(runner.wait_idle(std::chrono::steady_clock::now() + 20s));
    const auto stored = store.get(*id);
    EXPECT_EQ(stored->state, "dead");
    EXPECT_EQ(stored->last_error, "connection refused (after 2 attempts)");
    EXPECT_EQ(runs.lines().size(), 2U);
    EXPECT_NE(log_text_.str().find("dead-lettered"), std::string::npos);
}

TEST_F(JobRunner, APermanentFailureIsDeadLetteredAtOnce)
{
    job_store store(*db_);
    const auto id = store.enqueue({.kind = "test.rejected", .idempotency_key = "p"}, wall_ms());
    donna::test::io_thread io;
    job_runner runner(store, registry_, log_, io.executor(), fast_jobs());
    job_run_log runs;
    runner.handle("test.rejected", [&](const job&, const job_runner::settle& done) {
        runs.add("ran");
        done(job_outcome::fail("550 no such mailbox"));
    });
    runner.start();
    ASSERT_TRUE(runs.wait_for_count(1));
    ASSERT_TRUE(runner.wait_idle(std::chrono::steady_clock::now() + 20s));
    EXPECT_EQ(store.get(*id)->state, "dead");
    EXPECT_EQ(store.get(*id)->last_error, "550 no such mailbox");
}

TEST_F(JobRunner, KindsWithoutAHandlerWaitAndShowTheirLagInTheMetrics)
{
    job_store store(*db_);
    ASSERT_TRUE(
        store.enqueue({.kind = "outbox.email", .idempotency_key = "outbox:1"}, wall_ms() - 5000));
    donna::test::io_thread io;
    job_runner runner(store, registry_, log_, io.executor(), fast_jobs());
    job_run_log runs;
    runner.handle("test.record", [&](const job&, const job_runner::settle& done) {
        runs.add("ran");
        done(job_outcome::done());
    });
    // A job of a kind with a handler, enqueued after: once it ran, a poll has published the
    // counts, and the email is still queued.
    ASSERT_TRUE(store.enqueue({.kind = "test.record", .idempotency_key = "r"}, wall_ms()));
    runner.start();
    ASSERT_TRUE(runs.wait_for_count(1));
    runner.poke();
    ASSERT_TRUE(runner.wait_idle(std::chrono::steady_clock::now() + 20s));
    const auto counts = store.counts(wall_ms());
    ASSERT_TRUE(counts);
    bool email_waits = false;
    for (const auto& c : *counts)
        email_waits |= c.kind == "outbox.email" && c.state == "queued" && c.count == 1;
    EXPECT_TRUE(email_waits);
    // The published lag of the waiting email is at least the 5 s it has been due.
    const auto text = registry_.render();
    const std::string series = R"(donna_jobs_lag_seconds{kind="outbox.email"} )";
    const auto at = text.find(series);
    ASSERT_NE(at, std::string::npos) << text;
    EXPECT_GE(std::stod(text.substr(at + series.size())), 5.0);
    EXPECT_NE(text.find(R"(donna_jobs{kind="outbox.email",state="queued"} 1)"), std::string::npos);
}

TEST_F(JobRunner, StopClaimingLetsARunningJobFinishAndStartsNoOther)
{
    job_store store(*db_);
    ASSERT_TRUE(store.enqueue({.kind = "test.slow", .idempotency_key = "s1"}, wall_ms()));
    donna::test::io_thread io;
    auto settings = fast_jobs();
    settings.batch = 1;
    job_runner runner(store, registry_, log_, io.executor(), settings);
    job_run_log runs;
    std::promise<job_runner::settle> held;
    runner.handle("test.slow", [&](const job& j, job_runner::settle done) {
        runs.add(j.idempotency_key);
        if (j.idempotency_key == "s1")
            held.set_value(std::move(done)); // finished by the test, below
        else
            done(job_outcome::done());
    });
    runner.start();
    auto settle = held.get_future();
    ASSERT_EQ(settle.wait_for(20s), std::future_status::ready);
    ASSERT_TRUE(store.enqueue({.kind = "test.slow", .idempotency_key = "s2"}, wall_ms()));
    runner.stop_claiming();
    EXPECT_FALSE(runner.wait_idle(std::chrono::steady_clock::now() + 50ms)); // s1 still runs
    settle.get()(job_outcome::done());
    EXPECT_TRUE(runner.wait_idle(std::chrono::steady_clock::now() + 20s));
    // A poll after s1 settled publishes its counts, and a poll still claiming would have
    // taken s2 (it is due, and the runner has a free slot): wait for that publication.
    const std::string s1_done = R"(donna_jobs{kind="test.slow",state="done"} 1)";
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (registry_.render().find(s1_done) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    const auto published = registry_.render();
    ASSERT_NE(published.find(s1_done), std::string::npos) << published;
    EXPECT_NE(published.find(R"(donna_jobs{kind="test.slow",state="queued"} 1)"), std::string::npos)
        << published;
    EXPECT_EQ(runs.lines(), std::vector<std::string>{"s1"}); // s2 was never claimed
    auto counts = store.counts(wall_ms());
    ASSERT_TRUE(counts);
    for (const auto& c : *counts)
        EXPECT_TRUE((c.state == "done" && c.count == 1) || (c.state == "queued" && c.count == 1))
            << c.state << " " << c.count;
}

TEST_F(JobRunner, AnOutboxRowAndItsJobAreStoredTogetherOrNotAtAll)
{
    action_store actions(*db_);
    job_store store(*db_);
    outbox_item sms;
    sms.site = "acme";
    sms.channel = "sms";
    sms.recipient = "+15550100199";
    sms.payload = R"({"body":"See you at nine."})";
    const auto id = actions.enqueue(sms);
    ASSERT_TRUE(id) << id.error().message;
    auto counts = store.counts(wall_ms());
    ASSERT_TRUE(counts);
    ASSERT_EQ(counts->size(), 1U);
    EXPECT_EQ(counts->front().kind, "outbox.sms");
    EXPECT_EQ(counts->front().state, "queued");

    // A transaction whose job cannot be enqueued (no idempotency key) keeps no outbox row.
    const auto refused = db_->transaction([&](sql_connection& sql) -> status {
        auto row = sql.insert("INSERT INTO outbox(site, channel, recipient, payload, created_at) "
                              "VALUES ('acme', 'email', 'ana@example.com', '{}', 0)",
                              {});
        if (!row)
            return row.error();
        auto queued = enqueue_job(sql, {.kind = "outbox.email"}, wall_ms());
        if (!queued)
            return queued.error();
        return ok();
    });
    ASSERT_FALSE(refused);
    const auto outbox = actions.list_outbox("", 10);
    ASSERT_TRUE(outbox);
    EXPECT_EQ(outbox->size(), 1U); // the SMS only
    counts = store.counts(wall_ms());
    ASSERT_TRUE(counts);
    ASSERT_EQ(counts->size(), 1U);
    EXPECT_EQ(counts->front().count, 1);
}

// Across a kill -9. A child process runs the jobs; it finishes one and dies holding the
// other. A new runner on the same file (the relay restarted) runs the held one again once
// its lease has lapsed, and never the finished one.
TEST_F(JobRunner, AfterAKillTheClaimedJobRunsAgainAndTheFinishedOneNever)
{
    {
        job_store store(*db_);
        ASSERT_TRUE(
            store.enqueue({.kind = "test.record", .idempotency_key = "finished"}, wall_ms()));
        ASSERT_TRUE(
            store.enqueue({.kind = "test.record", .idempotency_key = "held"}, wall_ms() + 1));
    }
    db_.reset(); // the child opens the file itself
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(out[0]);
        auto db = database::open(db_path());
        if (!db)
            ::_exit(3);
        job_store store(**db);
        std::ostringstream quiet;
        logger log(quiet);
        metrics_registry registry;
        donna::test::io_thread io;
        auto settings = fast_jobs();
        settings.lease = 300ms; // the restarted runner may take the job back soon
        settings.batch = 1;     // one at a time: "finished" is settled before "held" starts
        job_runner runner(store, registry, log, io.executor(), settings);
        runner.handle("test.record", [&](const job& j, const job_runner::settle& done) {
            if (j.idempotency_key == "finished") {
                done(job_outcome::done());
                return;
            }
            const std::string line = "holding " + j.idempotency_key + "\n";
            (void)!::write(out[1], line.data(), line.size()); // and never settles
        });
        runner.start();
        for (;;)
            ::pause();
    }
    ::close(out[1]);
    char buffer[64] = {};
    ASSERT_GT(::read(out[0], buffer, sizeof buffer - 1), 0); // blocks until the hold
    ::close(out[0]);
    EXPECT_EQ(std::string(buffer), "holding held\n");

    auto opened = database::open(db_path());
    ASSERT_TRUE(opened);
    db_ = std::move(*opened);
    job_store store(*db_);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));

    job_run_log runs;
    donna::test::io_thread io;
    job_runner runner(store, registry_, log_, io.executor(), fast_jobs());
    runner.handle("test.record", [&](const job& j, const job_runner::settle& done) {
        runs.add(j.idempotency_key + " attempt " + std::to_string(j.attempts));
        done(job_outcome::done());
    });
    runner.start();
    ASSERT_TRUE(runs.wait_for_count(1));
    ASSERT_TRUE(runner.wait_idle(std::chrono::steady_clock::now() + 20s));
    EXPECT_EQ(runs.lines(), std::vector<std::string>{"held attempt 2"});
    const auto after = store.counts(wall_ms());
    ASSERT_TRUE(after);
    ASSERT_EQ(after->size(), 1U);
    EXPECT_EQ(after->front().state, "done");
    EXPECT_EQ(after->front().count, 2);
}

} // namespace
} // namespace donna::relay
