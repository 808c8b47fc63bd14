#include "policy/client_policy.hpp"

#include "models/model_capabilities.hpp"
#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <span>
#include <utility>

namespace donna::relay {
namespace {

using json = nlohmann::json;

// Allowlists, not denylists: a field the API adds tomorrow (a new way to set a prompt) stays
// out until someone decides it is safe. Paths are dotted from the event's top level; a listed
// path keeps its whole subtree.
// The transcription is not the client's: its model is paid for by the relay and watched by
// the model check (DONNA_TRANSCRIPTION_MODEL), so the relay sets it.
constexpr std::array<std::string_view, 6> ga_session_fields = {
    "session.type",
    "session.output_modalities",
    "session.audio.input.format",
    "session.audio.input.turn_detection",
    "session.audio.input.noise_reduction",
    "session.audio.output.format",
};
constexpr std::array<std::string_view, 5> beta_session_fields = {
    "session.modalities",     "session.input_audio_format",          "session.output_audio_format",
    "session.turn_detection", "session.input_audio_noise_reduction",
};
// One list for both dialects: the upstream rejects the other dialect's names by itself, and
// none of them lets a client change who DONNA is.
constexpr std::array<std::string_view, 9> response_fields = {
    "response.modalities",        // beta
    "response.output_modalities", // GA
    "response.conversation",
    "response.metadata",
    "response.input",
    "response.max_output_tokens",          // GA
    "response.max_response_output_tokens", // beta
    "response.output_audio_format",        // beta
    "response.audio.output.format",        // GA
};

struct refusal {
    std::string code;
    std::string message;
    std::optional<std::string> param;
    std::optional<std::string> client_event_id;
};

bool is_prefix_of_allowed(std::string_view path, std::span<const std::string_view> allowed)
{
    return std::any_of(allowed.begin(), allowed.end(), [&](std::string_view a) {
        return a.size() > path.size() && a.starts_with(path) && a[path.size()] == '.';
    });
}

// Removes from object (found at `path`) every member that is neither allowed nor on the way
// to an allowed member, appending the removed paths. An object emptied by the removal goes
// too, so "nothing allowed remains" is simply an empty object.
void keep_only(json& object, const std::string& path, std::span<const std::string_view> allowed,
               std::vector<std::string>& removed)
{
    std::vector<std::string> doomed;
    for (auto& [key, value] : object.items()) {
        std::string member = path;
        member += '.';
        member += key;
        if (std::find(allowed.begin(), allowed.end(), member) != allowed.end())
            continue;
        if (value.is_object() && is_prefix_of_allowed(member, allowed)) {
            const std::size_t before = removed.size();
            keep_only(value, member, allowed, removed);
            if (value.empty() && removed.size() > before)
                doomed.push_back(key);
            continue;
        }
        removed.push_back(member);
        doomed.push_back(key);
    }
    for (const auto& key : doomed)
        object.erase(key);
}

std::string joined(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items) {
        if (!out.empty())
            out += ", ";
        out += item;
    }
    return out;
}

std::optional<std::string> client_event_id(const json& event)
{
    const auto it = event.find("event_id");
    if (it == event.end() || !it->is_string())
        return std::nullopt;
    return it->get<std::string>();
}

// The wire code for a text that is not a usable event at all.
std::string malformed_code(errc code)
{
    switch (code) {
    case errc::missing_field:
        return "missing_field";
    case errc::wrong_type:
        return "wrong_type";
    case errc::unknown_event_type:
        return "donna_event_not_allowed";
    default:
        return "invalid_json";
    }
}

// A DOM of text (already checked by peek_event_type to be one object, nesting <= 64),
// refusing duplicate keys at any depth: nlohmann keeps the last one, another parser may keep
// the first, and the relay must filter exactly what OpenAI will read.
result<json> parse_event_object(std::string_view text)
{
    std::vector<std::set<std::string>> open_objects;
    std::optional<std::string> duplicate;
    const json::parser_callback_t check = [&](int /*depth*/, json::parse_event_t event,
                                              json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            open_objects.emplace_back();
            break;
        case json::parse_event_t::object_end:
            if (!open_objects.empty())
                open_objects.pop_back();
            break;
        case json::parse_event_t::key:
            if (const auto* key = parsed.get_ptr<const std::string*>();
                key != nullptr && !open_objects.empty() &&
                !open_objects.back().insert(*key).second && !duplicate)
                duplicate = *key;
            break;
        default:
            break;
        }
        return true;
    };
    json j = json::parse(text.begin(), text.end(), check, false);
    if (j.is_discarded())
        return make_error(errc::invalid_json, "event is not valid JSON (invalid UTF-8?)");
    if (duplicate)
        return make_error(errc::invalid_json, "event repeats the key " +
                                                  quoted_excerpt(*duplicate) +
                                                  "; each key may appear once");
    if (!j.is_object())
        return make_error(errc::not_an_object, "event is not a JSON object");
    return j;
}

