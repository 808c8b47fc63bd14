// donna_events.cpp: DONNA's own events: enum names, typed fields, parse and serialize.
#include "protocol/donna_events.hpp"

#include "protocol/json_fields.hpp"
#include "protocol/realtime_events.hpp"

#include <array>
#include <tuple>
#include <utility>

namespace donna {
namespace {

constexpr std::array<std::string_view, 5> persona_names{"general", "sales", "marketing",
                                                        "receptionist", "secretary"};
constexpr std::array<std::string_view, 2> role_names{"user", "assistant"};
constexpr std::array<std::string_view, 4> state_names{"connecting", "connected", "reconnecting",
                                                      "closed"};

template <class Enum, std::size_t n>
std::optional<Enum> enum_from_name(const std::array<std::string_view, n>& table,
                                   std::string_view name)
{
    for (std::size_t i = 0; i < n; ++i)
        if (table[i] == name)
            return static_cast<Enum>(i);
    return std::nullopt;
}

template <std::size_t n>
std::string_view enum_name(const std::array<std::string_view, n>& table, std::size_t index)
{
    return index < n ? table[index] : std::string_view("unknown");
}

// Reads a string field that must be one of table's names; the message lists them all.
template <class Enum, std::size_t n>
Enum read_enum(field_reader& in, const char* key, const std::array<std::string_view, n>& table,
               Enum fallback)
{
    const std::string name = in.string(key);
    if (!in.ok())
        return fallback;
    if (auto value = enum_from_name<Enum>(table, name))
        return *value;
    std::string allowed;
    for (std::string_view option : table)
        allowed += (allowed.empty() ? "" : ", ") + std::string(option);
    in.fail(errc::out_of_range,
            std::string(key) + " " + quoted_excerpt(name, 32) + " is not one of " + allowed);
    return fallback;
}

// An enum member on the wire: one of names, written by name.
template <class Struct, class Enum, std::size_t n>
struct enum_field {
    const char* key;
    Enum Struct::*member;
    const std::array<std::string_view, n>& names;

    void read(field_reader& in, Struct& s) const
    {
        s.*member = read_enum(in, key, names, s.*member);
    }
    void write(nlohmann::json& j, const Struct& s) const
    {
        j[key] = std::string(enum_name(names, static_cast<std::size_t>(s.*member)));
    }
};

template <class Struct, class Enum, std::size_t n>
enum_field(const char*, Enum Struct::*, const std::array<std::string_view, n>&)
    -> enum_field<Struct, Enum, n>;

// The wire fields of each event after "type", in the order they are read.
constexpr std::tuple chat_message_fields{
    member_field("id", &donna_chat_message::id),
    enum_field{"role", &donna_chat_message::role, role_names},
    member_field("text", &donna_chat_message::text),
};
constexpr std::tuple chat_delta_fields{
    member_field("id", &donna_chat_delta::id),
    member_field("delta", &donna_chat_delta::delta),
};
constexpr std::tuple persona_fields{enum_field{"persona", &donna_persona::persona, persona_names}};
constexpr std::tuple status_fields{
    enum_field{"state", &donna_status::state, state_names},
    member_field("detail", &donna_status::detail, field_presence::omit_empty),
};
constexpr std::tuple error_fields{
    member_field("code", &donna_error::code),
    member_field("message", &donna_error::message),
    member_field("param", &donna_error::param),
};

nlohmann::json envelope(std::string_view type)
{
    nlohmann::json j = nlohmann::json::object();
    j["type"] = std::string(type);
    return j;
}

} // namespace

std::string_view to_string(persona p)
{
    return enum_name(persona_names, static_cast<std::size_t>(p));
}
std::optional<persona> persona_from_string(std::string_view name)
{
    return enum_from_name<persona>(persona_names, name);
}

std::string_view to_string(chat_role r)
{
    return enum_name(role_names, static_cast<std::size_t>(r));
}
std::optional<chat_role> chat_role_from_string(std::string_view name)
{
    return enum_from_name<chat_role>(role_names, name);
}

std::string_view to_string(connection_state s)
{
    return enum_name(state_names, static_cast<std::size_t>(s));
}
std::optional<connection_state> connection_state_from_string(std::string_view name)
{
    return enum_from_name<connection_state>(state_names, name);
}

bool is_donna_event_name(std::string_view type)
{
    return type.starts_with("donna.");
}

// ---- the events: each a table above
nlohmann::json donna_chat_message::to_json() const
{
    return write_struct(envelope(type_name), *this, chat_message_fields);
}
result<donna_chat_message> donna_chat_message::from_json(const nlohmann::json& object)
{
    return read_struct<donna_chat_message>(object, chat_message_fields);
}

nlohmann::json donna_chat_delta::to_json() const
{
    return write_struct(envelope(type_name), *this, chat_delta_fields);
}
result<donna_chat_delta> donna_chat_delta::from_json(const nlohmann::json& object)
{
    return read_struct<donna_chat_delta>(object, chat_delta_fields);
}

nlohmann::json donna_persona::to_json() const
{
    return write_struct(envelope(type_name), *this, persona_fields);
}
result<donna_persona> donna_persona::from_json(const nlohmann::json& object)
{
    return read_struct<donna_persona>(object, persona_fields);
}

nlohmann::json donna_status::to_json() const
{
    return write_struct(envelope(type_name), *this, status_fields);
}
result<donna_status> donna_status::from_json(const nlohmann::json& object)
{
    return read_struct<donna_status>(object, status_fields);
}

donna_error donna_error::from(const donna::error& e, std::optional<std::string> param)
{
    return donna_error{to_string(e.code), e.message, std::move(param)};
}
nlohmann::json donna_error::to_json() const
{
    return write_struct(envelope(type_name), *this, error_fields);
}
result<donna_error> donna_error::from_json(const nlohmann::json& object)
{
    return read_struct<donna_error>(object, error_fields);
}

// ---- parse / serialize
result<donna_event> parse_donna_event(std::string_view text)
{
    // The same bounded scan as the Realtime parser: syntax, depth and type before any DOM.
    auto type = peek_event_type(text);
    if (!type)
        return type.error();
    const std::string_view name = *type;

    nlohmann::json object;
    auto dom = [&]() -> bool {
        object = nlohmann::json::parse(text, nullptr, false);
        return !object.is_discarded() && object.is_object();
    };
    auto bad_json = [] {
        return make_error(errc::invalid_json, "invalid JSON (a string is not valid UTF-8?)");
    };

    if (name == donna_chat_message::type_name)
        return dom() ? parse_as<donna_event, donna_chat_message>(object) : bad_json();
    if (name == donna_chat_delta::type_name)
        return dom() ? parse_as<donna_event, donna_chat_delta>(object) : bad_json();
    if (name == donna_persona::type_name)
        return dom() ? parse_as<donna_event, donna_persona>(object) : bad_json();
    if (name == donna_status::type_name)
        return dom() ? parse_as<donna_event, donna_status>(object) : bad_json();
    if (name == donna_error::type_name)
        return dom() ? parse_as<donna_event, donna_error>(object) : bad_json();

    return make_error(errc::unknown_event_type, "unknown event type " + quoted_excerpt(name));
}

std::string serialize(const donna_event& event)
{
    return dump_json(std::visit([](const auto& e) { return e.to_json(); }, event));
}

} // namespace donna
