// sms_keywords.hpp: the opt-out keywords of text messaging, recognised before DONNA's chat
// sees a text (CTIA's Messaging Principles and Best Practices: STOP and its synonyms end all
// messages, START re-subscribes, HELP gets the sender's contact information). A keyword is the
// whole text, any case, spaces and a final punctuation mark around it ignored: "stop",
// " Stop! " and "STOP." are STOP; "please stop texting me" goes to the chat, which is not an
// opt-out under the keyword rules (and DONNA's persona will answer it politely).
#pragma once

#include <string_view>

namespace donna::relay {

enum class sms_keyword { none, stop, start, help };

// STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE -> stop;
// START, UNSTOP, YES, SUBSCRIBE -> start; HELP, INFO -> help.
sms_keyword sms_keyword_of(std::string_view text);

} // namespace donna::relay
