// mail_message: what the relay hands an SMTP server is a well-formed RFC 5322/MIME message
// whatever the visitor's text, and no value can add a header.
#include "providers/smtp/mail_message.hpp"

#include "audio/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace donna::relay {
namespace {

std::vector<std::string> lines_of(const std::string& message)
{
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < message.size()) {
        const auto end = message.find("\r\n", at);
        if (end == std::string::npos) {
            out.push_back(message.substr(at));
            break;
        }
        out.push_back(message.substr(at, end - at));
        at = end + 2;
    }
    return out;
}

// RFC 2045 quoted-printable back to bytes (the test's own decoder, not the encoder's inverse).
std::string decode_qp(const std::string& qp)
{
    std::string out;
    for (std::size_t i = 0; i < qp.size(); ++i) {
        if (qp[i] != '=') {
            out += qp[i];
            continue;
        }
        if (qp.compare(i + 1, 2, "\r\n") == 0) {
            i += 2; // soft line break
            continue;
        }
        out += static_cast<char>(std::stoi(qp.substr(i + 1, 2), nullptr, 16));
        i += 2;
    }
    return out;
}

// "=?UTF-8?B?...?=" words (folded or not) back to text.
std::string decode_words(const std::string& header)
{
    std::string out;
    std::size_t at = 0;
    while ((at = header.find("=?UTF-8?B?", at)) != std::string::npos) {
        const auto start = at + 10;
        const auto end = header.find("?=", start);
        const auto bytes = base64_decode(header.substr(start, end - start));
        EXPECT_TRUE(bytes);
        if (bytes)
            out.append(bytes->begin(), bytes->end());
        at = end + 2;
    }
    return out;
}

mail_content sample()
{
    mail_content m;
    m.from = {"donna@acme.example", "DONNA at Acme"};
    m.to = {"ana@example.com", ""};
    m.subject = "Your booking";
    m.text = "Hello Ana,\n\nYour table is booked.";
    m.message_id = outbox_message_id(42, 1765000000, "acme.example");
    m.date_unix = 1765000000;
    return m;
}

// The body of the part with this content type, still encoded.
std::string part(const std::string& message, const std::string& type)
{
    const auto head = message.find("Content-Type: " + type);
    const auto body = message.find("\r\n\r\n", head) + 4;
    const auto end = message.find("\r\n--=_donna_", body);
    return message.substr(body, end - body);
}

TEST(MailMessage, HeadersAreThoseOfAWellFormedMimeMessage)
{
    const auto message = format_mail(sample());
    ASSERT_TRUE(message) << message.error().message;
    const auto lines = lines_of(*message);
    EXPECT_EQ(lines[0], "Date: Sat, 06 Dec 2025 05:46:40 +0000");
    EXPECT_EQ(lines[1], "From: DONNA at Acme <donna@acme.example>");
    EXPECT_EQ(lines[2], "To: ana@example.com");
    EXPECT_EQ(lines[3], "Subject: Your booking");
    EXPECT_EQ(lines[4], "Message-ID: <donna.outbox.42.1765000000@acme.example>");
    EXPECT_EQ(lines[5], "MIME-Version: 1.0");
    EXPECT_NE(message->find("Content-Type: multipart/alternative;\r\n boundary=\"=_donna_"),
              std::string::npos);
    EXPECT_TRUE(message->ends_with("--\r\n"));
}

TEST(MailMessage, EveryLineEndsInCrlfAndStaysWithin78Characters)
{
    auto m = sample();
    m.text = std::string(1000, 'x') + "\n" + std::string(300, ' ') + "\nnäive ünïcödé " +
             std::string(200, '=');
    m.subject = std::string(150, 'S');
    const auto message = format_mail(m);
    ASSERT_TRUE(message);
    for (std::size_t i = 0; i < message->size(); ++i) {
        if ((*message)[i] == '\n') {
            ASSERT_EQ((*message)[i - 1], '\r') << "bare LF at " << i;
        }
    }
    for (const auto& line : lines_of(*message))
        EXPECT_LE(line.size(), 78u) << line;
}

TEST(MailMessage, TheTextPartDecodesToTheTextExactly)
{
    auto m = sample();
    m.text = "Grüße aus Köln — 東京\n.\nA line ending in a space \nx=y\tz";
    const auto message = format_mail(m);
    ASSERT_TRUE(message);
    EXPECT_EQ(decode_qp(part(*message, "text/plain")),
              "Grüße aus Köln — 東京\r\n.\r\nA line ending in a space \r\nx=y\tz");
    // A line that is only a dot is escaped, so it cannot end the DATA.
    EXPECT_NE(part(*message, "text/plain").find("\r\n=2E\r\n"), std::string::npos);
}

TEST(MailMessage, AUtf8SubjectIsEncodedWordsThatDecodeToIt)
{
    auto m = sample();
    m.subject = "Réservation confirmée pour « Chez Léa » — merci beaucoup, à bientôt !";
    const auto message = format_mail(m);
    ASSERT_TRUE(message);
    const auto start = message->find("Subject: ") + 9;
    const auto end = message->find("\r\nMessage-ID:");
    const auto header = message->substr(start, end - start);
    EXPECT_TRUE(header.starts_with("=?UTF-8?B?"));
    EXPECT_EQ(decode_words(header), m.subject);
}

TEST(MailMessage, ASubjectOrNameWithALineBreakCannotAddAHeader)
{
    auto m = sample();
    m.subject = "Hi\r\nBcc: victim@example.org";
    m.from.name = "DONNA\r\nBcc: victim@example.org";
    const auto message = format_mail(m);
    ASSERT_TRUE(message);
    for (const auto& line : lines_of(*message))
        EXPECT_FALSE(line.starts_with("Bcc:")) << line;
}

TEST(MailMessage, AnAddressThatIsNotOneIsRefused)
{
    auto m = sample();
    m.to.email = "ana@example.com\r\nBcc: victim@example.org";
    const auto refused = format_mail(m);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, errc::invalid_argument);
    m = sample();
    m.from.email = "not an address";
    EXPECT_FALSE(format_mail(m));
    m = sample();
    m.message_id = "<no at sign>";
    EXPECT_FALSE(format_mail(m));
}

TEST(MailMessage, TheHtmlPartEscapesTheText)
{
    auto m = sample();
    m.text = "<script>alert(1)</script> & \"quotes\"\n\nSecond paragraph\nsame one";
    const auto message = format_mail(m);
    ASSERT_TRUE(message);
    const auto html = decode_qp(part(*message, "text/html"));
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"),
              std::string::npos);
    EXPECT_NE(html.find("</p>\r\n<p>Second paragraph<br>\r\nsame one</p>"), std::string::npos);
}

TEST(MailMessage, TheMessageIdIsTheSameForEveryAttemptOfOneRow)
{
    EXPECT_EQ(outbox_message_id(7, 100, "acme.example"), outbox_message_id(7, 100, "acme.example"));
    EXPECT_NE(outbox_message_id(7, 100, "acme.example"), outbox_message_id(7, 101, "acme.example"));
    EXPECT_EQ(outbox_message_id(7, 100, "bad domain"), "<donna.outbox.7.100@donna.invalid>");
}

TEST(MailMessage, TheDateIsRfc5322InUtc)
{
    EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
    EXPECT_EQ(rfc5322_date(1796644800), "Mon, 07 Dec 2026 12:00:00 +0000");
}

} // namespace
} // namespace donna::relay