// What a rule decided: the decision, and the error to report if any (the error event's
// number is the policy's to assign, so it is built later).
struct outcome {
    policy_decision decision;
    std::optional<refusal> error;
};

outcome forward_unchanged(std::string_view text)
{
    outcome o;
    o.decision.forward_text = std::string(text);
    return o;
}

outcome refused(refusal r)
{
    outcome o;
    o.decision.action = client_event_action::refuse;
    o.error = std::move(r);
    return o;
}

// Appended to messages so that a client's developer knows the relay did it, not the API.
constexpr const char* persona_reason = "the relay sets these from the session's persona";

std::string removal_message(std::string_view event_name, const std::vector<std::string>& removed,
                            bool forwarded)
{
    return std::string(event_name) + " may not set " + joined(removed) + ": " + persona_reason +
           (forwarded ? ". They were removed and the rest was forwarded."
                      : ". Nothing else was in the event, so it was not forwarded.");
}

// session.update: the dialect's allowlist; a session left empty is not worth forwarding.
outcome filter_session_update(json& event, donna::dialect dialect)
{
    const auto id = client_event_id(event);
    const auto session = event.find("session");
    if (session == event.end())
        return refused({"missing_field", "session.update needs a 'session' object", "session", id});
    if (!session->is_object())
        return refused({"wrong_type",
                        std::string("'session' must be an object, not ") + json_kind_name(*session),
                        "session", id});
    outcome o;
    if (dialect == donna::dialect::ga)
        keep_only(*session, "session", ga_session_fields, o.decision.removed_fields);
    else
        keep_only(*session, "session", beta_session_fields, o.decision.removed_fields);
    if (o.decision.removed_fields.empty())
        return o; // forward_text is set by the caller: the original text
    const bool forwarded = !session->empty();
    if (forwarded)
        o.decision.forward_text = dump_json(event);
    else
        o.decision.action = client_event_action::refuse;
    o.error = refusal{"donna_field_not_allowed",
                      removal_message("session.update", o.decision.removed_fields, forwarded),
                      o.decision.removed_fields.front(), id};
    return o;
}

// An item a client may not add, by one of its string members: `field` holding one of
// `refused`. The refusal names the event, the value and why, and points at the member.
struct item_rule {
    std::string_view field; // "role", "type"
    std::array<std::string_view, 2> refused;
    std::string_view code;
    std::string_view noun; // "message", "item"
    std::string_view why;
};

// A system or developer message would replace the persona's instructions.
constexpr item_rule no_instructions{"role",
                                    {"system", "developer"},
                                    "donna_field_not_allowed",
                                    "message",
                                    "the relay sets the instructions from the session's persona"};
// A function call or its output is the relay's business: DONNA's tools run in the relay, and
// only the relay answers a call the model made. From a client, either would forge a call or
// its result (what DONNA tells the visitor was done must really have been done).
constexpr item_rule no_tool_calls{"type",
                                  {"function_call", "function_call_output"},
                                  "donna_item_not_allowed",
                                  "item",
                                  "DONNA's tools run in the relay, and only the relay answers "
                                  "their calls"};

std::optional<refusal> item_refusal(const item_rule& rule, const json& item,
                                    std::string_view event_name, const std::string& where,
                                    const std::optional<std::string>& id)
{
    if (!item.is_object())
        return std::nullopt;
    const auto value = item.find(rule.field);
    if (value == item.end() || !value->is_string())
        return std::nullopt;
    const auto& name = value->get_ref<const std::string&>();
    if (std::find(rule.refused.begin(), rule.refused.end(), name) == rule.refused.end())
        return std::nullopt;
    return refusal{std::string(rule.code),
                   std::string(event_name) + " may not add a '" + name + "' " +
                       std::string(rule.noun) + ": " + std::string(rule.why) +
                       ". The event was not forwarded.",
                   where + "." + std::string(rule.field), id};
}

