// recipient_policy.hpp: whom DONNA may email or text on a visitor's word. Pure logic: no I/O
// (the caller counts the day's messages and knows which address the conversation used).
//
//   visitor_contacts heard;
//   heard.heard("my email is ana dot lopez at example dot com");   // every visitor turn
//   auto verdict = check_recipient({.channel = contact_channel::email,
//                                   .recipient = "ana.lopez@example.com",
//                                   .heard = &heard, .staff = site_staff,
//                                   .used_by_conversation = {}, .sent_today = 3,
//                                   .daily_cap = 100});
//   if (!verdict.allowed) tell_the_model(verdict.reason);    // a sentence DONNA can say
//
// The rules, in order:
//   1. The site's staff (the sites file's staff_emails, staff_phones) may always be written to.
//   2. The site's daily cap for the channel (sites file daily_email_cap, daily_sms_cap) holds
//      for everyone else: past it, nothing more goes out that day (UTC).
//   3. Anyone else must be the visitor: the address or number must be one the visitor said
//      or wrote in this conversation. Addresses are found in the visitor's words as typed
//      ("ana@example.com") or as spoken in a transcript ("ana dot lopez at example dot com");
//      a number counts when the digits the visitor said (7 or more, with spaces, dashes, dots
//      or brackets between them) end the recipient's E.164 digits.
//   4. One address (and one number) per conversation: once DONNA wrote to the visitor at one,
//      another is refused. The relay cannot tell whose an address is; this rule is what keeps
//      a visitor from having DONNA write to people who never spoke to her: at most one
//      outside address per conversation, and at most the cap per day per site.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

enum class contact_channel { email, sms };

// What the visitor said or wrote in one conversation: the email addresses (lower-case) and
// the digit runs (7 to 15 digits) in it. Bounded: a conversation keeps the last 16 of each.
class visitor_contacts {
public:
    void heard(std::string_view visitor_words);
    bool said_email(std::string_view address) const;
    bool said_phone(std::string_view e164) const;
    const std::vector<std::string>& emails() const { return emails_; }

private:
    std::vector<std::string> emails_;
    std::vector<std::string> digit_runs_;
};

struct recipient_question {
    contact_channel channel = contact_channel::email;
    std::string recipient;                              // an email address or an E.164 number
    const visitor_contacts* heard = nullptr;            // null: the visitor said nothing yet
    std::vector<std::string> staff = {};                // the site's staff addresses or numbers
    std::vector<std::string> used_by_conversation = {}; // recipients this conversation wrote to
    std::size_t sent_today = 0;                         // the site's messages of this channel today
    std::size_t daily_cap = 0;
};

struct recipient_verdict {
    bool allowed = false;
    bool staff = false;
    std::string code;   // when refused: not_said, one_per_conversation, daily_cap
    std::string reason; // when refused: what DONNA can tell the visitor, as is
};

recipient_verdict check_recipient(const recipient_question& q);

} // namespace donna::relay
