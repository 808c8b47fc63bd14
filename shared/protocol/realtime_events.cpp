// realtime_events.cpp: Realtime event names (GA and beta), the typed events, the full parser
// and the DOM-free peek_event_type scanner.
//
// [SECTION] names   [SECTION] peek   [SECTION] typed events   [SECTION] parse and serialize
#include "protocol/realtime_events.hpp"

#include "protocol/json_fields.hpp"

#include <array>
#include <initializer_list>
#include <tuple>
#include <type_traits>

namespace donna {
namespace {

// ================================================================ [SECTION] names

struct name_entry {
    realtime_event_type type;
    std::string_view ga;
    std::string_view beta; // empty: same as ga
};

using t = realtime_event_type;
constexpr std::array<name_entry, realtime_event_type_count> names{{
    {t::session_update, "session.update", {}},
    {t::input_audio_buffer_append, "input_audio_buffer.append", {}},
    {t::input_audio_buffer_commit, "input_audio_buffer.commit", {}},
    {t::input_audio_buffer_clear, "input_audio_buffer.clear", {}},
    {t::output_audio_buffer_clear, "output_audio_buffer.clear", {}},
    {t::conversation_item_create, "conversation.item.create", {}},
    {t::conversation_item_delete, "conversation.item.delete", {}},
    {t::conversation_item_retrieve, "conversation.item.retrieve", {}},
    {t::conversation_item_truncate, "conversation.item.truncate", {}},
    {t::response_create, "response.create", {}},
    {t::response_cancel, "response.cancel", {}},
    {t::error, "error", {}},
    {t::session_created, "session.created", {}},
    {t::session_updated, "session.updated", {}},
    {t::input_audio_buffer_speech_started, "input_audio_buffer.speech_started", {}},
    {t::input_audio_buffer_speech_stopped, "input_audio_buffer.speech_stopped", {}},
    {t::input_audio_buffer_committed, "input_audio_buffer.committed", {}},
    {t::input_audio_buffer_cleared, "input_audio_buffer.cleared", {}},
    {t::input_audio_buffer_timeout_triggered, "input_audio_buffer.timeout_triggered", {}},
    {t::conversation_item_created, "conversation.item.created", {}},
    {t::conversation_item_added, "conversation.item.added", {}},
    {t::conversation_item_done, "conversation.item.done", {}},
    {t::conversation_item_retrieved, "conversation.item.retrieved", {}},
    {t::conversation_item_truncated, "conversation.item.truncated", {}},
    {t::conversation_item_deleted, "conversation.item.deleted", {}},
    {t::conversation_item_input_audio_transcription_delta,
     "conversation.item.input_audio_transcription.delta",
     {}},
    {t::conversation_item_input_audio_transcription_completed,
     "conversation.item.input_audio_transcription.completed",
     {}},
    {t::conversation_item_input_audio_transcription_segment,
     "conversation.item.input_audio_transcription.segment",
     {}},
    {t::conversation_item_input_audio_transcription_failed,
     "conversation.item.input_audio_transcription.failed",
     {}},
    {t::response_created, "response.created", {}},
    {t::response_done, "response.done", {}},
    {t::response_output_item_added, "response.output_item.added", {}},
    {t::response_output_item_done, "response.output_item.done", {}},
    {t::response_content_part_added, "response.content_part.added", {}},
    {t::response_content_part_done, "response.content_part.done", {}},
    {t::response_output_audio_delta, "response.output_audio.delta", "response.audio.delta"},
    {t::response_output_audio_done, "response.output_audio.done", "response.audio.done"},
    {t::response_output_audio_transcript_delta, "response.output_audio_transcript.delta",
     "response.audio_transcript.delta"},
    {t::response_output_audio_transcript_done, "response.output_audio_transcript.done",
     "response.audio_transcript.done"},
    {t::response_output_text_delta, "response.output_text.delta", "response.text.delta"},
    {t::response_output_text_done, "response.output_text.done", "response.text.done"},
    {t::response_function_call_arguments_delta, "response.function_call_arguments.delta", {}},
    {t::response_function_call_arguments_done, "response.function_call_arguments.done", {}},
    {t::output_audio_buffer_started, "output_audio_buffer.started", {}},
    {t::output_audio_buffer_stopped, "output_audio_buffer.stopped", {}},
    {t::output_audio_buffer_cleared, "output_audio_buffer.cleared", {}},
    {t::rate_limits_updated, "rate_limits.updated", {}},
}};

// event_type_name indexes the table by enum value, so its order must match the enum's.
constexpr bool names_in_enum_order()
{
    for (std::size_t i = 0; i < names.size(); ++i)
        if (static_cast<std::size_t>(names[i].type) != i || names[i].ga.empty())
            return false;
    return true;
}
static_assert(names_in_enum_order(), "names[] must list realtime_event_type in enum order");

} // namespace

std::optional<std::pair<realtime_event_type, dialect>> event_type_from_name(std::string_view name)
{
    for (const name_entry& entry : names) {
        if (entry.ga == name)
            return std::pair{entry.type, dialect::ga};
        if (!entry.beta.empty() && entry.beta == name)
            return std::pair{entry.type, dialect::beta};
    }
    return std::nullopt;
}

std::string_view event_type_name(realtime_event_type type, dialect spelling)
{
    auto index = static_cast<std::size_t>(type);
    if (index >= names.size())
        return "unknown";
    const name_entry& entry = names[index];
    return spelling == dialect::beta && !entry.beta.empty() ? entry.beta : entry.ga;
}

bool is_client_event(realtime_event_type type)
{
    return static_cast<std::size_t>(type) <= static_cast<std::size_t>(t::response_cancel);
}

// ================================================================ [SECTION] peek
namespace {

// A validating JSON skipper: walks the text once, remembering only where the top-level
// "type" value lies. Recursion is bounded by max_json_depth, every read is bounds-checked,
// so no input (truncated, binary, 10 000 brackets) can crash it.
class json_scanner {
public:
    explicit json_scanner(std::string_view text) : text_(text) {}

