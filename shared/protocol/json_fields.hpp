// json_fields.hpp: reading typed fields out of a parsed nlohmann::json object without ever
// aborting, for the protocol parsers in this folder (realtime_events, donna_events).
//
// Under -fno-exceptions nlohmann's at(), get<T>() and value() abort on a wrong type, so every
// read here checks the JSON type first. A field_reader keeps the FIRST error it meets and
// returns harmless defaults afterwards, so a parser reads all its fields in a row and checks
// once at the end:
//
//   donna::field_reader in(object);                       // object: a checked JSON object
//   std::string id = in.string("item_id");                // "missing field 'item_id'"
//   auto ms = in.integer<std::int64_t>("audio_end_ms");   // "audio_end_ms must be >= 0 (got -1)"
//   if (!in.ok()) return in.take_error();
//
// Plain structs declare their wire fields once, as a tuple of descriptors, and one reader and
// one writer serve them all (fields are read in table order, so the error reported is the
// earliest field's):
//
//   constexpr std::tuple fields{member_field("event_id", &speech_started::event_id),
//                               member_field("audio_start_ms", &speech_started::audio_start_ms)};
//   auto event = read_struct<speech_started>(in, fields);   // result<speech_started>
//   write_fields(j, *event, fields);                          // adds "event_id"?, "audio_start_ms"
#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace donna {

// The only way shared/ turns JSON into text: invalid UTF-8 in a string (possible in values
// built from C++ strings) is replaced with U+FFFD instead of aborting.
std::string dump_json(const nlohmann::json& value);

// Untrusted text for an error message, in single quotes: at most limit bytes (so a 1 MB
// "type" stays a short line) and printable ASCII only, others shown as '?' (so the message
// is always valid UTF-8 and one line).
std::string quoted_excerpt(std::string_view text, std::size_t limit = 64);

// "an object", "an array", "a string", ... for error messages.
const char* json_kind_name(const nlohmann::json& value) noexcept;

// A member of an object read leniently, for answers of upstream APIs: the member, or nullptr
// when `object` is no object or has none of that name; its string, or "" when absent or not
// a string.
const nlohmann::json* json_member(const nlohmann::json& object, std::string_view name);
std::string json_string_member(const nlohmann::json& object, std::string_view name);

class field_reader {
public:
    // prefix names the object in messages, e.g. "error." gives "missing field 'error.message'".
    explicit field_reader(const nlohmann::json& object, std::string prefix = {});

    // Required string.
    std::string string(const char* key);
    // Absent or null gives nullopt; anything else must be a string.
    std::optional<std::string> optional_string(const char* key);

    // Required integer in [min, max]. Floats (1.5, 1e3) are rejected: the wire has integers.
    std::int64_t integer_in(const char* key, std::int64_t min, std::int64_t max);
    template <class Int>
    Int integer(const char* key, Int min = 0)
    {
        return static_cast<Int>(integer_in(key, min, std::numeric_limits<Int>::max()));
    }
    // Like integer(), but an absent or null field gives fallback.
    template <class Int>
    Int integer_or(const char* key, Int fallback, Int min = 0)
    {
        if (!present(key))
            return fallback;
        return integer<Int>(key, min);
    }

    // Required / optional object; nullptr if absent (optional) or on error.
    const nlohmann::json* object(const char* key);
    const nlohmann::json* optional_object(const char* key);

    bool present(const char* key) const;
    // Records an error the caller found in a value (e.g. a string outside its set); like the
    // reader's own errors, only the first one is kept.
    void fail(errc code, std::string message);
    bool ok() const noexcept { return !error_.has_value(); }
    // The first error met; only valid when !ok().
    donna::error take_error();

private:
    const nlohmann::json* find(const char* key) const;
    const nlohmann::json* required(const char* key);
    std::string name(const char* key) const;

    const nlohmann::json& object_;
    std::string prefix_;
    std::optional<donna::error> error_;
};

// ---------------------------------------------------------------- field tables

// How a member may be missing from the wire object. std::optional members are always
// optional (absent or null reads as nullopt; written only when set), whatever this says.
enum class field_presence {
    required,  // absent is a missing_field error
    defaulted, // absent or null keeps the member's default; always written
    omit_empty // absent or null keeps the member's default; written only when non-empty
};

// One member of Struct on the wire. Member: std::string, an integer (must be >= 0),
// nlohmann::json (an object), or std::optional of one of those.
template <class Struct, class Member>
struct member_field {
    const char* key;
    Member Struct::*member;
    field_presence presence;

    constexpr member_field(const char* name, Member Struct::*field,
                           field_presence how = field_presence::required)
        : key(name), member(field), presence(how)
    {}

    void read(field_reader& in, Struct& s) const { read_value(in, s.*member); }
    void write(nlohmann::json& j, const Struct& s) const { write_value(j, s.*member); }

private:
    template <class T>
    void read_value(field_reader& in, T& out) const
    {
        if constexpr (std::is_same_v<T, std::optional<std::string>>) {
            out = in.optional_string(key);
        } else if constexpr (std::is_same_v<T, std::optional<nlohmann::json>>) {
            if (const nlohmann::json* value = in.optional_object(key))
                out = *value;
        } else if (presence != field_presence::required && !in.present(key)) {
            return; // the default stays
        } else if constexpr (std::is_same_v<T, std::string>) {
            out = in.string(key);
        } else if constexpr (std::is_same_v<T, nlohmann::json>) {
            if (const nlohmann::json* value = in.object(key))
                out = *value;
        } else {
            static_assert(std::is_integral_v<T>, "unsupported member type");
            out = in.integer<T>(key);
        }
    }

    template <class T>
    void write_value(nlohmann::json& j, const T& value) const
    {
        if constexpr (std::is_same_v<T, std::optional<std::string>> ||
                      std::is_same_v<T, std::optional<nlohmann::json>>) {
            if (value)
                j[key] = *value;
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (presence != field_presence::omit_empty || !value.empty())
                j[key] = value;
        } else {
            j[key] = value;
        }
    }
};

// Each descriptor in the tuple fields has read(field_reader&, Struct&) and
// write(nlohmann::json&, const Struct&): member_field here, or a file's own (enum_field).
template <class Struct, class Fields>
void read_fields(field_reader& in, Struct& s, const Fields& fields)
{
    std::apply([&](const auto&... field) { (field.read(in, s), ...); }, fields);
}

template <class Struct, class Fields>
void write_fields(nlohmann::json& j, const Struct& s, const Fields& fields)
{
    std::apply([&](const auto&... field) { (field.write(j, s), ...); }, fields);
}

// A default Struct with fields read from in; the first error if any read failed.
template <class Struct, class Fields>
result<Struct> read_struct(field_reader& in, const Fields& fields)
{
    Struct s;
    read_fields(in, s, fields);
    if (!in.ok())
        return in.take_error();
    return s;
}

template <class Struct, class Fields>
result<Struct> read_struct(const nlohmann::json& object, const Fields& fields)
{
    field_reader in(object);
    return read_struct<Struct>(in, fields);
}

// base (an envelope such as {"type":...}) with the fields of s added.
template <class Struct, class Fields>
nlohmann::json write_struct(nlohmann::json base, const Struct& s, const Fields& fields)
{
    write_fields(base, s, fields);
    return base;
}

// Event::from_json(object) as a result<Variant>: the dispatch step of an event parser.
template <class Variant, class Event>
result<Variant> parse_as(const nlohmann::json& object)
{
    auto e = Event::from_json(object);
    if (!e)
        return e.error();
    return Variant(std::move(*e));
}

} // namespace donna
