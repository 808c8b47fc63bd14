// transcript.cpp: which server event changes which line.
#include "client/transcript.hpp"

#include <type_traits>
#include <utility>

namespace donna::client {
namespace {

using json = nlohmann::json;

std::string_view string_field(const json& object, const char* name)
{
    const auto it = object.find(name);
    if (it == object.end() || !it->is_string())
        return {};
    return it->get_ref<const std::string&>();
}

} // namespace

void transcript::push(transcript_line line)
{
    lines_.push_back(std::move(line));
    while (lines_.size() > max_lines)
        lines_.pop_front();
    ++revision_;
}

transcript_line* transcript::find(std::string_view item_id)
{
    if (item_id.empty())
        return nullptr;
    // Newest first: the line being streamed is almost always the last one.
    for (auto it = lines_.rbegin(); it != lines_.rend(); ++it)
        if (it->item_id == item_id)
            return &*it;
    return nullptr;
}

transcript_line& transcript::line_for(std::string_view item_id, speaker who)
{
    if (auto* line = find(item_id))
        return *line;
    push({.item_id = std::string(item_id), .who = who, .streaming = true});
    return lines_.back();
}

void transcript::add_visitor_text(std::string text)
{
    push({.who = speaker::visitor, .text = std::move(text)});
}

void transcript::add_donna_text(std::string text)
{
    push({.who = speaker::donna, .text = std::move(text)});
}

void transcript::add_notice(std::string text)
{
    push({.who = speaker::notice, .text = std::move(text)});
}

void transcript::add_error(std::string code, std::string message)
{
    // The same failure repeated (a reconnect loop) stays one banner.
    for (const auto& e : errors_)
        if (e.code == code && e.message == message)
            return;
    errors_.push_back({.code = std::move(code), .message = std::move(message)});
    while (errors_.size() > max_banners)
        errors_.pop_front();
    ++revision_;
}

void transcript::dismiss_error(std::size_t index)
{
    if (index >= errors_.size())
        return;
    errors_.erase(errors_.begin() + static_cast<std::ptrdiff_t>(index));
    ++revision_;
}

void transcript::apply(const parsed_realtime_event& parsed)
{
    std::visit(
        [&](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, text_delta>) {
                auto& line = line_for(e.item_id, speaker::donna);
                line.text += e.delta;
                line.streaming = true;
                ++revision_;
            } else if constexpr (std::is_same_v<T, input_transcription_delta>) {
                auto& line = line_for(e.item_id, speaker::visitor);
                if (line.text == pending_speech)
                    line.text.clear();
                line.text += e.delta;
                ++revision_;
            } else if constexpr (std::is_same_v<T, input_transcription_completed>) {
                auto& line = line_for(e.item_id, speaker::visitor);
                line.text = e.transcript;
                line.streaming = false;
                ++revision_;
            } else if constexpr (std::is_same_v<T, error_event>) {
                add_error(e.code.value_or(e.type), e.message);
            } else if constexpr (std::is_same_v<T, other_event>) {
                apply_other(e);
            }
        },
        parsed.event);
}

void transcript::apply_other(const other_event& e)
{
    switch (e.type) {
    case realtime_event_type::input_audio_buffer_committed: {
        // The visitor's spoken turn: a line now, so the answer comes after it.
        auto& line = line_for(string_field(e.body, "item_id"), speaker::visitor);
        if (line.text.empty())
            line.text = pending_speech;
        ++revision_;
        break;
    }
    case realtime_event_type::conversation_item_input_audio_transcription_failed: {
        if (auto* line = find(string_field(e.body, "item_id"))) {
            line->text = "(not understood)";
            line->streaming = false;
            ++revision_;
        }
        break;
    }
    case realtime_event_type::response_output_item_added: {
        const auto item = e.body.find("item");
        if (item == e.body.end() || !item->is_object() ||
            string_field(*item, "type") != "message" || string_field(*item, "role") != "assistant")
            break;
        line_for(string_field(*item, "id"), speaker::donna);
        ++revision_;
        break;
    }
    case realtime_event_type::response_output_audio_transcript_done:
    case realtime_event_type::response_output_text_done: {
        // The done event carries the whole text: it wins over deltas that were lost.
        const char* field =
            e.type == realtime_event_type::response_output_text_done ? "text" : "transcript";
        auto& line = line_for(string_field(e.body, "item_id"), speaker::donna);
        if (const auto it = e.body.find(field); it != e.body.end() && it->is_string())
            line.text = it->get<std::string>();
        line.streaming = false;
        ++revision_;
        break;
    }
    case realtime_event_type::response_done:
        for (auto& line : lines_)
            if (line.who == speaker::donna)
                line.streaming = false;
        ++revision_;
        break;
    case realtime_event_type::conversation_item_truncated:
        if (auto* line = find(string_field(e.body, "item_id"))) {
            line->interrupted = true;
            line->streaming = false;
            ++revision_;
        }
        break;
    default:
        break;
    }
}

void transcript::apply(const donna_event& event)
{
    std::visit(
        [&](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, donna_chat_delta>) {
                auto& line = line_for(e.id, speaker::donna);
                line.text += e.delta;
                ++revision_;
            } else if constexpr (std::is_same_v<T, donna_chat_message>) {
                auto& line =
                    line_for(e.id, e.role == chat_role::user ? speaker::visitor : speaker::donna);
                line.text = e.text;
                line.streaming = false;
                ++revision_;
            } else if constexpr (std::is_same_v<T, donna_error>) {
                add_error(e.code, e.message);
            }
        },
        event);
}

} // namespace donna::client
