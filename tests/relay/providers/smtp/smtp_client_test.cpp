// smtp_client against a real SMTP server on loopback (aiosmtpd, tests/support/smtp_server.py):
// STARTTLS and implicit TLS with the test CA, AUTH, the server's refusals mapped to verdicts,
// and a kept-alive connection.
#include "providers/smtp/smtp_client.hpp"

#include "file_text.hpp"
#include "providers/smtp/mail_message.hpp"
#include "smtp_test_server.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

namespace donna::relay {
namespace {

namespace fs = std::filesystem;
using donna::test::read_file;
using test::smtp_server_options;
using test::smtp_test_server;

class SmtpClient : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() /
               ("donna-smtp-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
    }
    void TearDown() override
    {
        server_.reset();
        fs::remove_all(dir_);
    }

    smtp_test_server& server(smtp_server_options options = {})
    {
        server_ = std::make_unique<smtp_test_server>(dir_, std::move(options));
        EXPECT_TRUE(server_->start()) << read_file(dir_ / "smtp_server.log");
        return *server_;
    }

    smtp_settings settings_for(const smtp_test_server& s, const std::string& encryption = "tls")
    {
        return {.host = "127.0.0.1",
                .port = s.port(),
                .username = s.options().user,
                .password = s.options().password,
                .encryption = encryption,
                .extra_ca_pem = read_file(s.ca_file()),
                .connect_timeout = std::chrono::seconds(5),
                .timeout = std::chrono::seconds(20)};
    }

    static std::string message_to(const std::string& to, int n = 1)
    {
        mail_content m;
        m.from = {"donna@acme.example", "DONNA"};
        m.to = {to, ""};
        m.subject = "Test " + std::to_string(n);
        m.text = "Hello.";
        m.message_id = outbox_message_id(n, 1765000000, "acme.example");
        m.date_unix = 1765000000;
        return *format_mail(m);
    }

    // Three messages in a row through one client.
    static void send_three(const smtp_settings& settings)
    {
        smtp_client client(settings);
        for (int i = 1; i <= 3; ++i)
            EXPECT_EQ(client
                          .send("donna@acme.example", {"ana@example.com"},
                                message_to("ana@example.com", i))
                          .verdict,
                      smtp_verdict::sent);
    }