// The first rule an item breaks, if any.
std::optional<refusal> refused_item(const json& item, std::string_view event_name,
                                    const std::string& where, const std::optional<std::string>& id)
{
    for (const auto* rule : {&no_instructions, &no_tool_calls})
        if (auto r = item_refusal(*rule, item, event_name, where, id))
            return r;
    return std::nullopt;
}

outcome filter_item_create(const json& event)
{
    const auto item = event.find("item");
    if (item != event.end()) {
        if (auto r =
                refused_item(*item, "conversation.item.create", "item", client_event_id(event)))
            return refused(std::move(*r));
    }
    return {};
}

// response.create: its input items obey the conversation.item.create rule, then the
// allowlist; the response is forwarded even if emptied (defaults are a valid request).
outcome filter_response_create(json& event)
{
    const auto id = client_event_id(event);
    const auto response = event.find("response");
    if (response == event.end())
        return {};
    if (!response->is_object())
        return refused(
            {"wrong_type",
             std::string("'response' must be an object, not ") + json_kind_name(*response),
             "response", id});
    if (const auto input = response->find("input"); input != response->end() && input->is_array()) {
        for (std::size_t i = 0; i < input->size(); ++i) {
            if (auto r = refused_item((*input)[i], "response.create",
                                      "response.input[" + std::to_string(i) + "]", id))
                return refused(std::move(*r));
        }
    }
    outcome o;
    keep_only(*response, "response", response_fields, o.decision.removed_fields);
    if (o.decision.removed_fields.empty())
        return o;
    o.decision.forward_text = dump_json(event);
    o.error = refusal{"donna_field_not_allowed",
                      removal_message("response.create", o.decision.removed_fields, true),
                      o.decision.removed_fields.front(), id};
    return o;
}

std::string error_event_text(std::uint64_t number, const refusal& r)
{
    json error = {{"type", "invalid_request_error"},
                  {"code", r.code},
                  {"message", r.message},
                  {"param", r.param ? json(*r.param) : json(nullptr)},
                  {"event_id", r.client_event_id ? json(*r.client_event_id) : json(nullptr)}};
    return dump_json(json{{"type", "error"},
                          {"event_id", "event_donna_" + std::to_string(number)},
                          {"error", std::move(error)}});
}

// Everything but the error event's numbering, which needs the policy's counter.
outcome decide(std::string_view text, donna::dialect dialect)
{
    const auto type = peek_event_type(text);
    if (!type) {
        const errc code = type.error().code;
        std::optional<std::string> param;
        if (code != errc::invalid_json && code != errc::not_an_object)
            param = "type";
        return refused({malformed_code(code), type.error().message, param, std::nullopt});
    }
    // The hot path: no DOM, the text goes up byte for byte.
    if (*type == "input_audio_buffer.append")
        return forward_unchanged(text);
    if (*type == "connect_realtime") {
        outcome o;
        o.decision.action = client_event_action::connect_realtime;
        return o;
    }

    const auto known = event_type_from_name(*type);
    const bool allowed = known && is_client_event(known->first);
    const bool inspected =
        allowed && (known->first == realtime_event_type::session_update ||
                    known->first == realtime_event_type::response_create ||
                    known->first == realtime_event_type::conversation_item_create);
    if (allowed && !inspected)
        return forward_unchanged(text);

    auto event = parse_event_object(text);
    if (!event)
        return refused({malformed_code(event.error().code), event.error().message, std::nullopt,
                        std::nullopt});
    if (!allowed) {
        const char* why = known ? "is a server event, which a client may not send"
                                : "is not a Realtime client event";
        return refused(
            {"donna_event_not_allowed",
             "event type " + quoted_excerpt(*type) + " " + why + "; it was not forwarded", "type",
             client_event_id(*event)});
    }

    outcome o;
    if (known->first == realtime_event_type::session_update)
        o = filter_session_update(*event, dialect);
    else if (known->first == realtime_event_type::response_create)
        o = filter_response_create(*event);
    else
        o = filter_item_create(*event);
    if (o.decision.action == client_event_action::forward && o.decision.forward_text.empty())
        o.decision.forward_text = std::string(text); // unchanged
    return o;
}

} // namespace