    result<std::string_view> top_level_type()
    {
        skip_whitespace();
        if (at_end())
            return make_error(errc::invalid_json, "empty input: expected a JSON object");
        if (peek() != '{') {
            // Still check it is JSON, so "[1," is invalid_json and "[1]" not_an_object.
            const char first = peek();
            if (!skip_value(1) || !expect_end())
                return error_;
            const char* kind = first == '['                   ? "an array"
                               : first == '"'                 ? "a string"
                               : first == 't' || first == 'f' ? "a boolean"
                               : first == 'n'                 ? "null"
                                                              : "a number";
            return make_error(errc::not_an_object,
                              std::string("expected a JSON object, found ") + kind);
        }
        if (!scan_top_object() || !expect_end())
            return error_;
        if (!type_found_)
            return make_error(errc::missing_field, "missing field 'type'");
        if (!type_is_string_)
            return make_error(errc::wrong_type,
                              std::string("field 'type' must be a string, not ") + type_kind_);
        if (type_has_escapes_)
            return make_error(errc::unknown_event_type,
                              "event type " + quoted_excerpt(type_) +
                                  " uses escape sequences, which no event name needs");
        return type_;
    }

private:
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return text_[pos_]; }

    bool fail(std::string message)
    {
        error_ = make_error(errc::invalid_json, std::move(message));
        return false;
    }
    bool fail_here(const char* what)
    {
        if (at_end())
            return fail(std::string("unexpected end of input at offset ") + std::to_string(pos_) +
                        " (" + what + ")");
        const auto c = static_cast<unsigned char>(peek());
        std::string shown;
        if (c >= 0x20 && c < 0x7f)
            shown = std::string("'") + static_cast<char>(c) + "'";
        else
            shown = "byte " + std::to_string(c);
        return fail(std::string("unexpected ") + shown + " at offset " + std::to_string(pos_) +
                    " (" + what + ")");
    }

    void skip_whitespace()
    {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++pos_;
    }

    bool expect_end()
    {
        skip_whitespace();
        if (!at_end())
            return fail_here("expected the end of input after the JSON value");
        return true;
    }

