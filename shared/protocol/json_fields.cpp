// json_fields.cpp: checked field reads (see json_fields.hpp for why every read checks first).
#include "protocol/json_fields.hpp"

#include <utility>

namespace donna {

std::string dump_json(const nlohmann::json& value)
{
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const nlohmann::json* json_member(const nlohmann::json& object, std::string_view name)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

std::string json_string_member(const nlohmann::json& object, std::string_view name)
{
    const auto* m = json_member(object, name);
    return m != nullptr && m->is_string() ? m->get<std::string>() : std::string();
}

std::string quoted_excerpt(std::string_view text, std::size_t limit)
{
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
    }
    out += text.size() > limit ? "...'" : "'";
    return out;
}

const char* json_kind_name(const nlohmann::json& value) noexcept
{
    switch (value.type()) {
    case nlohmann::json::value_t::null:
        return "null";
    case nlohmann::json::value_t::object:
        return "an object";
    case nlohmann::json::value_t::array:
        return "an array";
    case nlohmann::json::value_t::string:
        return "a string";
    case nlohmann::json::value_t::boolean:
        return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
        return "a number";
    case nlohmann::json::value_t::binary:
        return "binary";
    case nlohmann::json::value_t::discarded:
        return "invalid";
    }
    return "unknown";
}

field_reader::field_reader(const nlohmann::json& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix))
{
    // find() on a non-object returns end(), so reads stay safe; the caller still learns why.
    if (!object_.is_object()) {
        std::string what = prefix_.empty()
                               ? std::string("event")
                               : "field '" + prefix_.substr(0, prefix_.size() - 1) + "'";
        fail(errc::not_an_object, what + " must be an object, not " + json_kind_name(object_));
    }
}

std::string field_reader::name(const char* key) const
{
    return prefix_ + key;
}

void field_reader::fail(errc code, std::string message)
{
    if (!error_)
        error_ = make_error(code, std::move(message));
}

donna::error field_reader::take_error()
{
    if (!error_)
        return make_error(errc::invalid_argument, "field_reader::take_error() without an error");
    return std::move(*error_);
}

const nlohmann::json* field_reader::find(const char* key) const
{
    if (!object_.is_object())
        return nullptr;
    auto it = object_.find(key);
    if (it == object_.end())
        return nullptr;
    return &*it;
}

bool field_reader::present(const char* key) const
{
    const nlohmann::json* value = find(key);
    return value != nullptr && !value->is_null();
}

const nlohmann::json* field_reader::required(const char* key)
{
    if (!ok())
        return nullptr;
    const nlohmann::json* value = find(key);
    if (value == nullptr)
        fail(errc::missing_field, "missing field '" + name(key) + "'");
    return value;
}

std::string field_reader::string(const char* key)
{
    const nlohmann::json* value = required(key);
    if (value == nullptr)
        return {};
    if (!value->is_string()) {
        fail(errc::wrong_type,
             "field '" + name(key) + "' must be a string, not " + json_kind_name(*value));
        return {};
    }
    return *value->get_ptr<const std::string*>();
}

std::optional<std::string> field_reader::optional_string(const char* key)
{
    if (!ok() || !present(key))
        return std::nullopt;
    return string(key);
}

std::int64_t field_reader::integer_in(const char* key, std::int64_t min, std::int64_t max)
{
    const nlohmann::json* value = required(key);
    if (value == nullptr)
        return min;
    const std::string field = name(key);
    auto below = [&] {
        fail(errc::out_of_range,
             field + " must be >= " + std::to_string(min) + " (got " + dump_json(*value) + ")");
        return min;
    };
    auto above = [&] {
        fail(errc::out_of_range,
             field + " must be <= " + std::to_string(max) + " (got " + dump_json(*value) + ")");
        return min;
    };

    if (const auto* u = value->get_ptr<const nlohmann::json::number_unsigned_t*>()) {
        if (max < 0 || *u > static_cast<std::uint64_t>(max))
            return above();
        auto v = static_cast<std::int64_t>(*u);
        return v < min ? below() : v;
    }
    if (const auto* i = value->get_ptr<const nlohmann::json::number_integer_t*>()) {
        if (*i < min)
            return below();
        if (*i > max)
            return above();
        return *i;
    }
    if (const auto* f = value->get_ptr<const nlohmann::json::number_float_t*>()) {
        // Numbers beyond 64 bits arrive as floats: too large is a range error, 1.5 a type one.
        if (*f < static_cast<double>(min))
            return below();
        if (*f > static_cast<double>(max))
            return above();
        fail(errc::wrong_type,
             "field '" + field + "' must be an integer (got " + dump_json(*value) + ")");
        return min;
    }
    fail(errc::wrong_type, "field '" + field + "' must be a number, not " + json_kind_name(*value));
    return min;
}

const nlohmann::json* field_reader::object(const char* key)
{
    const nlohmann::json* value = required(key);
    if (value == nullptr)
        return nullptr;
    if (!value->is_object()) {
        fail(errc::wrong_type,
             "field '" + name(key) + "' must be an object, not " + json_kind_name(*value));
        return nullptr;
    }
    return value;
}

const nlohmann::json* field_reader::optional_object(const char* key)
{
    if (!ok() || !present(key))
        return nullptr;
    return object(key);
}

} // namespace donna
