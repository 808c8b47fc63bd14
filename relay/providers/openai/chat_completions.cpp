// chat_completions.cpp: request bodies and answer decoding. nlohmann/json is used through its
// non-throwing API only (the relay shares inline functions with the exception-free shared/).
#include "providers/openai/chat_completions.hpp"

#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

long number_member(const json& object, std::string_view name)
{
    const auto* m = json_member(object, name);
    return m && m->is_number_integer() ? m->get<long>() : 0;
}

void read_usage(const json& object, chat_completion_result& r)
{
    if (const auto* usage = json_member(object, "usage"); usage && usage->is_object()) {
        r.prompt_tokens = number_member(*usage, "prompt_tokens");
        r.completion_tokens = number_member(*usage, "completion_tokens");
        if (const auto* details = json_member(*usage, "prompt_tokens_details");
            details && details->is_object())
            r.cached_prompt_tokens = number_member(*details, "cached_tokens");
    }
}

// tool_calls items: whole ones (a chat.completion) or fragments by index (a stream).
void merge_tool_calls(const json& calls, std::vector<chat_tool_call>& into)
{
    if (!calls.is_array())
        return;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const auto& call = calls[i];
        const auto* index_field = json_member(call, "index");
        const std::size_t index =
            index_field && index_field->is_number_unsigned() ? index_field->get<std::size_t>() : i;
        if (index > 64)
            continue; // no model makes 65 calls in one answer; do not allocate for one that says so
        if (into.size() <= index)
            into.resize(index + 1);
        auto& target = into[index];
        if (const auto id = json_string_member(call, "id"); !id.empty())
            target.id = id;
        if (const auto* function = json_member(call, "function")) {
            if (const auto name = json_string_member(*function, "name"); !name.empty())
                target.name = name;
            target.arguments += json_string_member(*function, "arguments");
        }
    }
}

json message_json(const chat_message& m)
{
    if (m.role == "tool")
        return {{"role", "tool"}, {"tool_call_id", m.tool_call_id}, {"content", m.content}};
    if (m.tool_calls.empty())
        return {{"role", m.role}, {"content", m.content}};
    json calls = json::array();
    for (const auto& call : m.tool_calls)
        calls.push_back({{"id", call.id},
                         {"type", "function"},
                         {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
    return {{"role", m.role},
            {"content", m.content.empty() ? json(nullptr) : json(m.content)},
            {"tool_calls", std::move(calls)}};
}

} // namespace

std::string chat_completions_body(const chat_completions_params& params)
{
    json messages = json::array();
    for (const auto& m : params.messages)
        messages.push_back(message_json(m));
    json body = {{"model", params.model},
                 {"messages", std::move(messages)},
                 {"max_completion_tokens", params.max_completion_tokens},
                 {"stream", params.stream}};
    if (!params.reasoning_effort.empty())
        body["reasoning_effort"] = params.reasoning_effort;
    if (params.reasoning_effort.empty() || params.reasoning_effort == "none")
        body["temperature"] = params.temperature;
    if (params.stream)
        body["stream_options"] = {{"include_usage", true}};
    if (params.tools != nullptr) {
        body["tools"] = *params.tools;
        body["tool_choice"] = params.tools_final ? "none" : "auto";
    }
    return dump_json(body);
}

result<chat_completion_result> parse_chat_completion(std::string_view body)
{
    const auto doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return make_error(errc::invalid_json, "the chat completion is not a JSON object");
    const auto* choices = json_member(doc, "choices");
    if (!choices || !choices->is_array() || choices->empty())
        return make_error(errc::missing_field, "the chat completion has no choices");
    chat_completion_result r;
    r.model = json_string_member(doc, "model");
    const auto& choice = (*choices)[0];
    r.finish_reason = json_string_member(choice, "finish_reason");
    if (const auto* message = json_member(choice, "message")) {
        r.text = json_string_member(*message, "content");
        if (const auto* calls = json_member(*message, "tool_calls"))
            merge_tool_calls(*calls, r.tool_calls);
    }
    read_usage(doc, r);
    return r;
}

std::string openai_error_message(std::string_view body)
{
    const auto doc = json::parse(body, nullptr, false);
    if (const auto* e = json_member(doc, "error"))
        return json_string_member(*e, "message");
    return {};
}

result<std::string> chat_stream_decoder::on_event(const sse_event& event)
{
    if (event.data == "[DONE]") {
        done_ = true;
        return std::string();
    }
    const auto chunk = json::parse(event.data, nullptr, false);
    if (chunk.is_discarded() || !chunk.is_object())
        return make_error(errc::invalid_json, "the stream sent a chunk that is not JSON");
    if (const auto* e = json_member(chunk, "error"); e || event.event == "error") {
        const auto message = e ? json_string_member(*e, "message") : std::string();
        return make_error(errc::upstream_unavailable,
                          "the chat stream failed: " +
                              (message.empty() ? std::string("error event") : message));
    }
    if (result_.model.empty())
        result_.model = json_string_member(chunk, "model");
    read_usage(chunk, result_);
    std::string delta_text;
    if (const auto* choices = json_member(chunk, "choices"); choices && choices->is_array()) {
        for (const auto& choice : *choices) {
            if (const auto reason = json_string_member(choice, "finish_reason"); !reason.empty())
                result_.finish_reason = reason;
            const auto* delta = json_member(choice, "delta");
            if (!delta)
                continue;
            delta_text += json_string_member(*delta, "content");
            if (const auto* calls = json_member(*delta, "tool_calls"))
                merge_tool_calls(*calls, result_.tool_calls);
        }
    }
    result_.text += delta_text;
    return delta_text;
}

} // namespace donna::relay