    // At '"'. On success pos_ is past the closing quote and contents is what lies between.
    bool scan_string(std::string_view& contents, bool& has_escapes)
    {
        const std::size_t start = ++pos_;
        has_escapes = false;
        while (!at_end()) {
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                contents = text_.substr(start, pos_ - start);
                ++pos_;
                return true;
            }
            if (c < 0x20)
                return fail_here("control characters must be escaped in strings");
            if (c == '\\') {
                has_escapes = true;
                ++pos_;
                if (at_end())
                    return fail_here("escape sequence");
                const char e = peek();
                if (e == 'u') {
                    for (int i = 0; i < 4; ++i) {
                        ++pos_;
                        if (at_end() || !is_hex(peek()))
                            return fail_here("\\u needs four hex digits");
                    }
                } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                           e != 'r' && e != 't') {
                    return fail_here("invalid escape sequence");
                }
            }
            ++pos_;
        }
        return fail_here("unterminated string");
    }

    static bool is_hex(char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
    static bool is_digit(char c) { return c >= '0' && c <= '9'; }

    bool skip_digits()
    {
        if (at_end() || !is_digit(peek()))
            return fail_here("expected a digit");
        while (!at_end() && is_digit(peek()))
            ++pos_;
        return true;
    }

    // RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    bool skip_number()
    {
        if (peek() == '-')
            ++pos_;
        if (at_end())
            return fail_here("expected a digit");
        if (peek() == '0')
            ++pos_;
        else if (!skip_digits())
            return false;
        if (!at_end() && peek() == '.') {
            ++pos_;
            if (!skip_digits())
                return false;
        }
        if (!at_end() && (peek() == 'e' || peek() == 'E')) {
            ++pos_;
            if (!at_end() && (peek() == '+' || peek() == '-'))
                ++pos_;
            if (!skip_digits())
                return false;
        }
        return true;
    }

    bool skip_literal(std::string_view word)
    {
        for (char expected : word) {
            if (at_end() || peek() != expected)
                return fail_here("invalid literal");
            ++pos_;
        }
        return true;
    }

    bool check_depth(int depth)
    {
        if (depth > max_json_depth)
            return fail("nesting deeper than " + std::to_string(max_json_depth) +
                        " levels at offset " + std::to_string(pos_));
        return true;
    }

    // Any value; depth is the nesting level a container starting here would have.
    bool skip_value(int depth)
    {
        if (at_end())
            return fail_here("expected a value");
        std::string_view ignored;
        bool escapes = false;
        switch (peek()) {
        case '{':
            return check_depth(depth) && skip_container(depth, '}');
        case '[':
            return check_depth(depth) && skip_container(depth, ']');
        case '"':
            return scan_string(ignored, escapes);
        case 't':
            return skip_literal("true");
        case 'f':
            return skip_literal("false");
        case 'n':
            return skip_literal("null");
        default:
            if (peek() == '-' || is_digit(peek()))
                return skip_number();
            return fail_here("expected a value");
        }
    }

    // At '{' or '['; members are checked but not remembered.
    bool skip_container(int depth, char close)
    {
        ++pos_;
        skip_whitespace();
        if (!at_end() && peek() == close) {
            ++pos_;
            return true;
        }
        while (true) {
            if (close == '}') {
                std::string_view key;
                bool escapes = false;
                if (at_end() || peek() != '"')
                    return fail_here("expected a field name");
                if (!scan_string(key, escapes))
                    return false;
                skip_whitespace();
                if (at_end() || peek() != ':')
                    return fail_here("expected ':'");
                ++pos_;
                skip_whitespace();
            }
            if (!skip_value(depth + 1))
                return false;
            skip_whitespace();
            if (at_end())
                return fail_here(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
            if (peek() == close) {
                ++pos_;
                return true;
            }
            if (peek() != ',')
                return fail_here(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
            ++pos_;
            skip_whitespace();
        }
    }

    // A field name spelled with escapes ("t\u0079pe") is still "type" to every JSON parser.
    static bool is_type_key(std::string_view raw, bool has_escapes)
    {
        if (!has_escapes)
            return raw == "type";
        constexpr std::string_view want = "type";
        std::size_t matched = 0;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            char c = raw[i];
            if (c == '\\') {
                // scan_string has validated the escape, so the indexes below are in range.
                const char e = raw[++i];
                if (e == 'u') {
                    unsigned value = 0;
                    for (int k = 0; k < 4; ++k) {
                        const char h = raw[++i];
                        value = value * 16 + static_cast<unsigned>(
                                                 is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
                    }
                    if (value > 0x7f)
                        return false;
                    c = static_cast<char>(value);
                } else {
                    c = e; // \" \\ \/ and control escapes: none of them is a letter of "type"
                }
            }
            if (matched >= want.size() || want[matched] != c)
                return false;
            ++matched;
        }
        return matched == want.size();
    }

    // The top-level object: like skip_container, but it notes the "type" member.
    bool scan_top_object()
    {
        ++pos_;
        skip_whitespace();
        if (!at_end() && peek() == '}') {
            ++pos_;
            return true;
        }
        while (true) {
            std::string_view key;
            bool key_escapes = false;
            if (at_end() || peek() != '"')
                return fail_here("expected a field name");
            if (!scan_string(key, key_escapes))
                return false;
            skip_whitespace();
            if (at_end() || peek() != ':')
                return fail_here("expected ':'");
            ++pos_;
            skip_whitespace();
            if (is_type_key(key, key_escapes)) {
                if (type_found_)
                    return fail("duplicate field 'type' at offset " + std::to_string(pos_));
                type_found_ = true;
                if (!at_end() && peek() == '"') {
                    type_is_string_ = true;
                    if (!scan_string(type_, type_has_escapes_))
                        return false;
                } else {
                    const std::size_t start = pos_;
                    if (!skip_value(2))
                        return false;
                    const char first = text_[start];
                    type_kind_ = first == '{'                   ? "an object"
                                 : first == '['                 ? "an array"
                                 : first == 'n'                 ? "null"
                                 : first == 't' || first == 'f' ? "a boolean"
                                                                : "a number";
                }
            } else if (!skip_value(2)) {
                return false;
            }
            skip_whitespace();
            if (at_end() || (peek() != ',' && peek() != '}'))
                return fail_here("expected ',' or '}'");
            if (peek() == '}') {
                ++pos_;
                return true;
            }
            ++pos_;
            skip_whitespace();
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    donna::error error_;
    bool type_found_ = false;
    bool type_is_string_ = false;
    bool type_has_escapes_ = false;
    const char* type_kind_ = "";
    std::string_view type_;
};

} // namespace

result<std::string_view> peek_event_type(std::string_view text)
{
    return json_scanner(text).top_level_type();
}

// ================================================================ [SECTION] typed events
namespace {

nlohmann::json envelope(realtime_event_type type, dialect spelling,
                        const std::optional<std::string>& event_id)
{
    nlohmann::json j = nlohmann::json::object();
    j["type"] = std::string(event_type_name(type, spelling));
    if (event_id)
        j["event_id"] = *event_id;
    return j;
}

// The wire fields of each plain event (event_id among them: the envelope gets none), in
// the order they are read.
constexpr std::tuple session_update_fields{
    member_field("event_id", &session_update::event_id),
    member_field("session", &session_update::session), // kept raw
};
constexpr std::tuple append_fields{
    member_field("event_id", &input_audio_buffer_append::event_id),
    member_field("audio", &input_audio_buffer_append::audio),
};
constexpr std::tuple commit_fields{member_field("event_id", &input_audio_buffer_commit::event_id)};
constexpr std::tuple clear_fields{member_field("event_id", &input_audio_buffer_clear::event_id)};
constexpr std::tuple truncate_fields{
    member_field("event_id", &conversation_item_truncate::event_id),
    member_field("item_id", &conversation_item_truncate::item_id),
    member_field("content_index", &conversation_item_truncate::content_index),
    member_field("audio_end_ms", &conversation_item_truncate::audio_end_ms),
};
constexpr std::tuple response_create_fields{
    member_field("event_id", &response_create::event_id),
    member_field("response", &response_create::response),
};
constexpr std::tuple response_cancel_fields{
    member_field("event_id", &response_cancel::event_id),
    member_field("response_id", &response_cancel::response_id),
};
// audio_delta and text_delta share one shape.
template <class Delta>
constexpr std::tuple delta_fields{
    member_field("event_id", &Delta::event_id),
    member_field("response_id", &Delta::response_id),
    member_field("item_id", &Delta::item_id),
    member_field("output_index", &Delta::output_index),
    member_field("content_index", &Delta::content_index),
    member_field("delta", &Delta::delta),
};
constexpr std::tuple transcription_delta_fields{
    member_field("event_id", &input_transcription_delta::event_id),
    member_field("item_id", &input_transcription_delta::item_id),
    member_field("content_index", &input_transcription_delta::content_index,
                 field_presence::defaulted),
    member_field("delta", &input_transcription_delta::delta, field_presence::defaulted),
};
constexpr std::tuple transcription_completed_fields{
    member_field("event_id", &input_transcription_completed::event_id),
    member_field("item_id", &input_transcription_completed::item_id),
    member_field("content_index", &input_transcription_completed::content_index),
    member_field("transcript", &input_transcription_completed::transcript),
};
constexpr std::tuple speech_started_fields{
    member_field("event_id", &speech_started::event_id),
    member_field("audio_start_ms", &speech_started::audio_start_ms),
    member_field("item_id", &speech_started::item_id),
};
constexpr std::tuple speech_stopped_fields{
    member_field("event_id", &speech_stopped::event_id),
    member_field("audio_end_ms", &speech_stopped::audio_end_ms),
    member_field("item_id", &speech_stopped::item_id),
};
// The members of error_event inside its nested "error" object.
constexpr std::tuple error_detail_fields{
    member_field("type", &error_event::type),
    member_field("message", &error_event::message),
    member_field("code", &error_event::code),
    member_field("param", &error_event::param),
    member_field("event_id", &error_event::caused_by_event_id),
};

} // namespace

// ---- plain events: each a table above
nlohmann::json session_update::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this, session_update_fields);
}
result<session_update> session_update::from_json(const nlohmann::json& object)
{
    return read_struct<session_update>(object, session_update_fields);
}

nlohmann::json input_audio_buffer_append::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this, append_fields);
}
result<input_audio_buffer_append> input_audio_buffer_append::from_json(const nlohmann::json& object)
{
    return read_struct<input_audio_buffer_append>(object, append_fields);
}