client_policy::client_policy(const persona_profile& persona, donna::dialect dialect,
                             realtime_model_settings models)
    : persona_(persona), dialect_(dialect), models_(std::move(models))
{}

namespace {

// The persona's reasoning settings, for a reasoning model in the GA dialect (beta has none).
void add_reasoning(json& session, const persona_profile& persona, donna::dialect dialect,
                   const realtime_model_settings& models)
{
    if (dialect != donna::dialect::ga || !realtime_model_reasons(models.model))
        return;
    session["reasoning"] = {{"effort", persona.realtime_reasoning_effort}};
    session["parallel_tool_calls"] = persona.realtime_parallel_tool_calls;
}

// Beta's name for a GA audio format type (API-NOTES section 10: g711_ulaw is audio/pcmu).
std::string beta_audio_format(std::string_view ga_type)
{
    if (ga_type == "audio/pcmu")
        return "g711_ulaw";
    if (ga_type == "audio/pcma")
        return "g711_alaw";
    return "pcm16";
}

} // namespace

std::string client_policy::instructions_of(const persona_profile& persona) const
{
    const bool tools = models_.tools.is_array() && !models_.tools.empty();
    return (tools ? persona.instructions + models_.tools_instructions : persona.instructions) +
           models_.context_instructions;
}

std::string client_policy::initial_session_update() const
{
    json session = json::object();
    if (dialect_ == donna::dialect::ga) {
        session["type"] = "realtime";
        session["instructions"] = instructions_of(persona_);
        session["audio"] = {{"output", {{"voice", persona_.realtime_voice}}}};
        if (!models_.audio_format.empty()) {
            const json format = {{"type", models_.audio_format}};
            session["audio"]["input"]["format"] = format;
            session["audio"]["output"]["format"] = format;
        }
    } else {
        session["instructions"] = instructions_of(persona_);
        session["voice"] = persona_.realtime_voice;
        if (!models_.audio_format.empty()) {
            const auto beta_name = beta_audio_format(models_.audio_format);
            session["input_audio_format"] = beta_name;
            session["output_audio_format"] = beta_name;
        }
    }
    add_reasoning(session, persona_, dialect_, models_);
    if (models_.tools.is_array() && !models_.tools.empty()) {
        session["tools"] = models_.tools;
        session["tool_choice"] = "auto";
    }
    return dump_json(json{{"type", "session.update"}, {"session", std::move(session)}});
}

std::string client_policy::transcription_update() const
{
    if (models_.transcription_model.empty())
        return {};
    json transcription = {{"model", models_.transcription_model}};
    if (!models_.transcription_language.empty())
        transcription["language"] = models_.transcription_language;
    json session = json::object();
    if (dialect_ == donna::dialect::ga) {
        session["type"] = "realtime";
        session["audio"] = {{"input", {{"transcription", std::move(transcription)}}}};
    } else {
        session["input_audio_transcription"] = std::move(transcription);
    }
    return dump_json(json{{"type", "session.update"}, {"session", std::move(session)}});
}

std::string client_policy::persona_switch_update(const persona_profile& persona) const
{
    json session = {{"instructions", instructions_of(persona)}};
    if (dialect_ == donna::dialect::ga)
        session["type"] = "realtime"; // GA requires the session kind on every update
    add_reasoning(session, persona, dialect_, models_);
    return dump_json(json{{"type", "session.update"}, {"session", std::move(session)}});
}

policy_decision client_policy::filter(std::string_view client_event_json)
{
    outcome o = decide(client_event_json, dialect_);
    if (o.error)
        o.decision.error_event = error_event_text(++errors_sent_, *o.error);
    return std::move(o.decision);
}

std::string client_policy::error_event(std::string_view code, std::string_view message)
{
    return error_event_text(++errors_sent_, refusal{std::string(code), std::string(message),
                                                    std::nullopt, std::nullopt});
}

std::string client_policy::standalone_error_event(std::string_view code, std::string_view message)
{
    return error_event_text(
        0, refusal{std::string(code), std::string(message), std::nullopt, std::nullopt});
}

} // namespace donna::relay
