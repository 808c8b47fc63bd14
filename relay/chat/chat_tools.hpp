// chat_tools.hpp: the actions DONNA may take in the text chat and in voice (take_message, request_callback,
// send_email, send_sms): their definitions as OpenAI chat completions `tools` and as Realtime `session.tools`, and the check of
// the `arguments` text a model writes for one of them. Free of I/O: executing a call is
// chat/chat_actions' business.
//
//   body["tools"] = chat_tools_json();     // [{"type":"function","function":{...}}, ...]
//   session["tools"] = realtime_tools_json(); // [{"type":"function","name":...}, ...]
//   auto call = validate_tool_call("send_sms", R"({"to":"+15550100199","body":"Hi"})");
//   if (!call) tell_the_model(call.error().message);   // never names a value, only fields
//   else enqueue(call->action, call->field("to"));     // only known fields, all strings
//
// One table (chat_tools.cpp) describes each tool's fields; the JSON schema sent upstream and
// the validator are both made from it, so they cannot disagree. The schemas are not `strict`
// (structured outputs): strict mode requires every property to be required and limits the
// keywords, and the relay checks the arguments itself anyway, since a model may still write
// anything. What the validator refuses: text that is not JSON or not an object, unknown fields,
// a missing or blank required field, a value that is not a string (null counts as absent for an
// optional field), text over its length in characters, control characters (besides newlines
// and tabs in long text), an email address of the wrong shape, and a phone number not in E.164
// form (+, then 7 to 15 digits, the first not 0).
#pragma once

#include "core/contact_address.hpp" // is_email_address, is_e164_phone
#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace donna::relay {

enum class chat_action { take_message, request_callback, send_email, send_sms };

std::string_view to_string(chat_action action);
std::optional<chat_action> chat_action_from_name(std::string_view name);

// The four tools, as the `tools` member of a chat completions request
// ({"type":"function","function":{name, description, parameters}}).
nlohmann::json chat_tools_json();
// What DONNA can and cannot do with these tools, in words, appended to the persona's
// instructions wherever the tools are offered (the text chat, every voice session), so that
// no persona promises what no tool does (a booking, a reminder, a mail to a third party).
std::string_view actions_instructions();
// The same tools as a Realtime session's `session.tools` (GA and beta alike:
// {"type":"function", name, description, parameters}, flat).
nlohmann::json realtime_tools_json();

struct chat_tool_arguments {
    chat_action action = chat_action::take_message;
    // The given fields in the schema's order, trimmed (absent optional ones left out).
    std::vector<std::pair<std::string, std::string>> fields;

    // A field's value, "" when absent.
    std::string field(std::string_view name) const;
    // The fields as a JSON object's text.
    std::string fields_json() const;
};

// The model's call of `name` with `arguments` (the JSON text it wrote), checked against the
// tool's schema. Errors (the message names the field and the rule, never the value, so it can
// be logged and sent back to the model): not_found (no such tool), invalid_json,
// not_an_object, invalid_argument (unknown field, bad email or phone, control characters),
// missing_field, wrong_type, out_of_range (too long).
result<chat_tool_arguments> validate_tool_call(std::string_view name, std::string_view arguments);

// Limits of the fields, in characters (Unicode code points).
inline constexpr std::size_t max_name_chars = 100;
inline constexpr std::size_t max_message_chars = 2000;
inline constexpr std::size_t max_email_chars = max_email_address_chars;
inline constexpr std::size_t max_subject_chars = 200;
inline constexpr std::size_t max_email_body_chars = 5000;
inline constexpr std::size_t max_sms_chars = 1600; // ten concatenated segments
inline constexpr std::size_t max_note_chars = 500; // preferred_time, reason

} // namespace donna::relay