nlohmann::json input_audio_buffer_commit::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this, commit_fields);
}
result<input_audio_buffer_commit> input_audio_buffer_commit::from_json(const nlohmann::json& object)
{
    return read_struct<input_audio_buffer_commit>(object, commit_fields);
}

nlohmann::json input_audio_buffer_clear::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this, clear_fields);
}
result<input_audio_buffer_clear> input_audio_buffer_clear::from_json(const nlohmann::json& object)
{
    return read_struct<input_audio_buffer_clear>(object, clear_fields);
}

nlohmann::json conversation_item_truncate::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this, truncate_fields);
}
result<conversation_item_truncate>
conversation_item_truncate::from_json(const nlohmann::json& object)
{
    return read_struct<conversation_item_truncate>(object, truncate_fields);
}

nlohmann::json response_create::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this,
                        response_create_fields);
}
result<response_create> response_create::from_json(const nlohmann::json& object)
{
    return read_struct<response_create>(object, response_create_fields);
}

nlohmann::json response_cancel::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this,
                        response_cancel_fields);
}
result<response_cancel> response_cancel::from_json(const nlohmann::json& object)
{
    return read_struct<response_cancel>(object, response_cancel_fields);
}

nlohmann::json audio_delta::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this,
                        delta_fields<audio_delta>);
}
result<audio_delta> audio_delta::from_json(const nlohmann::json& object)
{
    return read_struct<audio_delta>(object, delta_fields<audio_delta>);
}

