// Emails as Gmail hands them over (relay/providers/google/gmail_message), read with GMime:
// real-world shapes: a multipart/mixed holding a multipart/alternative and an attachment,
// quoted-printable ISO-8859-1, base64 UTF-8, RFC 2047 headers in three charsets, an
// HTML-only mail, and Gmail's base64url envelope.
#include "providers/google/gmail_message.hpp"

#include "auth/sodium_base64.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace donna::relay {
namespace {

// A lead's enquiry as a phone's mail app writes it: text and HTML alternatives inside a
// mixed multipart with a PDF, the text in ISO-8859-1 quoted-printable, the subject and the
// sender's name RFC 2047-encoded.
constexpr std::string_view nested_mail =
    "Return-Path: <ana@example.es>\r\n"
    "From: =?ISO-8859-1?Q?Ana_Mu=F1oz?= <ana@example.es>\r\n"
    "To: Acme Sales <sales@acme.example>\r\n"
    "Cc: =?UTF-8?B?SsO8cmdlbg==?= <juergen@example.de>\r\n"
    "Subject: =?UTF-8?Q?Presupuesto_para_la_reuni=C3=B3n?= =?UTF-8?Q?_de_ma=C3=B1ana?=\r\n"
    "Date: Mon, 07 Dec 2026 09:15:02 +0100\r\n"
    "Message-ID: <CAF=enquiry-1@mail.example.es>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"inner\"\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Buenos d=EDas, quisiera un presupuesto para 40 personas. =BFEs posible=\r\n"
    " ma=F1ana?\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=UTF-8\r\n"
    "\r\n"
    "<p>Buenos d\xC3\xAD"
    "as</p>\r\n"
    "--inner--\r\n"
    "--outer\r\n"
    "Content-Type: application/pdf; name=\"plano.pdf\"\r\n"
    "Content-Disposition: attachment; filename=\"plano.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK\r\n"
    "--outer--\r\n";

TEST(GmailMessage, NestedMultipartsGiveTheTextPartDecodedToUtf8AndListTheAttachment)
{
    const auto mail = parse_mail(nested_mail);
    ASSERT_TRUE(mail) << mail.error().message;
    EXPECT_EQ(mail->subject, "Presupuesto para la reuni\xC3\xB3n de ma\xC3\xB1"
                             "ana");
    EXPECT_NE(mail->from.find("Ana Mu\xC3\xB1oz"), std::string::npos) << mail->from;
    EXPECT_NE(mail->from.find("ana@example.es"), std::string::npos);
    EXPECT_NE(mail->cc.find("J\xC3\xBCrgen"), std::string::npos) << mail->cc;
    EXPECT_EQ(mail->message_id, "CAF=enquiry-1@mail.example.es");
    // Quoted-printable undone (soft line break too), ISO-8859-1 now UTF-8; the HTML ignored.
    EXPECT_NE(mail->text.find("Buenos d\xC3\xAD"
                              "as, quisiera un presupuesto para 40 personas."),
              std::string::npos)
        << mail->text;
    EXPECT_NE(mail->text.find("posible ma\xC3\xB1"
                              "ana?"),
              std::string::npos)
        << mail->text;
    EXPECT_NE(mail->text.find("\xC2\xBF"
                              "Es posible"),
              std::string::npos)
        << mail->text;
    EXPECT_FALSE(mail->text_from_html);
    ASSERT_EQ(mail->attachments.size(), 1u);
    EXPECT_EQ(mail->attachments[0].filename, "plano.pdf");
    EXPECT_EQ(mail->attachments[0].mime_type, "application/pdf");
    EXPECT_EQ(mail->attachments[0].size, 48u); // decoded, not the base64's 64 characters
}

TEST(GmailMessage, AReplyKeepsItsThreadHeadersAndAnHtmlOnlyMailGivesItsText)
{
    constexpr std::string_view reply =
        "From: \"Tanaka\" <tanaka@example.jp>\r\n"
        "To: sales@acme.example\r\n"
        "Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\n"
        "Message-ID: <reply-2@example.jp>\r\n"
        "In-Reply-To: <sent-1@acme.example>\r\n"
        "References: <first@acme.example> <sent-1@acme.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "PGh0bWw+PHN0eWxlPnB7Y29sb3I6cmVkfTwvc3R5bGU+PGJvZHk+PHA+WWVzLCAmYW1wOyB0aGFu\r\n"
        "a3MhPC9wPjxwPkNhbGwgbWUgYXQgMTA8L3A+PC9ib2R5PjwvaHRtbD4=\r\n";
    const auto mail = parse_mail(reply);
    ASSERT_TRUE(mail) << mail.error().message;
    EXPECT_EQ(mail->subject, "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF");
    EXPECT_EQ(mail->in_reply_to, "<sent-1@acme.example>");
    EXPECT_EQ(mail->references, "<first@acme.example> <sent-1@acme.example>");
    EXPECT_TRUE(mail->text_from_html);
    EXPECT_EQ(mail->text, "Yes, & thanks!\n\nCall me at 10") << mail->text; // paragraphs kept
    EXPECT_TRUE(mail->attachments.empty());
}

TEST(GmailMessage, GmailsRawEnvelopeIsReadWithItsIds)
{
    const std::string raw(nested_mail);
    auto encoded = base64url_encode(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
    while (encoded.size() % 4 != 0)
        encoded += '='; // Gmail pads its base64url
    const auto message = nlohmann::json{
        {"id", "18c1f0a2b3d4e5f6"},
        {"threadId", "18c1f0a2b3d4e5f0"},
        {"labelIds", {"INBOX", "UNREAD"}},
        {"raw", encoded}}.dump();
    const auto mail = read_gmail_raw_message(message);
    ASSERT_TRUE(mail) << mail.error().message;
    EXPECT_EQ(mail->gmail_id, "18c1f0a2b3d4e5f6");
    EXPECT_EQ(mail->thread_id, "18c1f0a2b3d4e5f0");
    EXPECT_EQ(mail->attachments.size(), 1u);
    EXPECT_FALSE(read_gmail_raw_message(R"({"id":"x","payload":{}})"));
    EXPECT_FALSE(read_gmail_raw_message("not json"));
}

} // namespace
} // namespace donna::relay
