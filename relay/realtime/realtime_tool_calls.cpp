// realtime_tool_calls.cpp: function calls read from the few upstream events that carry them;
// every other event (audio deltas are most of them) is passed over on its type alone.
#include "realtime/realtime_tool_calls.hpp"

#include "chat/chat_actions.hpp"
#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace donna::relay {
namespace {

using json = nlohmann::json;

std::string string_field(const json& object, const char* name)
{
    const auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A function_call item ({"type":"function_call","call_id","name","arguments"}) as a call;
// empty call_id when the item is something else.
chat_tool_call call_of_item(const json& item)
{
    if (!item.is_object() || string_field(item, "type") != "function_call")
        return {};
    return {string_field(item, "call_id"), string_field(item, "name"),
            string_field(item, "arguments")};
}

bool is_one_of(std::string_view type, std::initializer_list<std::string_view> types)
{
    return std::ranges::find(types, type) != types.end();
}

} // namespace

realtime_tool_calls::step realtime_tool_calls::on_upstream_event(std::string_view type,
                                                                 std::string_view text)
{
    step out;
    if (!is_one_of(type, {"response.created", "response.output_item.added",
                          "response.function_call_arguments.done", "response.output_item.done",
                          "response.done", "input_audio_buffer.committed"}))
        return out;
    if (type == "input_audio_buffer.committed") {
        visitor_turn(); // the visitor's speech became an item: a new turn
        return out;
    }
    if (type == "response.created") {
        ++responses_open_;
        out.response_started = true;
        return out;
    }
    const auto event = json::parse(text, nullptr, false);
    if (!event.is_object())
        return out;
    if (type == "response.output_item.added") {
        const auto item = event.find("item");
        if (item != event.end()) {
            auto call = call_of_item(*item);
            if (!call.id.empty() && opened_.size() < 64)
                opened_.emplace_back(std::move(call.id), std::move(call.name));
        }
    } else if (type == "response.function_call_arguments.done") {
        chat_tool_call call{string_field(event, "call_id"), string_field(event, "name"),
                            string_field(event, "arguments")};
        if (call.name.empty()) { // beta: named by the item that opened it
            const auto it =
                std::ranges::find(opened_, call.id, [](const auto& entry) { return entry.first; });
            if (it != opened_.end())
                call.name = it->second;
        }
        complete(out, std::move(call));
    } else if (type == "response.output_item.done") {
        if (const auto item = event.find("item"); item != event.end())
            complete(out, call_of_item(*item));
    } else if (type == "response.done") {
        const auto response = event.find("response");
        if (response != event.end() && response->is_object()) {
            const auto output = response->find("output");
            if (output != response->end() && output->is_array())
                for (const auto& item : *output)
                    complete(out, call_of_item(item));
        }
        out.response_finished = true;
        if (responses_open_ > 0)
            --responses_open_;
        if (called_in_response_) {
            out.continue_response = true;
            called_in_response_ = false;
            ++rounds_this_turn_;
        }
        if (responses_open_ == 0) {
            opened_.clear();
            seen_.clear(); // no later event names a call of a finished response
        }
    }
    return out;
}

void realtime_tool_calls::complete(step& out, chat_tool_call call)
{
    if (call.id.empty() || !seen_.insert(call.id).second)
        return;
    called_in_response_ = true;
    out.ready.push_back(std::move(call));
}

void realtime_tool_calls::visitor_turn()
{
    calls_this_turn_ = 0;
    rounds_this_turn_ = 0;
}

bool realtime_tool_calls::admit_call()
{
    if (calls_this_turn_ >= max_tool_calls_per_turn)
        return false;
    ++calls_this_turn_;
    return true;
}

bool realtime_tool_calls::tools_final() const
{
    return rounds_this_turn_ >= max_tool_rounds;
}

std::string function_call_output_event(const std::string& call_id, const std::string& output)
{
    return dump_json(
        {{"type", "conversation.item.create"},
         {"item", {{"type", "function_call_output"}, {"call_id", call_id}, {"output", output}}}});
}

std::string continue_response_event(bool tools_final)
{
    json event = {{"type", "response.create"}};
    if (tools_final)
        event["response"] = {{"tool_choice", "none"}};
    return dump_json(event);
}

} // namespace donna::relay
