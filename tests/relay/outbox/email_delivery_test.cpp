// The outbox's emails delivered through the job runner to a real SMTP server on loopback
// (aiosmtpd with STARTTLS on the test CA and AUTH), from the relay's own actions; what
// happened is read back through GET /v1/messages, as the staff would.
#include "eventually.hpp"
#include "fake_realtime_server.hpp"
#include "relay_harness.hpp"
#include "smtp_test_server.hpp"

#include "app/services.hpp"
#include "store/action_store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <thread>

namespace donna::relay {
namespace {

namespace fs = std::filesystem;
using donna::test::eventually;
using json = nlohmann::json;

class EmailDelivery : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() /
               ("donna-mail-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        smtp_ = std::make_unique<donna::test::smtp_test_server>(dir_);
        ASSERT_TRUE(smtp_->start());
        ASSERT_TRUE(realtime_.start());
    }
    void TearDown() override
    {
        relay_.reset();
        smtp_.reset();
        fs::remove_all(dir_);
    }

    config mail_config()
    {
        auto c = test::test_config_with_upstream(realtime_.base_url());
        c.admin_token = test::test_admin_token;
        c.smtp_host = "127.0.0.1";
        c.smtp_port = smtp_->port();
        c.smtp_username = smtp_->options().user;
        c.smtp_password = smtp_->options().password;
        c.smtp_encryption = "tls";
        c.smtp_from_email = "donna@acme.example";
        c.smtp_from_name = "DONNA at Acme";
        c.upstream_ca_file = smtp_->ca_file().string();
        c.job_poll_ms = 20;
        c.job_retry_ms = 50;
        return c;
    }

    test::relay_harness& relay(config c)
    {
        relay_ = std::make_unique<test::relay_harness>(std::move(c));
        return *relay_;
    }

    // Queues an email as the send_email action does (the actions' tests cover that path).
    std::int64_t queue_email(const std::string& to, const std::string& subject = "Hello",
                             const std::string& body = "Hello from DONNA.")
    {
        outbox_item item;
        item.site = "demo";
        item.channel = "email";
        item.recipient = to;
        item.payload = json{{"subject", subject}, {"body", body}}.dump();
        item.created_at = 1796644800;
        auto id = relay_->svc().actions().enqueue(item);
        EXPECT_TRUE(id);
        return id ? *id : 0;
    }

    json outbox_row(std::int64_t id)
    {
        const auto r =
            relay_->request("GET", "/v1/messages", "", test::bearer(test::test_admin_token));
        const auto listing = r.json(); // kept: a temporary's member would dangle in the loop
        for (const auto& row : listing["outbox"])
            if (row["id"] == id)
                return row;
        ADD_FAILURE() << "no outbox row " << id << ": " << r.status << " " << r.body;
        return json();
    }

