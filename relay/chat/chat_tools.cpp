// chat_tools.cpp: the tools' table, their JSON schemas, and the arguments' validator.
// nlohmann/json is used through its non-throwing API only.
#include "chat/chat_tools.hpp"

#include "core/utf8.hpp"
#include "protocol/json_fields.hpp"

#include <algorithm>
#include <array>
#include <span>

namespace donna::relay {
namespace {

using json = nlohmann::json;

// line: one line of text; text: may hold newlines and tabs; email and phone: as checked below.
enum class field_kind { line, text, email, phone };

struct field_spec {
    std::string_view name;
    field_kind kind;
    bool required;
    std::size_t max_chars;
    std::string_view description;
};

struct tool_spec {
    chat_action action;
    std::string_view name;
    std::string_view description;
    std::span<const field_spec> fields;
};

constexpr std::string_view phone_pattern = "^\\+[1-9][0-9]{6,14}$";
constexpr std::string_view phone_rule =
    "a phone number in E.164 form, such as +15550100199 (a plus sign, the country code and the "
    "number, digits only)";

constexpr std::array take_message_fields{
    field_spec{"name", field_kind::line, true, max_name_chars, "The visitor's name."},
    field_spec{"message", field_kind::text, true, max_message_chars,
               "The message for the staff, in the visitor's words, with what they need."},
    field_spec{"phone", field_kind::phone, false, 16,
               "The visitor's phone number in E.164 form (+15550100199), if they gave one."},
    field_spec{"email", field_kind::email, false, max_email_chars,
               "The visitor's email address, if they gave one."},
};

constexpr std::array request_callback_fields{
    field_spec{"name", field_kind::line, true, max_name_chars, "The visitor's name."},
    field_spec{"phone", field_kind::phone, true, 16,
               "The number to call, in E.164 form (+15550100199); ask for the country code "
               "when unsure."},
    field_spec{"preferred_time", field_kind::line, false, max_note_chars,
               "When the visitor would like to be called, in their words (\"tomorrow "
               "morning\")."},
    field_spec{"reason", field_kind::text, false, max_note_chars,
               "What the call is about, in a sentence."},
};

constexpr std::array send_email_fields{
    field_spec{"to", field_kind::email, true, max_email_chars,
               "The recipient's email address, as the visitor confirmed it."},
    field_spec{"subject", field_kind::line, true, max_subject_chars, "The subject line."},
    field_spec{"body", field_kind::text, true, max_email_body_chars,
               "The email's plain-text body."},
};

constexpr std::array send_sms_fields{
    field_spec{"to", field_kind::phone, true, 16,
               "The recipient's phone number in E.164 form (+15550100199)."},
    field_spec{"body", field_kind::text, true, max_sms_chars, "The text of the message."},
};

constexpr std::array tool_table{
    tool_spec{chat_action::take_message, "take_message",
              "Take a message for the business's staff, who will follow up. Use it when the "
              "visitor wants to leave a message; ask for their name and the message, and a "
              "phone number or email address if they want an answer, then confirm before "
              "calling.",
              take_message_fields},
    tool_spec{chat_action::request_callback, "request_callback",
              "Ask the business's staff to call the visitor back. Needs the visitor's name and "
              "phone number; confirm the number before calling.",
              request_callback_fields},
    tool_spec{chat_action::send_email, "send_email",
              "Send an email on the business's behalf, such as the information the visitor "
              "asked for, to an address the visitor gave and confirmed. It is queued and sent "
              "shortly, not at once.",
              send_email_fields},
    tool_spec{chat_action::send_sms, "send_sms",
              "Send a text message (SMS) to a phone number the visitor gave and confirmed. It "
              "is queued and sent shortly, not at once.",
              send_sms_fields},
};

const tool_spec* find_tool(std::string_view name)
{
    const auto it = std::ranges::find(tool_table, name, &tool_spec::name);
    return it == tool_table.end() ? nullptr : &*it;
}

json field_schema(const field_spec& f)
{
    json schema = {{"type", "string"}, {"description", std::string(f.description)}};
    if (f.required)
        schema["minLength"] = 1;
    schema["maxLength"] = f.max_chars;
    if (f.kind == field_kind::phone)
        schema["pattern"] = std::string(phone_pattern);
    if (f.kind == field_kind::email)
        schema["format"] = "email";
    return schema;
}

json parameters_json(const tool_spec& tool)
{
    json properties = json::object();
    json required = json::array();
    for (const auto& f : tool.fields) {
        properties[std::string(f.name)] = field_schema(f);
        if (f.required)
            required.push_back(std::string(f.name));
    }
    return {{"type", "object"},
            {"properties", std::move(properties)},
            {"required", std::move(required)},
            {"additionalProperties", false}};
}

std::string_view trimmed(std::string_view text)
{
    constexpr std::string_view blanks = " \t\r\n";
    const auto first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos)
        return {};
    return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

bool has_control(std::string_view text, bool allow_layout)
{
    return std::ranges::any_of(text, [&](char c) {
        const auto u = static_cast<unsigned char>(c);
        if (allow_layout && (c == '\n' || c == '\r' || c == '\t'))
            return false;
        return u < 0x20U || u == 0x7FU;
    });
}

error refusal(errc code, const tool_spec& tool, std::string message)
{
    return make_error(code, std::string(tool.name) + ": " + std::move(message));
}

std::string field_names(const tool_spec& tool)
{
    std::string names;
    for (const auto& f : tool.fields)
        names += (names.empty() ? "" : ", ") + std::string(f.name);
    return names;
}

// One present, non-null value: an error, or the value to keep (trimmed; "" for a blank
// optional field, which counts as absent).
result<std::string> check_field(const tool_spec& tool, const field_spec& f, const json& value)
{
    const std::string quoted = "\"" + std::string(f.name) + "\"";
    if (!value.is_string())
        return refusal(errc::wrong_type, tool,
                       quoted + " must be a string, not " + json_kind_name(value));
    const auto text = trimmed(value.get_ref<const std::string&>());
    if (text.empty()) {
        if (f.required)
            return refusal(errc::missing_field, tool, quoted + " is empty");
        return std::string();
    }
    // A phone number's or an address's shape bounds its length (and says more than a count).
    const bool shaped = f.kind == field_kind::phone || f.kind == field_kind::email;
    if (const auto n = utf8_length(text); !shaped && n > f.max_chars)
        return refusal(errc::out_of_range, tool,
                       quoted + " has " + std::to_string(n) + " characters; at most " +
                           std::to_string(f.max_chars) + " are allowed");
    switch (f.kind) {
    case field_kind::phone:
        if (!is_e164_phone(text))
            return refusal(errc::invalid_argument, tool,
                           quoted + " must be " + std::string(phone_rule));
        break;
    case field_kind::email:
        if (!is_email_address(text))
            return refusal(errc::invalid_argument, tool,
                           quoted + " must be an email address such as name@example.com");
        break;
    case field_kind::line:
    case field_kind::text:
        if (has_control(text, f.kind == field_kind::text))
            return refusal(errc::invalid_argument, tool,
                           quoted + " holds control characters" +
                               (f.kind == field_kind::line ? " (it is one line of text)" : ""));
        break;
    }
    return std::string(text);
}

} // namespace

std::string_view to_string(chat_action action)
{
    switch (action) {
    case chat_action::take_message:
        return "take_message";
    case chat_action::request_callback:
        return "request_callback";
    case chat_action::send_email:
        return "send_email";
    case chat_action::send_sms:
        return "send_sms";
    }
    return "unknown";
}

std::optional<chat_action> chat_action_from_name(std::string_view name)
{
    if (const auto* tool = find_tool(name))
        return tool->action;
    return std::nullopt;
}

json chat_tools_json()
{
    json list = json::array();
    for (const auto& tool : tool_table)
        list.push_back({{"type", "function"},
                        {"function",
                         {{"name", std::string(tool.name)},
                          {"description", std::string(tool.description)},
                          {"parameters", parameters_json(tool)}}}});
    return list;
}

std::string_view actions_instructions()
{
    return " What you can do: take a message for the staff, ask the staff to call the caller "
           "back, and send the caller an email or a text message at the address or number "
           "they give you themselves. You cannot book appointments, reserve anything, set "
           "reminders or write to anyone else: for those, take a message or request a "
           "callback. Say something was saved or sent only when the tool's result says so, "
           "in its words: a queued email has not arrived yet.";
}

json realtime_tools_json()
{
    json list = json::array();
    for (const auto& tool : tool_table)
        list.push_back({{"type", "function"},
                        {"name", std::string(tool.name)},
                        {"description", std::string(tool.description)},
                        {"parameters", parameters_json(tool)}});
    return list;
}

std::string chat_tool_arguments::field(std::string_view name) const
{
    const auto it = std::ranges::find(fields, name, [](const auto& f) { return f.first; });
    return it == fields.end() ? std::string() : it->second;
}

std::string chat_tool_arguments::fields_json() const
{
    json object = json::object();
    for (const auto& [name, value] : fields)
        object[name] = value;
    return dump_json(object);
}

result<chat_tool_arguments> validate_tool_call(std::string_view name, std::string_view arguments)
{
    const auto* tool = find_tool(name);
    if (tool == nullptr)
        return make_error(errc::not_found, "there is no tool " + quoted_excerpt(name, 40) +
                                               "; the tools are take_message, request_callback, "
                                               "send_email and send_sms");
    const auto doc = json::parse(arguments, nullptr, false);
    if (doc.is_discarded())
        return refusal(errc::invalid_json, *tool, "the arguments are not valid JSON");
    if (!doc.is_object())
        return refusal(errc::not_an_object, *tool,
                       std::string("the arguments must be a JSON object, not ") +
                           json_kind_name(doc));
    for (const auto& [key, value] : doc.items()) {
        if (std::ranges::find(tool->fields, key, &field_spec::name) == tool->fields.end())
            return refusal(errc::invalid_argument, *tool,
                           "unknown field " + quoted_excerpt(key, 40) + "; the fields are " +
                               field_names(*tool));
    }
    chat_tool_arguments out;
    out.action = tool->action;
    for (const auto& f : tool->fields) {
        const auto it = doc.find(f.name);
        if (it == doc.end() || it->is_null()) {
            if (f.required)
                return refusal(errc::missing_field, *tool,
                               "\"" + std::string(f.name) + "\" is required");
            continue;
        }
        auto value = check_field(*tool, f, *it);
        if (!value)
            return value.error();
        if (!value->empty())
            out.fields.emplace_back(std::string(f.name), std::move(*value));
    }
    return out;
}

} // namespace donna::relay
