// recipient_policy.cpp: addresses and numbers found in what a visitor said, and the rules.
#include "policy/recipient_policy.hpp"

#include <algorithm>
#include <cctype>

namespace donna::relay {
namespace {

constexpr std::size_t kept = 16; // addresses and digit runs remembered per conversation

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return out;
}

// Spoken forms as written ones: " at " -> "@", " dot " -> ".", and the blanks around an "@"
// or a "." between words dropped ("ana @ example . com").
std::string written_form(std::string_view words)
{
    std::string text = " " + lower(words) + " ";
    const auto replace_all = [&](std::string_view from, std::string_view to) {
        std::size_t at = 0;
        while ((at = text.find(from, at)) != std::string::npos) {
            text.replace(at, from.size(), to);
            at += to.size();
        }
    };
    replace_all(" at ", " @ ");
    replace_all(" dot ", " . ");
    replace_all(" @ ", "@");
    replace_all(" @", "@");
    replace_all("@ ", "@");
    // A spoken " . " joins only when both sides are words of an address being spelled.
    replace_all(" . ", ".");
    return text;
}

bool local_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("._%+-'").find(c) != std::string_view::npos;
}

bool domain_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

template <class T>
void remember(std::vector<T>& list, T value)
{
    if (std::find(list.begin(), list.end(), value) != list.end())
        return;
    if (list.size() >= kept)
        list.erase(list.begin());
    list.push_back(std::move(value));
}

std::string digits_of(std::string_view text)
{
    std::string out;
    for (const char c : text)
        if (c >= '0' && c <= '9')
            out += c;
    return out;
}

bool listed(const std::vector<std::string>& list, std::string_view value)
{
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& entry) { return lower(entry) == lower(value); });
}

recipient_verdict refused(std::string code, std::string reason)
{
    return {false, false, std::move(code), std::move(reason)};
}

} // namespace

void visitor_contacts::heard(std::string_view visitor_words)
{
    const auto text = written_form(visitor_words);
    for (std::size_t at = text.find('@'); at != std::string::npos; at = text.find('@', at + 1)) {
        std::size_t begin = at;
        while (begin > 0 && local_char(text[begin - 1]))
            --begin;
        std::size_t end = at + 1;
        while (end < text.size() && domain_char(text[end]))
            ++end;
        auto address = text.substr(begin, end - begin);
        while (!address.empty() && (address.back() == '.' || address.back() == '-'))
            address.pop_back(); // the sentence's full stop
        while (!address.empty() && (address.front() == '.' || address.front() == '\''))
            address.erase(address.begin());
        if (address.find('@') != 0 && address.find('@') + 1 < address.size())
            remember(emails_, std::move(address));
    }
    // Digit runs: digits with blanks, dashes, dots, brackets or a plus between them.
    std::string run;
    const auto flush = [&] {
        const auto digits = digits_of(run);
        if (digits.size() >= 7 && digits.size() <= 15)
            remember(digit_runs_, digits);
        run.clear();
    };
    for (const char c : visitor_words) {
        if ((c >= '0' && c <= '9') ||
            (!run.empty() && std::string_view(" -.()+").find(c) != std::string_view::npos) ||
            (run.empty() && c == '+'))
            run += c;
        else
            flush();
    }
    flush();
}

bool visitor_contacts::said_email(std::string_view address) const
{
    return listed(emails_, address);
}

bool visitor_contacts::said_phone(std::string_view e164) const
{
    const auto digits = digits_of(e164);
    return std::any_of(digit_runs_.begin(), digit_runs_.end(), [&](const std::string& run) {
        return run.size() >= 7 && digits.size() >= run.size() &&
               digits.compare(digits.size() - run.size(), run.size(), run) == 0;
    });
}

recipient_verdict check_recipient(const recipient_question& q)
{
    const bool email = q.channel == contact_channel::email;
    if (listed(q.staff, q.recipient))
        return {true, true, "", ""};
    if (q.sent_today >= q.daily_cap)
        return refused("daily_cap",
                       std::string("I can't send any more ") +
                           (email ? "emails" : "text messages") +
                           " today; the business has reached its daily limit. I can take a "
                           "message for the staff instead.");
    const bool said = q.heard != nullptr &&
                      (email ? q.heard->said_email(q.recipient) : q.heard->said_phone(q.recipient));
    if (!said)
        return refused("not_said", email
                                       ? "I can only email an address you give me yourself in this "
                                         "conversation. Could you tell me your email address?"
                                       : "I can only text a number you give me yourself in this "
                                         "conversation. Could you tell me your phone number?");
    const bool other_used = std::any_of(
        q.used_by_conversation.begin(), q.used_by_conversation.end(), [&](const std::string& used) {
            return lower(used) != lower(q.recipient) && !listed(q.staff, used);
        });
    if (other_used)
        return refused("one_per_conversation",
                       email ? "I can only send emails to one address of yours per "
                               "conversation, and I have already used another one."
                             : "I can only send texts to one number of yours per conversation, "
                               "and I have already used another one.");
    return {true, false, "", ""};
}

} // namespace donna::relay
