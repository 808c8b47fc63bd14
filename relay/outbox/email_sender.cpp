// email_sender.cpp: the sending thread, its queue, and one attempt from row to verdict.
#include "outbox/email_sender.hpp"

#include "config/config.hpp"
#include "core/unix_time.hpp"
#include "metrics/metrics.hpp"
#include "outbox/outbox_delivery.hpp"
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
#include <variant>

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
        : record(s, r, l, "email"),
          settings(src),
          ca_pem(std::move(ca)),
          send_seconds(r.get_histogram("donna_smtp_send_seconds",
                                       "Time to hand one message to the SMTP server",
                                       latency_buckets_seconds()))
    {}

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
        auto opened = record.open(task);
        if (auto* settled = std::get_if<job_outcome>(&opened))
            return *settled;
        const auto& row = std::get<outbox_item>(opened);
        const auto id = row.id;
        const auto live = settings.current();
        const auto& c = live->cfg;
        if (c.smtp_host.empty())
            return job_outcome::retry("SMTP is not configured (SMTP_HOST is empty)");
        if (!record.begin(id))
            return job_outcome::retry("the outbox row could not be written");

        const auto content = json::parse(row.payload, nullptr, false);
        mail_content mail;
        mail.from = {c.smtp_from_email, c.smtp_from_name};
        mail.to = {row.recipient, ""};
        mail.subject = content.is_object() ? string_at(content, "subject") : "";
        mail.text = content.is_object() ? string_at(content, "body") : "";
        mail.html = content.is_object() ? string_at(content, "html") : ""; // "": from the text
        const auto at = c.smtp_from_email.find('@');
        mail.message_id = outbox_message_id(
            id, row.created_at,
            at == std::string::npos ? std::string() : c.smtp_from_email.substr(at + 1));
        mail.date_unix = unix_now();
        auto message = format_mail(mail);
        if (!message)
            return record.failed(id,
                                 "the message could not be written: " + message.error().message);

        auto wanted = smtp_of(c, ca_pem, &cancelled);
        if (!client || !same_server(client_settings, wanted)) {
            client = std::make_unique<smtp_client>(wanted);
            client_settings = std::move(wanted);
        }
        const auto started = std::chrono::steady_clock::now();
        const auto sent = client->send(c.smtp_from_email, {row.recipient}, *message);
        send_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        switch (sent.verdict) {
        case smtp_verdict::sent:
            return record.sent(id);
        case smtp_verdict::reject:
            return record.failed(id, "the mail server refused it: " + sent.detail);
        case smtp_verdict::retry:
            break;
        }
        return record.retry(task, id, sent.detail);
    }

    outbox_delivery record;
    const settings_source& settings;
    std::string ca_pem;
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
