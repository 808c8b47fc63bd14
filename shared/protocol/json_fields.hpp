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
#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

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

} // namespace donna
