// donna_events.cpp: DONNA's own events: enum names, typed fields, parse and serialize.
#include "protocol/donna_events.hpp"

#include "protocol/json_fields.hpp"
#include "protocol/realtime_events.hpp"

#include <array>
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

// ---- donna.chat.message
nlohmann::json donna_chat_message::to_json() const
{
    nlohmann::json j = envelope(type_name);
    j["id"] = id;
    j["role"] = std::string(to_string(role));
    j["text"] = text;
    return j;
}

result<donna_chat_message> donna_chat_message::from_json(const nlohmann::json& object)
{
    field_reader in(object);
    donna_chat_message e;
    e.id = in.string("id");
    e.role = read_enum(in, "role", role_names, chat_role::user);
    e.text = in.string("text");
    if (!in.ok())
        return in.take_error();
    return e;
}

// ---- donna.chat.delta
nlohmann::json donna_chat_delta::to_json() const
{
    nlohmann::json j = envelope(type_name);
    j["id"] = id;
    j["delta"] = delta;
    return j;
}

result<donna_chat_delta> donna_chat_delta::from_json(const nlohmann::json& object)
{
    field_reader in(object);
    donna_chat_delta e;
    e.id = in.string("id");
    e.delta = in.string("delta");
    if (!in.ok())
        return in.take_error();
    return e;
}

// ---- donna.persona
nlohmann::json donna_persona::to_json() const
{
    nlohmann::json j = envelope(type_name);
    j["persona"] = std::string(to_string(persona));
    return j;
}

result<donna_persona> donna_persona::from_json(const nlohmann::json& object)
{
    field_reader in(object);
    donna_persona e;
    e.persona = read_enum(in, "persona", persona_names, donna::persona::general);
    if (!in.ok())
        return in.take_error();
    return e;
}

// ---- donna.status
nlohmann::json donna_status::to_json() const
{
    nlohmann::json j = envelope(type_name);
    j["state"] = std::string(to_string(state));
    if (!detail.empty())
        j["detail"] = detail;
    return j;
}

result<donna_status> donna_status::from_json(const nlohmann::json& object)
{
    field_reader in(object);
    donna_status e;
    e.state = read_enum(in, "state", state_names, connection_state::connecting);
    e.detail = in.optional_string("detail").value_or(std::string());
    if (!in.ok())
        return in.take_error();
    return e;
}

// ---- donna.error
donna_error donna_error::from(const donna::error& e, std::optional<std::string> param)
{
    return donna_error{to_string(e.code), e.message, std::move(param)};
}

nlohmann::json donna_error::to_json() const
{
    nlohmann::json j = envelope(type_name);
    j["code"] = code;
    j["message"] = message;
    if (param)
        j["param"] = *param;
    return j;
}

result<donna_error> donna_error::from_json(const nlohmann::json& object)
{
    field_reader in(object);
    donna_error e;
    e.code = in.string("code");
    e.message = in.string("message");
    e.param = in.optional_string("param");
    if (!in.ok())
        return in.take_error();
    return e;
}

// ---- parse / serialize
namespace {

template <class Event>
result<donna_event> parse_as(const nlohmann::json& object)
{
    auto e = Event::from_json(object);
    if (!e)
        return e.error();
    return donna_event(std::move(*e));
}

} // namespace

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
        return dom() ? parse_as<donna_chat_message>(object) : bad_json();
    if (name == donna_chat_delta::type_name)
        return dom() ? parse_as<donna_chat_delta>(object) : bad_json();
    if (name == donna_persona::type_name)
        return dom() ? parse_as<donna_persona>(object) : bad_json();
    if (name == donna_status::type_name)
        return dom() ? parse_as<donna_status>(object) : bad_json();
    if (name == donna_error::type_name)
        return dom() ? parse_as<donna_error>(object) : bad_json();

    return make_error(errc::unknown_event_type, "unknown event type " + quoted_excerpt(name));
}

std::string serialize(const donna_event& event)
{
    return dump_json(std::visit([](const auto& e) { return e.to_json(); }, event));
}

} // namespace donna