    fs::path dir_;
    std::unique_ptr<smtp_test_server> server_;
};

TEST_F(SmtpClient, StarttlsWithAuthDeliversTheMessageAsWritten)
{
    auto& s = server();
    smtp_client client(settings_for(s));
    const auto message = message_to("ana@example.com");
    const auto sent = client.send("donna@acme.example", {"ana@example.com"}, message);
    EXPECT_EQ(sent.verdict, smtp_verdict::sent) << sent.detail;
    ASSERT_TRUE(s.wait_for_messages(1));
    const auto got = s.messages()[0];
    EXPECT_TRUE(got.tls);
    EXPECT_EQ(got.mail_from, "donna@acme.example");
    EXPECT_EQ(got.rcpt_tos, std::vector<std::string>{"ana@example.com"});
    EXPECT_EQ(got.raw, message);
}

TEST_F(SmtpClient, ImplicitTlsDeliversTheMessage)
{
    auto& s = server({.mode = "ssl"});
    smtp_client client(settings_for(s, "ssl"));
    const auto sent =
        client.send("donna@acme.example", {"ana@example.com"}, message_to("ana@example.com"));
    EXPECT_EQ(sent.verdict, smtp_verdict::sent) << sent.detail;
    ASSERT_TRUE(s.wait_for_messages(1));
    EXPECT_TRUE(s.messages()[0].tls);
}

TEST_F(SmtpClient, AWrongPasswordIsARetryNamingTheRefusalNeverThePassword)
{
    auto& s = server();
    auto settings = settings_for(s);
    settings.password = "not-the-password-9876";
    smtp_client client(settings);
    const auto sent =
        client.send("donna@acme.example", {"ana@example.com"}, message_to("ana@example.com"));
    EXPECT_EQ(sent.verdict, smtp_verdict::retry);
    EXPECT_EQ(sent.reply_code, 535);
    EXPECT_NE(sent.detail.find("refused the login"), std::string::npos) << sent.detail;
    EXPECT_EQ(sent.detail.find("not-the-password-9876"), std::string::npos);
    EXPECT_EQ(s.message_count(), 0u);
}

TEST_F(SmtpClient, ARejectedRecipientIsAPermanentRefusalWithTheServersReply)
{
    auto& s = server();
    smtp_client client(settings_for(s));
    const auto sent = client.send("donna@acme.example", {"nobody@rejected.example"},
                                  message_to("nobody@rejected.example"));
    EXPECT_EQ(sent.verdict, smtp_verdict::reject);
    EXPECT_EQ(sent.reply_code, 550);
    EXPECT_NE(sent.detail.find("550 5.1.1"), std::string::npos) << sent.detail;
}

TEST_F(SmtpClient, ATemporaryRefusalIsARetry)
{
    auto& s = server();
    smtp_client client(settings_for(s));
    const auto sent =
        client.send("donna@acme.example", {"ana@busy.example"}, message_to("ana@busy.example"));
    EXPECT_EQ(sent.verdict, smtp_verdict::retry);
    EXPECT_EQ(sent.reply_code, 451);
}

TEST_F(SmtpClient, NoServerListeningIsARetry)
{
    auto& s = server();
    auto settings = settings_for(s);
    s.kill();
    smtp_client client(settings);
    const auto sent =
        client.send("donna@acme.example", {"ana@example.com"}, message_to("ana@example.com"));
    EXPECT_EQ(sent.verdict, smtp_verdict::retry);
    EXPECT_EQ(sent.reply_code, 0);
    EXPECT_FALSE(sent.detail.empty());
}

TEST_F(SmtpClient, AnUntrustedCertificateSendsNothing)
{
    auto& s = server();
    auto settings = settings_for(s);
    settings.extra_ca_pem.clear(); // the test CA is in no system store
    smtp_client client(settings);
    const auto sent =
        client.send("donna@acme.example", {"ana@example.com"}, message_to("ana@example.com"));
    EXPECT_EQ(sent.verdict, smtp_verdict::retry);
    EXPECT_EQ(s.message_count(), 0u);
}

TEST_F(SmtpClient, ACertificateForAnotherHostNameSendsNothing)
{
    // Listening on 127.0.0.2, which its certificate (localhost, 127.0.0.1) does not name.
    auto& s = server({.host = "127.0.0.2"});
    auto settings = settings_for(s);
    settings.host = "127.0.0.2";
    smtp_client client(settings);
    const auto sent =
        client.send("donna@acme.example", {"ana@example.com"}, message_to("ana@example.com"));
    EXPECT_EQ(sent.verdict, smtp_verdict::retry);
    EXPECT_EQ(s.message_count(), 0u);
}

TEST_F(SmtpClient, AServerWithoutStarttlsNeverGetsTheMessageInTheClear)
{
    auto& s = server({.mode = "plain", .user = ""});
    smtp_client client(settings_for(s, "tls"));
    const auto sent =
        client.send("donna@acme.example", {"ana@example.com"}, message_to("ana@example.com"));
    EXPECT_EQ(sent.verdict, smtp_verdict::retry);
    EXPECT_EQ(s.message_count(), 0u);
}

TEST_F(SmtpClient, MessagesInARowShareOneKeptAliveConnection)
{
    auto& s = server();
    send_three(settings_for(s));
    ASSERT_TRUE(s.wait_for_messages(3));
    EXPECT_EQ(s.connections(), 1u);
}

TEST_F(SmtpClient, WithoutKeepAliveEachMessageHasItsOwnConnection)
{
    auto& s = server();
    auto settings = settings_for(s);
    settings.keep_alive = false;
    send_three(settings);
    ASSERT_TRUE(s.wait_for_messages(3));
    EXPECT_EQ(s.connections(), 3u);
}

} // namespace
} // namespace donna::relay
