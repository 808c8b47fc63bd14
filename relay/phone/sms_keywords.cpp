// sms_keywords.cpp: the keyword lists.
#include "phone/sms_keywords.hpp"

#include "core/ascii.hpp"

#include <array>
#include <string>
#include <utility>

namespace donna::relay {
namespace {

constexpr std::array<std::pair<std::string_view, sms_keyword>, 14> keywords = {{
    {"stop", sms_keyword::stop},
    {"stopall", sms_keyword::stop},
    {"unsubscribe", sms_keyword::stop},
    {"cancel", sms_keyword::stop},
    {"end", sms_keyword::stop},
    {"quit", sms_keyword::stop},
    {"optout", sms_keyword::stop},
    {"revoke", sms_keyword::stop},
    {"start", sms_keyword::start},
    {"unstop", sms_keyword::start},
    {"yes", sms_keyword::start},
    {"subscribe", sms_keyword::start},
    {"help", sms_keyword::help},
    {"info", sms_keyword::help},
}};

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

sms_keyword sms_keyword_of(std::string_view text)
{
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    if (!text.empty() && (text.back() == '.' || text.back() == '!'))
        text.remove_suffix(1);
    if (text.size() > 16)
        return sms_keyword::none;
    const auto word = ascii_lower(text);
    for (const auto& [name, keyword] : keywords)
        if (word == name)
            return keyword;
    return sms_keyword::none;
}

} // namespace donna::relay
