// phone_tools.cpp: the two tools' schemas and their arguments' check.
#include "realtime/phone_tools.hpp"

#include "core/utf8.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {

std::string_view to_string(phone_tool tool)
{
    return tool == phone_tool::transfer_call ? "transfer_call" : "end_call";
}

std::optional<phone_tool> phone_tool_named(std::string_view name)
{
    if (name == "transfer_call")
        return phone_tool::transfer_call;
    if (name == "end_call")
        return phone_tool::end_call;
    return std::nullopt;
}

nlohmann::json phone_tools_json()
{
    using pjson = nlohmann::json;
    return pjson::array(
        {{{"type", "function"},
          {"name", "transfer_call"},
          {"description",
           "Put the caller through to a person at the business. Use it when the caller asks "
           "for a person, or needs what only the staff can do and wants to speak to them now. "
           "After calling it, say one short sentence telling the caller you are putting them "
           "through, and nothing else."},
          {"parameters",
           {{"type", "object"},
            {"properties",
             {{"reason",
               {{"type", "string"},
                {"maxLength", max_transfer_reason_chars},
                {"description", "What the caller wants from the person, in one short sentence, "
                                "for the person who answers."}}}}},
            {"additionalProperties", false}}}},
         {{"type", "function"},
          {"name", "end_call"},
          {"description",
           "Hang up. Use it only when the conversation is over: the caller said goodbye or "
           "has nothing more to ask. After calling it, say a short goodbye, and nothing else."},
          {"parameters",
           {{"type", "object"},
            {"properties", pjson::object()},
            {"additionalProperties", false}}}}});
}

std::string_view phone_tools_instructions()
{
    return " You are speaking with a caller on the phone: keep answers short and spoken, never "
           "read out links or lists. You can put the caller through to a person (transfer_call) "
           "and end the call once it is over (end_call). When nobody can take the call, offer "
           "to take a message or arrange a callback.";
}

result<phone_tool_arguments> read_phone_tool_call(phone_tool tool, std::string_view arguments)
{
    const auto text = arguments.empty() ? std::string_view("{}") : arguments;
    const auto object = nlohmann::json::parse(text, nullptr, false);
    if (object.is_discarded())
        return make_error(errc::invalid_json, "the arguments are not JSON");
    if (!object.is_object())
        return make_error(errc::not_an_object, "the arguments are not a JSON object");
    phone_tool_arguments out{.tool = tool, .reason = {}};
    for (const auto& [name, value] : object.items()) {
        if (name != "reason" || tool != phone_tool::transfer_call)
            return make_error(errc::invalid_argument, std::string(to_string(tool)) +
                                                          " takes no field " + name.substr(0, 40));
        if (value.is_null())
            continue;
        if (!value.is_string())
            return make_error(errc::wrong_type, "reason must be a string");
        const auto& reason = value.get_ref<const std::string&>();
        if (utf8_length(reason) > max_transfer_reason_chars)
            return make_error(errc::out_of_range, "reason is longer than " +
                                                      std::to_string(max_transfer_reason_chars) +
                                                      " characters");
        out.reason = reason;
    }
    return out;
}

} // namespace donna::relay