nlohmann::json input_transcription_delta::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this,
                        transcription_delta_fields);
}
result<input_transcription_delta> input_transcription_delta::from_json(const nlohmann::json& object)
{
    return read_struct<input_transcription_delta>(object, transcription_delta_fields);
}

nlohmann::json input_transcription_completed::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this,
                        transcription_completed_fields);
}
result<input_transcription_completed>
input_transcription_completed::from_json(const nlohmann::json& object)
{
    return read_struct<input_transcription_completed>(object, transcription_completed_fields);
}

nlohmann::json speech_started::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this, speech_started_fields);
}
result<speech_started> speech_started::from_json(const nlohmann::json& object)
{
    return read_struct<speech_started>(object, speech_started_fields);
}

nlohmann::json speech_stopped::to_json(dialect spelling) const
{
    return write_struct(envelope(event_type, spelling, std::nullopt), *this, speech_stopped_fields);
}
result<speech_stopped> speech_stopped::from_json(const nlohmann::json& object)
{
    return read_struct<speech_stopped>(object, speech_stopped_fields);
}

// ---- conversation.item.create (user text)
namespace {

bool is_string_equal(const nlohmann::json& object, const char* key, std::string_view want)
{
    auto it = object.find(key);
    return it != object.end() && it->is_string() && *it->get_ptr<const std::string*>() == want;
}

bool has_only_keys(const nlohmann::json& object, std::initializer_list<std::string_view> keys)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool allowed = false;
        for (std::string_view key : keys)
            allowed = allowed || it.key() == key;
        if (!allowed)
            return false;
    }
    return true;
}

} // namespace

