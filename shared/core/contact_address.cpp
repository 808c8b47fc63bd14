// contact_address.cpp: the two checks, by hand: the shapes are small and fixed. (std::all_of,
// not std::ranges: Emscripten's libc++ has no ranges algorithms.)
#include "core/contact_address.hpp"

#include <algorithm>

namespace donna {
namespace {

bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_domain(std::string_view domain)
{
    if (domain.empty() || domain.size() > 253)
        return false;
    std::size_t labels = 0;
    std::string_view last;
    while (!domain.empty()) {
        const auto dot = domain.find('.');
        const auto label = domain.substr(0, dot);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
            !std::all_of(label.begin(), label.end(),
                         [](char c) { return is_alnum(c) || c == '-'; }))
            return false;
        ++labels;
        last = label;
        if (dot == std::string_view::npos)
            break;
        domain.remove_prefix(dot + 1);
        if (domain.empty())
            return false; // a trailing dot
    }
    const bool numeric_tld =
        std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
    return labels >= 2 && last.size() >= 2 && !numeric_tld;
}

} // namespace

bool is_e164_phone(std::string_view text)
{
    if (text.size() < 8 || text.size() > 16 || text.front() != '+' || text[1] == '0')
        return false;
    const auto digits = text.substr(1);
    return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_email_address(std::string_view text)
{
    if (text.size() > max_email_address_chars)
        return false;
    const auto at = text.find('@');
    if (at == std::string_view::npos || at == 0 || at > 64 || text.rfind('@') != at)
        return false;
    const auto local = text.substr(0, at);
    constexpr std::string_view specials = "!#$%&'*+/=?^_`{|}~.-";
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return false;
    if (!std::all_of(local.begin(), local.end(), [&](char c) {
            return is_alnum(c) || specials.find(c) != std::string_view::npos;
        }))
        return false;
    return is_domain(text.substr(at + 1));
}

} // namespace donna
