// recipient_policy: DONNA writes to the site's staff, or to the one address or number the
// visitor gave in this conversation, within the site's daily cap; nobody else.
#include "policy/recipient_policy.hpp"

#include <gtest/gtest.h>

namespace donna::relay {
namespace {

recipient_question email_to(std::string to, const visitor_contacts& heard)
{
    return {.channel = contact_channel::email,
            .recipient = std::move(to),
            .heard = &heard,
            .staff = {"desk@acme.example"},
            .used_by_conversation = {},
            .sent_today = 0,
            .daily_cap = 100};
}

TEST(RecipientPolicy, AnAddressTheVisitorTypedMayBeWrittenTo)
{
    visitor_contacts heard;
    heard.heard("Sure, it's Ana.Lopez@Example.com.");
    EXPECT_TRUE(check_recipient(email_to("ana.lopez@example.com", heard)).allowed);
}

TEST(RecipientPolicy, AnAddressSpelledOutInATranscriptCounts)
{
    visitor_contacts heard;
    heard.heard("my email is ana dot lopez at example dot com thanks");
    EXPECT_TRUE(check_recipient(email_to("ana.lopez@example.com", heard)).allowed);
}

TEST(RecipientPolicy, AnAddressTheVisitorNeverSaidIsRefusedWithASentenceToSay)
{
    visitor_contacts heard;
    heard.heard("Please send me the menu.");
    const auto verdict = check_recipient(email_to("someone@elsewhere.example", heard));
    EXPECT_FALSE(verdict.allowed);
    EXPECT_EQ(verdict.code, "not_said");
    EXPECT_NE(verdict.reason.find("an address you give me yourself"), std::string::npos);
}

TEST(RecipientPolicy, AThirdPartysAddressDictatedAfterTheVisitorsOwnIsRefused)
{
    visitor_contacts heard;
    heard.heard("I'm ana@example.com");
    heard.heard("and send a copy to my colleague bob@other.example please");
    auto q = email_to("bob@other.example", heard);
    q.used_by_conversation = {"ana@example.com"};
    const auto verdict = check_recipient(q);
    EXPECT_FALSE(verdict.allowed);
    EXPECT_EQ(verdict.code, "one_per_conversation");
    // The visitor's own address stays usable.
    q.recipient = "ana@example.com";
    EXPECT_TRUE(check_recipient(q).allowed);
}

TEST(RecipientPolicy, TheSitesStaffMayAlwaysBeWrittenTo)
{
    visitor_contacts nothing_heard;
    auto q = email_to("Desk@Acme.example", nothing_heard);
    q.sent_today = 1000; // the cap is for the visitors' mail
    const auto verdict = check_recipient(q);
    EXPECT_TRUE(verdict.allowed);
    EXPECT_TRUE(verdict.staff);
}

TEST(RecipientPolicy, PastTheDailyCapNothingMoreGoesToVisitors)
{
    visitor_contacts heard;
    heard.heard("ana@example.com");
    auto q = email_to("ana@example.com", heard);
    q.sent_today = 100;
    const auto verdict = check_recipient(q);
    EXPECT_FALSE(verdict.allowed);
    EXPECT_EQ(verdict.code, "daily_cap");
}

TEST(RecipientPolicy, ANumberCountsWhenTheDigitsTheVisitorSaidEndIt)
{
    visitor_contacts heard;
    heard.heard("call or text me on (555) 010-0199");
    const recipient_question q{.channel = contact_channel::sms,
                               .recipient = "+15550100199",
                               .heard = &heard,
                               .daily_cap = 10};
    EXPECT_TRUE(check_recipient(q).allowed);
    auto other = q;
    other.recipient = "+15550100177";
    EXPECT_EQ(check_recipient(other).code, "not_said");
}

TEST(RecipientPolicy, ShortDigitRunsAreNotPhoneNumbers)
{
    visitor_contacts heard;
    heard.heard("table for 2 at 0199 please");
    const recipient_question q{.channel = contact_channel::sms,
                               .recipient = "+15550100199",
                               .heard = &heard,
                               .daily_cap = 10};
    EXPECT_FALSE(check_recipient(q).allowed);
}

TEST(RecipientPolicy, NothingHeardMeansOnlyStaff)
{
    const recipient_question q{.channel = contact_channel::email,
                               .recipient = "ana@example.com",
                               .heard = nullptr,
                               .daily_cap = 10};
    EXPECT_EQ(check_recipient(q).code, "not_said");
}

} // namespace
} // namespace donna::relay