bool conversation_item_create::is_user_text(const nlohmann::json& object)
{
    if (!object.is_object())
        return false;
    auto item = object.find("item");
    if (item == object.end() || !item->is_object() ||
        !has_only_keys(*item, {"type", "role", "content"}))
        return false;
    if (!is_string_equal(*item, "type", "message") || !is_string_equal(*item, "role", "user"))
        return false;
    auto content = item->find("content");
    if (content == item->end() || !content->is_array() || content->size() != 1)
        return false;
    const nlohmann::json& part = content->front();
    if (!part.is_object() || !has_only_keys(part, {"type", "text"}))
        return false;
    auto text = part.find("text");
    return is_string_equal(part, "type", "input_text") && text != part.end() && text->is_string();
}

nlohmann::json conversation_item_create::to_json(dialect spelling) const
{
    nlohmann::json j = envelope(event_type, spelling, event_id);
    if (previous_item_id)
        j["previous_item_id"] = *previous_item_id;
    nlohmann::json part = nlohmann::json::object();
    part["type"] = "input_text";
    part["text"] = text;
    nlohmann::json item = nlohmann::json::object();
    item["type"] = "message";
    item["role"] = "user";
    item["content"] = nlohmann::json::array();
    item["content"].push_back(std::move(part));
    j["item"] = std::move(item);
    return j;
}

result<conversation_item_create> conversation_item_create::from_json(const nlohmann::json& object)
{
    field_reader in(object);
    conversation_item_create e;
    e.event_id = in.optional_string("event_id");
    e.previous_item_id = in.optional_string("previous_item_id");
    in.object("item");
    if (!in.ok())
        return in.take_error();
    if (!is_user_text(object))
        return make_error(errc::invalid_argument,
                          "field 'item' is not a user message with one input_text part");
    const nlohmann::json& part = object.find("item")->find("content")->front();
    e.text = *part.find("text")->get_ptr<const std::string*>();
    return e;
}

// ---- transcript / text deltas: the audio_delta shape with a dynamic type
bool text_delta::is_text_delta_type(realtime_event_type candidate)
{
    return candidate == t::response_output_audio_transcript_delta ||
           candidate == t::response_output_text_delta;
}

nlohmann::json text_delta::to_json(dialect spelling) const
{
    return write_struct(envelope(type, spelling, std::nullopt), *this, delta_fields<text_delta>);
}

result<text_delta> text_delta::from_json(const nlohmann::json& object)
{
    field_reader in(object);
    const std::string name = in.string("type");
    auto e = read_struct<text_delta>(in, delta_fields<text_delta>);
    if (!e)
        return e;
    auto kind = event_type_from_name(name);
    if (!kind || !is_text_delta_type(kind->first))
        return make_error(errc::unknown_event_type,
                          "event type " + quoted_excerpt(name) + " is not a text delta");
    e->type = kind->first;
    return e;
}

// ---- error: its fields sit in a nested "error" object
nlohmann::json error_event::to_json(dialect spelling) const
{
    nlohmann::json j = envelope(event_type, spelling, event_id);
    nlohmann::json detail = nlohmann::json::object();
    write_fields(detail, *this, error_detail_fields);
    j["error"] = std::move(detail);
    return j;
}

