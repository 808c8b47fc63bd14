// fanout_file.cpp: the endpoints, checked field by field.
#include "config/fanout_file.hpp"

#include "config/text_file.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace donna::relay {
namespace {

using json = nlohmann::json;

constexpr std::size_t min_secret_chars = 32;

std::string endpoint_label(std::size_t index, const std::string& id)
{
    return "endpoint " + std::to_string(index + 1) + (id.empty() ? "" : " ('" + id + "')") + ": ";
}

bool is_endpoint_id(const std::string& id)
{
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool is_event_pattern(const std::string& p)
{
    if (p == "*")
        return true;
    const auto body = p.ends_with(".*") ? p.substr(0, p.size() - 2) : p;
    return !body.empty() && body.size() <= 64 && std::all_of(body.begin(), body.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
    });
}

result<fanout_endpoint> parse_endpoint(const json& object, std::size_t index,
                                       const environment_lookup& env)
{
    if (!object.is_object())
        return make_error(errc::not_an_object, endpoint_label(index, "") + "must be an object");
    constexpr std::array<std::string_view, 5> known = {"id", "url", "events", "secret_env",
                                                       "max_attempts"};
    fanout_endpoint e;
    const auto id = object.find("id");
    if (id == object.end() || !id->is_string() || !is_endpoint_id(id->get<std::string>()))
        return make_error(errc::invalid_argument,
                          endpoint_label(index, "") + "\"id\" must be 1 to 64 of a-z, 0-9, -");
    e.id = id->get<std::string>();
    const auto label = endpoint_label(index, e.id);
    for (const auto& [key, value] : object.items())
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            std::string message = label;
            message += "unknown field \"" + key;
            message += "\" (known: id, url, events, secret_env, max_attempts)";
            return make_error(errc::invalid_argument, message);
        }
    const auto url = object.find("url");
    if (url == object.end() || !url->is_string())
        return make_error(errc::missing_field, label + "\"url\" is missing");
    e.url = url->get<std::string>();
    const auto parsed = boost::urls::parse_absolute_uri(e.url);
    if (!parsed ||
        (parsed->scheme_id() != boost::urls::scheme::http &&
         parsed->scheme_id() != boost::urls::scheme::https) ||
        parsed->encoded_host().empty())
        return make_error(errc::invalid_argument,
                          label + "\"url\" must be an absolute http(s) URL");
    const auto events = object.find("events");
    if (events == object.end() || !events->is_array() || events->empty())
        return make_error(errc::missing_field,
                          label + "\"events\" must be a non-empty array of event types");
    for (const auto& p : *events) {
        if (!p.is_string() || !is_event_pattern(p.get<std::string>()))
            return make_error(errc::invalid_argument,
                              label + "each of \"events\" is a type (message.finalized), a "
                                      "family (call.*) or *");
        e.events.push_back(p.get<std::string>());
    }
    const auto secret_env = object.find("secret_env");
    if (secret_env == object.end() || !secret_env->is_string() ||
        secret_env->get<std::string>().empty())
        return make_error(errc::missing_field,
                          label + "\"secret_env\" must name the variable that holds its "
                                  "signing secret");
    e.secret_env = secret_env->get<std::string>();
    const auto secret = env(e.secret_env);
    if (!secret || secret->size() < min_secret_chars)
        return make_error(errc::invalid_argument, label + e.secret_env +
                                                      " must be set to a secret of at least 32 "
                                                      "characters");
    e.secret = *secret;
    if (const auto attempts = object.find("max_attempts"); attempts != object.end()) {
        if (!attempts->is_number_integer() || attempts->get<std::int64_t>() < 1 ||
            attempts->get<std::int64_t>() > 100)
            return make_error(errc::out_of_range,
                              label + "\"max_attempts\" must be a whole number from 1 to 100");
        e.max_attempts = static_cast<int>(attempts->get<std::int64_t>());
    }
    return e;
}

} // namespace

bool fanout_endpoint::wants(std::string_view event_type) const
{
    return std::any_of(events.begin(), events.end(), [&](const std::string& p) {
        if (p == "*")
            return true;
        if (p.ends_with(".*"))
            return event_type.starts_with(std::string_view(p).substr(0, p.size() - 1));
        return event_type == p;
    });
}

result<std::vector<fanout_endpoint>> parse_fanout(std::string_view json_text,
                                                  const environment_lookup& env)
{
    const auto doc = json::parse(json_text, nullptr, false);
    if (doc.is_discarded())
        return make_error(errc::invalid_json, "the fanout file is not valid JSON");
    if (!doc.is_object())
        return make_error(errc::not_an_object,
                          "the fanout file must be an object: {\"endpoints\": [...]}");
    for (const auto& [key, value] : doc.items())
        if (key != "endpoints")
            return make_error(errc::invalid_argument,
                              "unknown top-level field \"" + key + "\" (known: endpoints)");
    const auto list = doc.find("endpoints");
    if (list == doc.end() || !list->is_array())
        return make_error(errc::missing_field, "\"endpoints\" must be an array");
    std::vector<fanout_endpoint> out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto e = parse_endpoint((*list)[i], i, env);
        if (!e)
            return e.error();
        if (std::any_of(out.begin(), out.end(),
                        [&](const fanout_endpoint& o) { return o.id == e->id; }))
            return make_error(errc::invalid_argument,
                              endpoint_label(i, e->id) + "the id is already used");
        out.push_back(std::move(*e));
    }
    return out;
}

result<std::vector<fanout_endpoint>> read_fanout_file(const std::filesystem::path& path,
                                                      const environment_lookup& env)
{
    const auto text = read_text_file(path);
    if (!text)
        return text.error();
    auto parsed = parse_fanout(*text, env);
    if (!parsed)
        return make_error(parsed.error().code, path.string() + ": " + parsed.error().message);
    return parsed;
}

} // namespace donna::relay
