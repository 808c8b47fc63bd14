// contact_address.hpp: the shapes of the addresses DONNA may write to: an email address as
// a person types it (local@domain.tld, no comments, no quoted local parts, no IP literals) and
// a phone number in E.164 form. What passes cannot carry a line break or anything else that
// could change a mail header or an API call it is put in.
#pragma once

#include <cstddef>
#include <string_view>

namespace donna {

inline constexpr std::size_t max_email_address_chars = 254; // RFC 5321's path limit

// local@domain: a dot-atom local part of at most 64 characters (letters, digits and
// !#$%&'*+/=?^_`{|}~.- , no leading, trailing or doubled dot), and a domain of at least two
// labels of letters, digits and hyphens (no label starting or ending with one), the last not
// numeric and at least two characters long.
bool is_email_address(std::string_view text);

// +, then 7 to 15 digits, the first not 0.
bool is_e164_phone(std::string_view text);

} // namespace donna
