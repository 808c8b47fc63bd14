// chat_completion.cpp: request bodies and answer decoding. nlohmann/json is used through its
// non-throwing API only (the relay shares inline functions with the exception-free shared/).
#include "chat/chat_completion.hpp"

#include "chat/chat_tools.hpp"
#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

const json* member(const json& object, std::string_view name)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

std::string string_member(const json& object, std::string_view name)
{
    const auto* m = member(object, name);
    return m && m->is_string() ? m->get<std::string>() : std::string();
}

long number_member(const json& object, std::string_view name)
{
    const auto* m = member(object, name);
    return m && m->is_number_integer() ? m->get<long>() : 0;
}

void read_usage(const json& object, chat_completion_result& r)
{
    if (const auto* usage = member(object, "usage"); usage && usage->is_object()) {
        r.prompt_tokens = number_member(*usage, "prompt_tokens");
        r.completion_tokens = number_member(*usage, "completion_tokens");
        if (const auto* details = member(*usage, "prompt_tokens_details");
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
        const auto* index_field = member(call, "index");
        const std::size_t index =
            index_field && index_field->is_number_unsigned() ? index_field->get<std::size_t>() : i;
        if (index > 64)
            continue; // no model makes 65 calls in one answer; do not allocate for one that says so
        if (into.size() <= index)
            into.resize(index + 1);
        auto& target = into[index];
        if (const auto id = string_member(call, "id"); !id.empty())
            target.id = id;
        if (const auto* function = member(call, "function")) {
            if (const auto name = string_member(*function, "name"); !name.empty())
                target.name = name;
            target.arguments += string_member(*function, "arguments");
        }
    }
}

// Each round: the assistant message that made the calls, then one tool message per call
// (the API refuses a tool message whose id no preceding assistant message called).
void add_tool_rounds(const std::vector<chat_tool_round>& rounds, json& messages)
{
    for (const auto& round : rounds) {
        json calls = json::array();
        for (const auto& call : round.calls)
            calls.push_back({{"id", call.id},
                             {"type", "function"},
                             {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
        messages.push_back({{"role", "assistant"},
                            {"content", round.text.empty() ? json(nullptr) : json(round.text)},
                            {"tool_calls", std::move(calls)}});
        for (const auto& call : round.calls)
            messages.push_back(
                {{"role", "tool"}, {"tool_call_id", call.id}, {"content", call.result}});
    }
}

} // namespace

std::string chat_request_body(const persona_profile& persona, const chat_history& history,
                              const chat_request_options& options)
{
    json messages = json::array();
    std::string system = persona.instructions;
    if (!options.extra_system.empty())
        system += "\n\n" + options.extra_system;
    messages.push_back({{"role", "system"}, {"content", system}});
    for (const auto& turn : history.turns()) {
        add_tool_rounds(turn.tool_rounds, messages);
        messages.push_back({{"role", std::string(to_string(turn.role))}, {"content", turn.text}});
    }
    add_tool_rounds(options.pending, messages);
    json body = {{"model", persona.chat_model},
                 {"messages", std::move(messages)},
                 // Not max_tokens: reasoning models refuse it, and every chat model since
                 // 2024 takes max_completion_tokens (the API reference marks max_tokens
                 // deprecated).
                 {"max_completion_tokens", persona.max_tokens},
                 {"stream", options.stream}};
    // A reasoning model that thinks refuses temperature ("When reasoning effort is not none,
    // remove temperature": OpenAI's deployment checklist); one that does not, or a model from
    // before reasoning, takes it.
    if (!persona.reasoning_effort.empty())
        body["reasoning_effort"] = persona.reasoning_effort;
    if (persona.reasoning_effort.empty() || persona.reasoning_effort == "none")
        body["temperature"] = persona.temperature;
    if (options.stream)
        body["stream_options"] = {{"include_usage", true}};
    if (options.offer_tools) {
        body["tools"] = chat_tools_json();
        body["tool_choice"] = options.tools_final ? "none" : "auto";
    }
    return dump_json(body);
}

result<chat_completion_result> parse_chat_completion(std::string_view body)
{
    const auto doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return make_error(errc::invalid_json, "the chat completion is not a JSON object");
    const auto* choices = member(doc, "choices");
    if (!choices || !choices->is_array() || choices->empty())
        return make_error(errc::missing_field, "the chat completion has no choices");
    chat_completion_result r;
    r.model = string_member(doc, "model");
    const auto& choice = (*choices)[0];
    r.finish_reason = string_member(choice, "finish_reason");
    if (const auto* message = member(choice, "message")) {
        r.text = string_member(*message, "content");
        if (const auto* calls = member(*message, "tool_calls"))
            merge_tool_calls(*calls, r.tool_calls);
    }
    read_usage(doc, r);
    return r;
}

std::string openai_error_message(std::string_view body)
{
    const auto doc = json::parse(body, nullptr, false);
    if (const auto* e = member(doc, "error"))
        return string_member(*e, "message");
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
    if (const auto* e = member(chunk, "error"); e || event.event == "error") {
        const auto message = e ? string_member(*e, "message") : std::string();
        return make_error(errc::upstream_unavailable,
                          "the chat stream failed: " +
                              (message.empty() ? std::string("error event") : message));
    }
    if (result_.model.empty())
        result_.model = string_member(chunk, "model");
    read_usage(chunk, result_);
    std::string delta_text;
    if (const auto* choices = member(chunk, "choices"); choices && choices->is_array()) {
        for (const auto& choice : *choices) {
            if (const auto reason = string_member(choice, "finish_reason"); !reason.empty())
                result_.finish_reason = reason;
            const auto* delta = member(choice, "delta");
            if (!delta)
                continue;
            delta_text += string_member(*delta, "content");
            if (const auto* calls = member(*delta, "tool_calls"))
                merge_tool_calls(*calls, result_.tool_calls);
        }
    }
    result_.text += delta_text;
    return delta_text;
}

} // namespace donna::relay
