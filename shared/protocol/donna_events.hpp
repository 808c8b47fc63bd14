// donna_events.hpp: DONNA's own JSON events between the browser client and the relay,
// carried on the same WebSocket as the Realtime events and told apart by the "donna." prefix
// of their type.
//
//   auto type = donna::peek_event_type(text);
//   if (type && donna::is_donna_event_name(*type)) {
//       auto event = donna::parse_donna_event(text);
//       if (!event) return send(donna::serialize(donna::donna_error::from(event.error())));
//       if (auto* p = std::get_if<donna::donna_persona>(&*event)) switch_persona(p->persona);
//   }
//
// Wire shapes:
//   {"type":"donna.chat.message","id":"m1","role":"user"|"assistant","text":"..."}
//   {"type":"donna.chat.delta","id":"m1","delta":"..."}
//   {"type":"donna.persona","persona":"general"|"sales"|"marketing"|"receptionist"|"secretary"}
//   {"type":"donna.status","state":"connecting"|"connected"|"reconnecting"|"closed","detail":"..."}
//   {"type":"donna.error","code":"donna_field_not_allowed","message":"...","param":"..."?}
// "detail" may be absent (read as ""; written only when non-empty).
#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace donna {

// The assistant's role, which selects its instructions.
enum class persona { general, sales, marketing, receptionist, secretary };
std::string_view to_string(persona p);
std::optional<persona> persona_from_string(std::string_view name);

enum class chat_role { user, assistant };
std::string_view to_string(chat_role r);
std::optional<chat_role> chat_role_from_string(std::string_view name);

// The relay's view of its upstream connection, as shown to the user.
enum class connection_state { connecting, connected, reconnecting, closed };
std::string_view to_string(connection_state s);
std::optional<connection_state> connection_state_from_string(std::string_view name);

// True for names this file handles ("donna." prefix); peek_event_type gives the name cheaply.
bool is_donna_event_name(std::string_view type);

struct donna_chat_message {
    static constexpr std::string_view type_name = "donna.chat.message";
    std::string id;
    chat_role role = chat_role::user;
    std::string text;

    nlohmann::json to_json() const;
    static result<donna_chat_message> from_json(const nlohmann::json& object);
    bool operator==(const donna_chat_message&) const = default;
};

// A piece of an assistant message still being written; id matches the final chat.message.
struct donna_chat_delta {
    static constexpr std::string_view type_name = "donna.chat.delta";
    std::string id;
    std::string delta;

    nlohmann::json to_json() const;
    static result<donna_chat_delta> from_json(const nlohmann::json& object);
    bool operator==(const donna_chat_delta&) const = default;
};

struct donna_persona {
    static constexpr std::string_view type_name = "donna.persona";
    donna::persona persona = donna::persona::general;

    nlohmann::json to_json() const;
    static result<donna_persona> from_json(const nlohmann::json& object);
    bool operator==(const donna_persona&) const = default;
};

struct donna_status {
    static constexpr std::string_view type_name = "donna.status";
    connection_state state = connection_state::connecting;
    std::string detail;

    nlohmann::json to_json() const;
    static result<donna_status> from_json(const nlohmann::json& object);
    bool operator==(const donna_status&) const = default;
};

struct donna_error {
    static constexpr std::string_view type_name = "donna.error";
    std::string code;    // stable, machine-readable: "donna_field_not_allowed", "invalid_json"
    std::string message; // for people
    std::optional<std::string> param; // the offending field, if one

    // A shared/ error as sent to the client: code is the errc's wire name.
    static donna_error from(const donna::error& e, std::optional<std::string> param = {});
    nlohmann::json to_json() const;
    static result<donna_error> from_json(const nlohmann::json& object);
    bool operator==(const donna_error&) const = default;
};

using donna_event =
    std::variant<donna_chat_message, donna_chat_delta, donna_persona, donna_status, donna_error>;

// Errors: invalid_json, not_an_object, missing_field, wrong_type, out_of_range (an enum
// string outside its set, e.g. "persona 'pirate' is not one of ..."), unknown_event_type.
result<donna_event> parse_donna_event(std::string_view text);
std::string serialize(const donna_event& event);

} // namespace donna
