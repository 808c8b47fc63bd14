// email_sender.cpp: the sending thread, its queue, and one attempt from row to verdict.
#include "outbox/email_sender.hpp"

#include "config/config.hpp"
#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "providers/smtp/mail_message.hpp"
#include "providers/smtp/smtp_client.hpp"
#include "settings/settings_source.hpp"
#include "store/action_store.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace donna::relay {
namespace {

using json = nlohmann::json;

struct delivery {
    job task;
    job_runner::settle done;
};

std::string string_at(const json& object, const char* name)
{
    const auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

smtp_settings smtp_of(const config& c, const std::string& ca_pem, const std::atomic<bool>* cancel)
{
    return {.host = c.smtp_host,
            .port = c.smtp_port,
            .username = c.smtp_username,
            .password = c.smtp_password,
            .encryption = c.smtp_encryption,
            .extra_ca_pem = ca_pem,
            .connect_timeout = std::chrono::milliseconds(c.upstream_connect_timeout_ms),
            .timeout = std::chrono::seconds(60),
            .keep_alive = true,
            .cancel = cancel};
}

bool same_server(const smtp_settings& a, const smtp_settings& b)
{
    return a.host == b.host && a.port == b.port && a.username == b.username &&
           a.password == b.password && a.encryption == b.encryption;
}

} // namespace

struct email_sender::impl {
    impl(action_store& s, const settings_source& src, std::string ca, metrics_registry& r,
         logger& l)
        : store(s),
          settings(src),
          ca_pem(std::move(ca)),
          registry(r),
          log(l),
          send_seconds(r.get_histogram("donna_smtp_send_seconds",
                                       "Time to hand one message to the SMTP server",
                                       latency_buckets_seconds()))
    {}

    void count(std::string_view outcome)
    {
        registry
            .get_counter("donna_outbox_deliveries_total", "Outbox delivery attempts by outcome",
                         {{"channel", "email"}, {"outcome", std::string(outcome)}})
            .inc();
    }

    void run()
    {
        while (true) {
            std::unique_lock lock(mutex);
            wake.wait(lock, [&] { return stopping || !queue.empty(); });
            if (stopping)
                break;
            auto next = std::move(queue.front());
            queue.pop_front();
            lock.unlock();
            next.done(attempt(next.task));
        }
        // Jobs not begun: their rows were never touched; they run again after a restart.
        std::deque<delivery> left;
        {
            const std::lock_guard lock(mutex);
            left.swap(queue);
        }
        for (auto& d : left)
            d.done(job_outcome::retry("the relay stopped before sending"));
    }

    job_outcome attempt(const job& task)
    {
        const auto payload = json::parse(task.payload, nullptr, false);
        const auto id_field = payload.is_object() ? payload.find("outbox_id") : payload.end();
        if (!payload.is_object() || id_field == payload.end() || !id_field->is_number_integer())
            return job_outcome::fail("the job names no outbox row");
        const auto id = id_field->get<std::int64_t>();
        auto row = store.get_outbox(id);
        if (!row)
            return row.error().code == errc::not_found ? job_outcome::fail(row.error().message)
                                                       : job_outcome::retry(row.error().message);
        // Settled by an earlier attempt whose job did not hear of it (a crash between the
        // two writes): nothing to do, and above all nothing to send twice.
        if (row->status == "sent" || row->status == "failed")
            return job_outcome::done();
        const auto live = settings.current();
        const auto& c = live->cfg;
        if (c.smtp_host.empty())
            return job_outcome::retry("SMTP is not configured (SMTP_HOST is empty)");

        const auto now = unix_now();
        if (auto begun = store.begin_attempt(id, now); !begun)
            return job_outcome::retry(begun.error().message);
        const auto content = json::parse(row->payload, nullptr, false);
        mail_content mail;
        mail.from = {c.smtp_from_email, c.smtp_from_name};
        mail.to = {row->recipient, ""};
        mail.subject = content.is_object() ? string_at(content, "subject") : "";
        mail.text = content.is_object() ? string_at(content, "body") : "";
        mail.html = content.is_object() ? string_at(content, "html") : ""; // "": from the text
        const auto at = c.smtp_from_email.find('@');
        mail.message_id = outbox_message_id(
            id, row->created_at,
            at == std::string::npos ? std::string() : c.smtp_from_email.substr(at + 1));
        mail.date_unix = now;
        auto message = format_mail(mail);
        if (!message)
            return settle_failed(id,
                                 "the message could not be written: " + message.error().message);

        auto wanted = smtp_of(c, ca_pem, &cancelled);
        if (!client || !same_server(client_settings, wanted)) {
            client = std::make_unique<smtp_client>(wanted);
            client_settings = std::move(wanted);
        }
        const auto started = std::chrono::steady_clock::now();
        const auto sent = client->send(c.smtp_from_email, {row->recipient}, *message);
        send_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        const auto where = "outbox #" + std::to_string(id) + " (site " + row->site + ")";
        switch (sent.verdict) {
        case smtp_verdict::sent:
            count("sent");
            log.info("outbox", "email " + where + " sent");
            if (auto marked = store.mark_sent(id, unix_now()); !marked)
                log.error("outbox", "email " + where +
                                        " was sent but its row could not be updated: " +
                                        marked.error().message);
            return job_outcome::done();
        case smtp_verdict::reject:
            return settle_failed(id, "the mail server refused it: " + sent.detail);
        case smtp_verdict::retry:
            break;
        }
        if (task.attempts >= task.max_attempts)
            return settle_failed(id, "gave up after " + std::to_string(task.attempts) +
                                         " attempts: " + sent.detail);
        count("retry");
        log.warn("outbox", "email " + where + " not sent yet (attempt " +
                               std::to_string(task.attempts) + "): " + sent.detail);
        if (auto marked = store.mark_retry(id, sent.detail, unix_now()); !marked)
            log.error("outbox", "email " + where + ": " + marked.error().message);
        return job_outcome::retry(sent.detail);
    }

    job_outcome settle_failed(std::int64_t id, const std::string& why)
    {
        count("failed");
        log.warn("outbox", "email outbox #" + std::to_string(id) + " failed: " + why);
        if (auto marked = store.mark_failed(id, why, unix_now()); !marked)
            log.error("outbox",
                      "email outbox #" + std::to_string(id) + ": " + marked.error().message);
        return job_outcome::fail(why);
    }

    action_store& store;
    const settings_source& settings;
    std::string ca_pem;
    metrics_registry& registry;
    logger& log;
    histogram& send_seconds;
    // The sending thread's own.
    std::unique_ptr<smtp_client> client;
    smtp_settings client_settings;

    std::atomic<bool> cancelled{false}; // the relay is stopping: end the send under way
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<delivery> queue;
    bool stopping = false;
    std::thread thread;
};

email_sender::email_sender(action_store& store, const settings_source& settings,
                           std::string extra_ca_pem, metrics_registry& registry, logger& log)
    : impl_(std::make_shared<impl>(store, settings, std::move(extra_ca_pem), registry, log))
{
    impl_->thread = std::thread([i = impl_.get()] { i->run(); });
}

email_sender::~email_sender()
{
    {
        const std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->cancelled = true;
    impl_->wake.notify_all();
    if (impl_->thread.joinable())
        impl_->thread.join();
}

void email_sender::deliver(const job& j, job_runner::settle done)
{
    {
        const std::lock_guard lock(impl_->mutex);
        if (!impl_->stopping) {
            impl_->queue.push_back({j, std::move(done)});
            impl_->wake.notify_one();
            return;
        }
    }
    done(job_outcome::retry("the relay is stopping"));
}

} // namespace donna::relay