result<error_event> error_event::from_json(const nlohmann::json& object)
{
    field_reader in(object);
    auto event_id = in.optional_string("event_id");
    const nlohmann::json* detail = in.object("error");
    if (!in.ok())
        return in.take_error();
    field_reader err(*detail, "error.");
    auto e = read_struct<error_event>(err, error_detail_fields);
    if (e)
        e->event_id = std::move(event_id);
    return e;
}

// ---- pass-through
nlohmann::json other_event::to_json(dialect to) const
{
    // A hand-built body that is not an object cannot take a "type"; send the bare envelope.
    if (!body.is_object())
        return envelope(type, to, std::nullopt);
    nlohmann::json j = body;
    j["type"] = std::string(event_type_name(type, to));
    return j;
}

// ================================================================ [SECTION] parse and serialize

realtime_event_type type_of(const realtime_event& event)
{
    return std::visit(
        [](const auto& e) -> realtime_event_type {
            using event_t = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<event_t, text_delta> ||
                          std::is_same_v<event_t, other_event>)
                return e.type;
            else
                return event_t::event_type;
        },
        event);
}

result<parsed_realtime_event> parse_realtime_event(std::string_view text)
{
    // The scan checks syntax and depth and finds the type cheaply, so an unknown type or a
    // 10 000-level document is refused before nlohmann builds anything.
    auto name = peek_event_type(text);
    if (!name)
        return name.error();
    auto type = event_type_from_name(*name);
    if (!type)
        return make_error(errc::unknown_event_type, "unknown event type " + quoted_excerpt(*name));

    nlohmann::json object = nlohmann::json::parse(text, nullptr, false);
    if (object.is_discarded() || !object.is_object())
        return make_error(errc::invalid_json, "invalid JSON (a string is not valid UTF-8?)");

    result<realtime_event> event = realtime_event(other_event{});
    switch (type->first) {
    case t::session_update:
        event = parse_as<realtime_event, session_update>(object);
        break;
    case t::input_audio_buffer_append:
        event = parse_as<realtime_event, input_audio_buffer_append>(object);
        break;
    case t::input_audio_buffer_commit:
        event = parse_as<realtime_event, input_audio_buffer_commit>(object);
        break;
    case t::input_audio_buffer_clear:
        event = parse_as<realtime_event, input_audio_buffer_clear>(object);
        break;
    case t::conversation_item_create: {
        // Only the user-text shape is typed; a malformed item is still an error.
        field_reader in(object);
        in.object("item");
        if (!in.ok())
            return in.take_error();
        if (conversation_item_create::is_user_text(object))
            event = parse_as<realtime_event, conversation_item_create>(object);
        else
            event = realtime_event(other_event{type->first, type->second, std::move(object)});
        break;
    }
    case t::conversation_item_truncate:
        event = parse_as<realtime_event, conversation_item_truncate>(object);
        break;
    case t::response_create:
        event = parse_as<realtime_event, response_create>(object);
        break;
    case t::response_cancel:
        event = parse_as<realtime_event, response_cancel>(object);
        break;
    case t::response_output_audio_delta:
        event = parse_as<realtime_event, audio_delta>(object);
        break;
    case t::response_output_audio_transcript_delta:
    case t::response_output_text_delta:
        event = parse_as<realtime_event, text_delta>(object);
        break;
    case t::conversation_item_input_audio_transcription_delta:
        event = parse_as<realtime_event, input_transcription_delta>(object);
        break;
    case t::conversation_item_input_audio_transcription_completed:
        event = parse_as<realtime_event, input_transcription_completed>(object);
        break;
    case t::input_audio_buffer_speech_started:
        event = parse_as<realtime_event, speech_started>(object);
        break;
    case t::input_audio_buffer_speech_stopped:
        event = parse_as<realtime_event, speech_stopped>(object);
        break;
    case t::error:
        event = parse_as<realtime_event, error_event>(object);
        break;
    default:
        event = realtime_event(other_event{type->first, type->second, std::move(object)});
        break;
    }
    if (!event)
        return event.error();
    return parsed_realtime_event{type->first, type->second, std::move(*event)};
}

std::string serialize(const realtime_event& event, dialect spelling)
{
    return dump_json(std::visit([spelling](const auto& e) { return e.to_json(spelling); }, event));
}

} // namespace donna