    fs::path dir_;
    std::unique_ptr<donna::test::smtp_test_server> smtp_;
    fakes::fake_realtime_server realtime_;
    std::unique_ptr<test::relay_harness> relay_;
};

TEST_F(EmailDelivery, AVoiceSessionsSendEmailEndsAsAWellFormedMailOnTheServer)
{
    auto& r = relay(mail_config());
    realtime_.script_function_calls(
        {{"send_email", R"({"to":"ana@example.com","subject":"Réservation confirmée",)"
                        R"("body":"Your table for two is booked for 8 pm.\nSee you soon!"})"}});
    auto ws = r.open_realtime(test::ws_options{.token = r.session_token()});
    // The visitor gives the address (typed here; a spoken one arrives as a transcript).
    ws.send(R"({"type":"conversation.item.create","item":{"type":"message","role":"user",)"
            R"("content":[{"type":"input_text","text":"Book it and mail me: ana@example.com"}]}})");
    ws.send(R"({"type":"response.create"})");
    ASSERT_TRUE(ws.read_until_type("response.done"));
    ASSERT_TRUE(smtp_->wait_for_messages(1));

    const auto mail = smtp_->messages()[0];
    EXPECT_TRUE(mail.tls);
    EXPECT_EQ(mail.mail_from, "donna@acme.example");
    EXPECT_EQ(mail.rcpt_tos, std::vector<std::string>{"ana@example.com"});
    EXPECT_EQ(mail.header("From"), "DONNA at Acme <donna@acme.example>");
    EXPECT_EQ(mail.header("To"), "ana@example.com");
    EXPECT_EQ(mail.header("MIME-Version"), "1.0");
    EXPECT_TRUE(mail.header("Subject")->starts_with("=?UTF-8?B?"));
    EXPECT_TRUE(mail.header("Date").has_value());
    EXPECT_NE(mail.raw.find("Your table for two is booked for 8 pm.\r\nSee you soon!"),
              std::string::npos);
    EXPECT_NE(mail.raw.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);

    // The row says what happened, with the Message-ID the mail carries.
    std::int64_t id = 0;
    ASSERT_TRUE(eventually([&] {
        const auto listing =
            r.request("GET", "/v1/messages", "", test::bearer(test::test_admin_token)).json();
        if (listing["outbox"].empty() || listing["outbox"][0]["status"] != "sent")
            return false;
        id = listing["outbox"][0]["id"];
        return true;
    }));
    const auto row = outbox_row(id);
    EXPECT_EQ(row["attempts"], 1);
    EXPECT_TRUE(row["last_error"].is_null());
    EXPECT_TRUE(row["sent_at"].is_number());
    EXPECT_NE(mail.header("Message-ID")->find("<donna.outbox." + std::to_string(id) + "."),
              std::string::npos);
}

TEST_F(EmailDelivery, AWrongPasswordKeepsTheMailQueuedWithTheReason)
{
    auto c = mail_config();
    c.smtp_password = "wrong-password-5678";
    relay(c);
    const auto id = queue_email("ana@example.com");
    ASSERT_TRUE(eventually([&] { return outbox_row(id)["attempts"].get<int>() >= 2; }));
    const auto row = outbox_row(id);
    EXPECT_NE(row["status"], "sent");
    EXPECT_NE(row["status"], "failed");
    EXPECT_NE(row["last_error"].get<std::string>().find("refused the login"), std::string::npos);
    EXPECT_EQ(row["last_error"].get<std::string>().find("wrong-password-5678"), std::string::npos);
    EXPECT_EQ(smtp_->message_count(), 0u);
}

TEST_F(EmailDelivery, AMailQueuedWhileTheServerIsDownIsDeliveredOnceItIsBack)
{
    auto& r = relay(mail_config());
    smtp_->kill();
    const auto id = queue_email("ana@example.com");
    // The first attempt over (the row says sending while it runs): queued again, with why.
    ASSERT_TRUE(eventually([&] {
        const auto row = outbox_row(id);
        return row["attempts"].get<int>() >= 1 && row["status"] == "queued";
    }));
    EXPECT_FALSE(outbox_row(id)["last_error"].is_null());
    ASSERT_TRUE(smtp_->start()); // the same port
    ASSERT_TRUE(smtp_->wait_for_messages(1));
    ASSERT_TRUE(eventually([&] { return outbox_row(id)["status"] == "sent"; }));
    EXPECT_GE(outbox_row(id)["attempts"].get<int>(), 2);
    EXPECT_TRUE(outbox_row(id)["last_error"].is_null());
    EXPECT_EQ(r.metric(R"(donna_outbox_deliveries_total{channel="email",outcome="sent"})"), 1);
}

TEST_F(EmailDelivery, ARejectedRecipientIsAPermanentFailureWithTheServersReply)
{
    auto& r = relay(mail_config());
    const auto id = queue_email("nobody@rejected.example");
    ASSERT_TRUE(eventually([&] { return outbox_row(id)["status"] == "failed"; }));
    const auto row = outbox_row(id);
    EXPECT_EQ(row["attempts"], 1);
    EXPECT_NE(row["last_error"].get<std::string>().find("550 5.1.1"), std::string::npos);
    // The row says failed before the job runner settles the job: wait for that too.
    EXPECT_TRUE(eventually([&] {
        return r.metric(R"(donna_jobs_settled_total{kind="outbox.email",outcome="dead"})") == 1;
    }));
    EXPECT_EQ(smtp_->message_count(), 0u);
}

TEST_F(EmailDelivery, AMessageTakenInVoiceReachesTheStaffAndTheVisitorGetsAConfirmation)
{
    auto c = mail_config();
    c.sites.sites[0].staff_emails = {"desk@acme.example"};
    auto& r = relay(c);
    realtime_.script_function_calls(
        {{"take_message", R"({"name":"Ana Lopez","message":"Please call me about order 42",)"
                          R"("email":"ana@example.com"})"}});
    auto ws = r.open_realtime(test::ws_options{.token = r.session_token()});
    // The visitor's words, as the upstream's transcript of what they said.
    ASSERT_TRUE(ws.read_until_type("session.created")); // the upstream is open
    realtime_.send_to_all(
        R"({"type":"conversation.item.input_audio_transcription.completed","event_id":"e1",)"
        R"("item_id":"item_1","content_index":0,"transcript":"This is Ana, my email is ana at )"
        R"(example dot com, please have someone call me about order 42."})");
    ASSERT_TRUE(ws.read_until_type("conversation.item.input_audio_transcription.completed"));
    ws.send(R"({"type":"response.create"})");
    ASSERT_TRUE(ws.read_until_type("response.done"));
    ASSERT_TRUE(smtp_->wait_for_messages(2));

    const auto mails = smtp_->messages();
    const auto to = [&](const std::string& who) {
        return std::find_if(mails.begin(), mails.end(), [&](const auto& m) {
            return m.rcpt_tos == std::vector<std::string>{who};
        });
    };
    const auto staff = to("desk@acme.example");
    ASSERT_NE(staff, mails.end());
    EXPECT_EQ(staff->header("Subject"), "New message from Ana Lopez (demo)");
    EXPECT_NE(staff->raw.find("Message: Please call me about order 42"), std::string::npos);
    const auto visitor = to("ana@example.com");
    ASSERT_NE(visitor, mails.end());
    EXPECT_EQ(visitor->header("Subject"), "We received your message");
}

} // namespace
} // namespace donna::relay
