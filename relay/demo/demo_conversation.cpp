// demo_conversation.cpp: the simulated Realtime session: session state, turn detection over
// the appended audio, and complete spoken (or text) responses, in the client's dialect.
//
// [SECTION] helpers: JSON navigation, numbers, reply texts
// [SECTION] session: defaults and session.update validation
// [SECTION] dispatch
// [SECTION] input audio and turns
// [SECTION] items
// [SECTION] responses
// [SECTION] output
#include "demo/demo_conversation.hpp"

#include "audio/base64.hpp"
#include "audio/pcm16.hpp"
#include "protocol/json_fields.hpp"
#include "protocol/realtime_server_events.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <exception>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>
#include <variant>

namespace donna::relay {
namespace {

using json = nlohmann::json;
using t = realtime_event_type;

// ---------------------------------------------------------------- [SECTION] helpers

const char* const default_greeting = "Hello! DONNA is running in demo mode.";
const char* const key_hint = "Add an OpenAI API key to talk to DONNA for real.";
constexpr std::size_t words_per_delta = 3;
constexpr std::int64_t min_commit_samples = demo_conversation::sample_rate / 10; // 100 ms
constexpr std::int64_t max_duration_ms = 600000; // turn-detection durations above 10 min
                                                 // are surely a mistake

// The member `key` of `object`, or nullptr when object is not an object or lacks it.
const json* child(const json& object, const char* key)
{
    if (!object.is_object())
        return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

// `value` with fixed decimals, independent of the C locale.
std::string fixed(double value, int decimals)
{
    std::array<char, 64> text{};
    auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), value,
                                   std::chars_format::fixed, decimals);
    if (ec != std::errc())
        return "?";
    return {text.data(), end};
}

double seconds_of(std::int64_t samples)
{
    return static_cast<double>(samples) / demo_conversation::sample_rate;
}

std::int64_t ms_of(std::int64_t samples)
{
    return samples * 1000 / demo_conversation::sample_rate;
}

// At most `limit` bytes of UTF-8 text, never cutting a character in two.
std::string utf8_prefix(const std::string& text, std::size_t limit)
{
    if (text.size() <= limit)
        return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U)
        --end;
    return text.substr(0, end) + "...";
}

std::string heard_reply(std::int64_t samples, const char* what)
{
    return std::string("Demo mode: I heard ") + fixed(seconds_of(samples), 1) + " seconds of " +
           what + ". " + key_hint;
}

std::string typed_reply(const std::string& typed)
{
    return "Demo mode: you said \"" + utf8_prefix(typed, demo_conversation::max_quoted_bytes) +
           "\". " + key_hint;
}

// Cuts text after every few words; the pieces concatenate back to exactly `text`.
std::vector<std::string> split_words(const std::string& text)
{
    std::vector<std::string> pieces;
    std::size_t start = 0;
    std::size_t words = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool word_ends = text[i] == ' ' && i > 0 && text[i - 1] != ' ';
        if (word_ends && ++words == words_per_delta) {
            pieces.push_back(text.substr(start, i + 1 - start));
            start = i + 1;
            words = 0;
        }
    }
    if (start < text.size())
        pieces.push_back(text.substr(start));
    return pieces;
}

// True when a modalities list ("output_modalities" GA, "modalities" beta) lacks "audio".
bool lacks_audio(const json& modalities)
{
    return std::none_of(modalities.begin(), modalities.end(),
                        [](const json& m) { return m.is_string() && m == "audio"; });
}

// Merges patch into target recursively: objects merge, everything else (null included)
// replaces. Depth is bounded: parse_realtime_event refused documents over 64 levels.
void merge_into(json& target, const json& patch)
{
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        json& slot = target[it.key()];
        if (it->is_object() && slot.is_object())
            merge_into(slot, *it);
        else
            slot = *it;
    }
}

// The client's own event_id, for error.event_id, from any parsed client event.
std::optional<std::string> event_id_of(const parsed_realtime_event& parsed)
{
    return std::visit(
        [](const auto& e) -> std::optional<std::string> {
            if constexpr (std::is_same_v<std::decay_t<decltype(e)>, other_event>) {
                const json* id = child(e.body, "event_id");
                if (id != nullptr && id->is_string())
                    return id->template get<std::string>();
                return std::nullopt;
            } else {
                return e.event_id;
            }
        },
        parsed.event);
}

// The same from text that failed to parse as an event, if it is at least a sound JSON object
// (peek_event_type checks syntax and depth before nlohmann builds anything).
std::optional<std::string> event_id_of(std::string_view text)
{
    if (!peek_event_type(text))
        return std::nullopt;
    const json object = json::parse(text, nullptr, false);
    const json* id = object.is_discarded() ? nullptr : child(object, "event_id");
    if (id != nullptr && id->is_string())
        return id->get<std::string>();
    return std::nullopt;
}

// ---------------------------------------------------------------- [SECTION] session

// turn_detection as the detector will run it; shown_turn_detection() gives its wire form.
struct vad_settings {
    bool on = false;
    bool semantic = false;
    bool create_response = true;
    bool interrupt_response = true;
    double threshold = turn_config{}.threshold; // as given, so 0.3 shows as 0.3
    turn_config config;
    std::string eagerness = "auto";
};

// turn_detection as session.updated shows it, unspecified fields at the API's defaults.
json shown_turn_detection(const vad_settings& s, dialect spelling)
{
    if (!s.on)
        return nullptr;
    if (s.semantic)
        return {{"type", "semantic_vad"},
                {"eagerness", s.eagerness},
                {"create_response", s.create_response},
                {"interrupt_response", s.interrupt_response}};
    json shown = {{"type", "server_vad"},
                  {"threshold", s.threshold},
                  {"prefix_padding_ms", s.config.prefix_padding_ms},
                  {"silence_duration_ms", s.config.silence_duration_ms},
                  {"create_response", s.create_response},
                  {"interrupt_response", s.interrupt_response}};
    if (spelling == dialect::ga)
        shown["idle_timeout_ms"] = nullptr; // no idle timeout in demo mode
    return shown;
}

vad_settings server_vad_defaults()
{
    vad_settings s;
    s.on = true;
    return s;
}

json default_session(dialect spelling, const std::string& id)
{
    if (spelling == dialect::beta)
        return json{{"id", id},
                    {"object", "realtime.session"},
                    {"model", "donna-demo"},
                    {"modalities", json::array({"text", "audio"})},
                    {"instructions", ""},
                    {"voice", "alloy"},
                    {"input_audio_format", "pcm16"},
                    {"output_audio_format", "pcm16"},
                    {"input_audio_transcription", nullptr},
                    {"turn_detection", shown_turn_detection(server_vad_defaults(), spelling)},
                    {"tools", json::array()},
                    {"tool_choice", "auto"},
                    {"temperature", 0.8},
                    {"max_response_output_tokens", "inf"}};
    const json pcm = {{"type", "audio/pcm"}, {"rate", demo_conversation::sample_rate}};
    return json{{"type", "realtime"},
                {"object", "realtime.session"},
                {"id", id},
                {"model", "donna-demo"},
                {"output_modalities", json::array({"audio"})},
                {"instructions", ""},
                {"audio",
                 {{"input",
                   {{"format", pcm},
                    {"transcription", nullptr},
                    {"noise_reduction", nullptr},
                    {"turn_detection", shown_turn_detection(server_vad_defaults(), spelling)}}},
                  {"output", {{"format", pcm}, {"voice", "alloy"}, {"speed", 1.0}}}}},
                {"tools", json::array()},
                {"tool_choice", "auto"},
                {"max_output_tokens", "inf"}};
}

// A session.update problem, reported as the API does: a code and the offending parameter.
struct update_error {
    std::string code;
    std::string message;
    std::string param;
};

std::optional<int> duration_ms(const json& value)
{
    if (!value.is_number_integer())
        return std::nullopt;
    if (value.is_number_unsigned())
        return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(max_duration_ms)
                   ? std::optional<int>(static_cast<int>(value.get<std::uint64_t>()))
                   : std::nullopt;
    const auto ms = value.get<std::int64_t>();
    if (ms < 0 || ms > max_duration_ms)
        return std::nullopt;
    return static_cast<int>(ms);
}

std::variant<vad_settings, update_error> read_turn_detection(const json& td,
                                                             const std::string& param)
{
    vad_settings s;
    if (td.is_null())
        return s; // off: manual turns
    if (!td.is_object())
        return update_error{"invalid_type", param + " must be an object or null", param};
    const json* type = child(td, "type");
    s.semantic = type != nullptr && *type == "semantic_vad";
    if (type == nullptr || !(s.semantic || *type == "server_vad"))
        return update_error{"invalid_value", param + ".type must be 'server_vad' or 'semantic_vad'",
                            param + ".type"};
    s.on = true;
    for (const char* flag : {"create_response", "interrupt_response"}) {
        const json* value = child(td, flag);
        if (value != nullptr && !value->is_boolean())
            return update_error{"invalid_type", param + "." + flag + " must be a boolean",
                                param + "." + flag};
    }
    if (const json* create = child(td, "create_response"))
        s.create_response = create->get<bool>();
    if (const json* interrupt = child(td, "interrupt_response"))
        s.interrupt_response = interrupt->get<bool>();

    if (s.semantic) {
        // No semantic model here: the energy detector runs with its defaults.
        const json* eagerness = child(td, "eagerness");
        if (eagerness != nullptr && !(*eagerness == "low" || *eagerness == "medium" ||
                                      *eagerness == "high" || *eagerness == "auto"))
            return update_error{"invalid_value",
                                param + ".eagerness must be 'low', 'medium', 'high' or 'auto'",
                                param + ".eagerness"};
        if (eagerness != nullptr)
            s.eagerness = eagerness->get<std::string>();
        return s;
    }
    if (const json* threshold = child(td, "threshold")) {
        if (!threshold->is_number() || threshold->get<double>() < 0.0 ||
            threshold->get<double>() > 1.0)
            return update_error{"invalid_value",
                                param + ".threshold must be a number from 0.0 to 1.0",
                                param + ".threshold"};
        s.threshold = threshold->get<double>();
        s.config.threshold = static_cast<float>(s.threshold);
    }
    const std::pair<const char*, int*> durations[] = {
        {"prefix_padding_ms", &s.config.prefix_padding_ms},
        {"silence_duration_ms", &s.config.silence_duration_ms}};
    for (const auto& [key, slot] : durations) {
        const json* value = child(td, key);
        if (value == nullptr)
            continue;
        const std::optional<int> ms = duration_ms(*value);
        if (!ms)
            return update_error{"invalid_value",
                                param + "." + key + " must be an integer from 0 to " +
                                    std::to_string(max_duration_ms),
                                param + "." + key};
        *slot = *ms;
    }
    if (auto valid = turn_detector::validate(s.config); !valid)
        return update_error{"invalid_value", valid.error().message, param};
    return s;
}

// Only 24 kHz PCM16 can be fed to the detector and spoken back.
std::optional<update_error> check_format(const json* format, dialect spelling,
                                         const std::string& param)
{
    if (format == nullptr)
        return std::nullopt;
    if (spelling == dialect::beta) {
        if (*format == "pcm16")
            return std::nullopt;
    } else {
        const json* type = child(*format, "type");
        const json* rate = child(*format, "rate");
        if (type != nullptr && *type == "audio/pcm" &&
            (rate == nullptr || *rate == demo_conversation::sample_rate))
            return std::nullopt;
    }
    return update_error{
        "invalid_value",
        "demo mode only handles 24 kHz PCM16 audio (" +
            std::string(spelling == dialect::beta ? "\"pcm16\"" : "audio/pcm at 24000 Hz") + "); " +
            param + " asks for " + quoted_excerpt(dump_json(*format)),
        param};
}

std::optional<update_error> check_modalities(const json& modalities, const std::string& param)
{
    const bool valid = modalities.is_array() && !modalities.empty() &&
                       std::all_of(modalities.begin(), modalities.end(),
                                   [](const json& m) { return m == "audio" || m == "text"; });
    if (valid)
        return std::nullopt;
    return update_error{"invalid_value",
                        param + " must be a non-empty list of \"audio\" and \"text\"", param};
}

} // namespace

// ---------------------------------------------------------------- [SECTION] dispatch

demo_conversation::demo_conversation(std::string greeting, donna::dialect dialect,
                                     speech_synth& synth)
    : greeting_(greeting.empty() ? std::string(default_greeting) : std::move(greeting)),
      dialect_(dialect),
      synth_(synth)
{
    session_ = default_session(dialect_, next_id("sess"));
    auto detector = turn_detector::create(sample_rate);
    if (detector)
        detector_ = *detector;
    samples_.reserve(sample_rate);
    turn_events_.reserve(8);
}

std::vector<std::string> demo_conversation::start()
{
    out_.clear();
    json event = envelope(t::session_created);
    event["session"] = session_;
    emit(event);
    return std::exchange(out_, {});
}

std::vector<std::string> demo_conversation::on_client_event(std::string_view client_event_json)
{
    out_.clear();
    try {
        dispatch(client_event_json);
    } catch (const std::exception& e) {
        // Not expected (every JSON access is type-checked first, so this is bad_alloc at
        // most), but an exception must never reach the relay's I/O thread.
        out_.clear();
        error_event failed;
        failed.event_id = next_id("event");
        failed.type = "server_error";
        failed.message = std::string("demo mode failed on this event: ") + e.what();
        emit(failed.to_json(dialect_));
    }
    return std::exchange(out_, {});
}

void demo_conversation::dispatch(std::string_view client_event_json)
{
    auto parsed = parse_realtime_event(client_event_json);
    if (!parsed) {
        const donna::error& e = parsed.error();
        emit_error(e.code == errc::unknown_event_type ? "unknown_event" : to_string(e.code),
                   e.message, std::nullopt, event_id_of(client_event_json));
        return;
    }
    const std::optional<std::string> cause = event_id_of(*parsed);
    const std::string name(event_type_name(parsed->type, parsed->spelling));
    if (!is_client_event(parsed->type)) {
        emit_error("unknown_event", "'" + name + "' is a server event; a client cannot send it",
                   "type", cause);
        return;
    }

    const realtime_event& event = parsed->event;
    if (const auto* update = std::get_if<session_update>(&event)) {
        on_session_update(update->session, cause);
    } else if (const auto* append = std::get_if<input_audio_buffer_append>(&event)) {
        on_append(append->audio, cause);
    } else if (std::holds_alternative<input_audio_buffer_commit>(event)) {
        on_commit(cause);
    } else if (std::holds_alternative<input_audio_buffer_clear>(event)) {
        on_clear();
    } else if (parsed->type == t::conversation_item_create) {
        // Typed (user text) or not, the item is read from the original object.
        on_item_create(json::parse(client_event_json, nullptr, false), cause);
    } else if (const auto* truncate = std::get_if<conversation_item_truncate>(&event)) {
        on_truncate(*truncate);
    } else if (const auto* create = std::get_if<response_create>(&event)) {
        on_response_create(create->response);
    } else if (std::holds_alternative<response_cancel>(event)) {
        // Replies are complete before this call could arrive: as the API does with nothing
        // in progress.
        emit_error("response_cancel_not_active", "Cancellation failed: no active response found",
                   std::nullopt, cause);
    } else {
        emit_error("unknown_event", "demo mode does not implement '" + name + "'", "type", cause);
    }
}

void demo_conversation::on_session_update(const json& session,
                                          const std::optional<std::string>& cause)
{
    if (!session.is_object()) {
        emit_error("invalid_type", "session must be an object", "session", cause);
        return;
    }
    const bool beta = dialect_ == dialect::beta;
    const json* audio = beta ? nullptr : child(session, "audio");
    const json* input = beta ? nullptr : (audio != nullptr ? child(*audio, "input") : nullptr);
    const json* output = beta ? nullptr : (audio != nullptr ? child(*audio, "output") : nullptr);
    const std::string td_param =
        beta ? "session.turn_detection" : "session.audio.input.turn_detection";
    const json* td = beta ? child(session, "turn_detection")
                          : (input != nullptr ? child(*input, "turn_detection") : nullptr);
    const char* modalities_key = beta ? "modalities" : "output_modalities";

    std::optional<update_error> problem;
    std::optional<vad_settings> vad;
    if (td != nullptr) {
        auto read = read_turn_detection(*td, td_param);
        if (auto* bad = std::get_if<update_error>(&read))
            problem = std::move(*bad);
        else
            vad = std::move(std::get<vad_settings>(read));
    }
    if (!problem)
        problem = beta ? check_format(child(session, "input_audio_format"), dialect_,
                                      "session.input_audio_format")
                       : check_format(input != nullptr ? child(*input, "format") : nullptr,
                                      dialect_, "session.audio.input.format");
    if (!problem)
        problem = beta ? check_format(child(session, "output_audio_format"), dialect_,
                                      "session.output_audio_format")
                       : check_format(output != nullptr ? child(*output, "format") : nullptr,
                                      dialect_, "session.audio.output.format");
    if (const json* modalities = child(session, modalities_key); !problem && modalities)
        problem = check_modalities(*modalities, std::string("session.") + modalities_key);
    if (problem) {
        emit_error(problem->code, problem->message, problem->param, cause);
        return;
    }

    // The server owns these; a client cannot rename the session.
    const json id = session_["id"];
    const json object = session_["object"];
    merge_into(session_, session);
    session_["id"] = id;
    session_["object"] = object;

    if (vad) {
        json& shown =
            beta ? session_["turn_detection"] : session_["audio"]["input"]["turn_detection"];
        shown = shown_turn_detection(*vad, dialect_);
        const bool was_on = vad_on_;
        vad_on_ = vad->on;
        create_response_ = vad->create_response;
        if (detector_ && vad_on_) {
            // Always valid here: read_turn_detection ran the same validation.
            (void)detector_->reconfigure(vad->config);
            if (!was_on)
                restart_detector();
        }
        if (!vad_on_)
            speech_item_id_.clear();
    }
    json event = envelope(t::session_updated);
    event["session"] = session_;
    emit(event);
}

// ---------------------------------------------------------------- [SECTION] input audio

void demo_conversation::on_append(const std::string& audio_base64,
                                  const std::optional<std::string>& cause)
{
    auto bytes = base64_decode(audio_base64);
    if (!bytes) {
        emit_error(to_string(bytes.error().code),
                   "input_audio_buffer.append: audio is not valid base64: " + bytes.error().message,
                   "audio", cause);
        return;
    }
    const std::vector<std::int16_t> pcm = pcm16_from_bytes(*bytes);
    samples_.resize(pcm.size());
    pcm16_to_float(pcm, samples_);
    if (!vad_on_ || !detector_) {
        stream_samples_ += static_cast<std::int64_t>(pcm.size());
        return;
    }
    turn_events_.clear();
    detector_->process(samples_, turn_events_);
    stream_samples_ += static_cast<std::int64_t>(pcm.size());
    for (const turn_event& e : turn_events_)
        handle_turn_event(e);
}

void demo_conversation::handle_turn_event(const turn_event& event)
{
    if (event.kind == turn_event_kind::speech_started) {
        speech_item_id_ = next_id("item");
        speech_onset_ = detector_base_ + event.sample;
        speech_started started;
        started.event_id = next_id("event");
        started.audio_start_ms = ms_of(detector_base_ + event.audio_start_sample);
        started.item_id = speech_item_id_;
        emit(started.to_json(dialect_));
        return;
    }
    if (speech_item_id_.empty()) // a turn dropped by clear or commit: nothing to stop
        return;
    const std::int64_t end = detector_base_ + event.sample;
    speech_stopped stopped;
    stopped.event_id = next_id("event");
    stopped.audio_end_ms = ms_of(end);
    stopped.item_id = speech_item_id_;
    emit(stopped.to_json(dialect_));

    const std::int64_t spoken = end - speech_onset_;
    const std::string item_id = std::exchange(speech_item_id_, {});
    commit_user_audio(item_id,
                      "(demo mode: " + fixed(seconds_of(spoken), 1) + " seconds of speech)");
    // The buffer was cut when the stop was decided: silence_duration_ms after the speech.
    const std::int64_t decided =
        end +
        static_cast<std::int64_t>(detector_->config().silence_duration_ms) * sample_rate / 1000;
    buffer_start_ = std::min(decided, stream_samples_);
    if (create_response_) {
        pending_reply_.reset();
        respond(heard_reply(spoken, "speech"), session_text_only());
    } else {
        pending_reply_ = heard_reply(spoken, "speech");
    }
}

void demo_conversation::on_commit(const std::optional<std::string>& cause)
{
    const std::int64_t buffered = stream_samples_ - buffer_start_;
    if (buffered < min_commit_samples) {
        emit_error("input_audio_buffer_commit_empty",
                   "Error committing input audio buffer: buffer too small. Expected at least "
                   "100ms of audio, but buffer only has " +
                       fixed(static_cast<double>(buffered) * 1000.0 / sample_rate, 2) +
                       "ms of audio.",
                   std::nullopt, cause);
        return;
    }
    std::string item_id = speech_item_id_.empty() ? next_id("item") : speech_item_id_;
    if (detector_ && detector_->in_speech())
        restart_detector(); // this turn is committed: the detector must not stop it again
    speech_item_id_.clear();
    commit_user_audio(item_id,
                      "(demo mode: " + fixed(seconds_of(buffered), 1) + " seconds of audio)");
    buffer_start_ = stream_samples_;
    // A manual commit never starts a response by itself; response.create will answer it.
    pending_reply_ = heard_reply(buffered, "audio");
}

void demo_conversation::on_clear()
{
    buffer_start_ = stream_samples_;
    if (detector_ && detector_->in_speech())
        restart_detector();
    speech_item_id_.clear();
    emit(envelope(t::input_audio_buffer_cleared));
}

void demo_conversation::commit_user_audio(const std::string& item_id, const std::string& transcript)
{
    const std::optional<std::string> previous = last_item_id_;
    emit(audio_committed(next_id("event"), item_id, previous));
    announce_item(user_audio_item(item_id), previous);
    remember_item({item_id, false, 0});
    last_item_id_ = item_id;

    input_transcription_completed done;
    done.event_id = next_id("event");
    done.item_id = item_id;
    done.transcript = transcript;
    json event = done.to_json(dialect_);
    event["usage"] = {{"type", "duration"},
                      {"seconds", 0}}; // nothing was transcribed, nothing is billed
    emit(event);
}

void demo_conversation::restart_detector()
{
    if (detector_)
        detector_->reset();
    detector_base_ = stream_samples_;
    speech_item_id_.clear();
}

// ---------------------------------------------------------------- [SECTION] items

void demo_conversation::on_item_create(const json& event, const std::optional<std::string>& cause)
{
    const json* item = child(event, "item");
    if (item == nullptr || !item->is_object()) {
        emit_error("invalid_type", "item must be an object", "item", cause);
        return;
    }
    const json* type = child(*item, "type");
    if (type == nullptr || !type->is_string()) {
        emit_error("missing_required_parameter", "item.type must be a string", "item.type", cause);
        return;
    }
    std::string id;
    if (const json* given = child(*item, "id")) {
        if (!given->is_string() || given->get_ref<const std::string&>().empty()) {
            emit_error("invalid_type", "item.id must be a non-empty string", "item.id", cause);
            return;
        }
        id = given->get<std::string>();
        if (find_item(id) != nullptr) {
            emit_error("invalid_value", "Item with id " + quoted_excerpt(id) + " already exists",
                       "item.id", cause);
            return;
        }
    } else {
        id = next_id("item");
    }
    std::optional<std::string> previous = last_item_id_;
    if (const json* given = child(event, "previous_item_id"); given && given->is_string())
        previous = given->get<std::string>();

    json shown = *item;
    shown["id"] = id;
    shown["object"] = "realtime.item";
    if (*type == "message" && !shown.contains("status"))
        shown["status"] = "completed";
    announce_item(shown, previous);
    remember_item({id, false, 0});
    last_item_id_ = id;

    const json* role = child(*item, "role");
    const json* content = child(*item, "content");
    if (*type != "message" || role == nullptr || *role != "user" || content == nullptr ||
        !content->is_array())
        return;
    std::string typed;
    for (const json& part : *content) {
        const json* part_type = child(part, "type");
        const json* text = child(part, "text");
        if (part_type == nullptr || *part_type != "input_text" || text == nullptr ||
            !text->is_string())
            continue;
        if (!typed.empty())
            typed += ' ';
        typed += text->get<std::string>();
    }
    if (!typed.empty())
        pending_reply_ = typed_reply(typed);
}

void demo_conversation::on_truncate(const conversation_item_truncate& truncate)
{
    item_record* item = find_item(truncate.item_id);
    if (item == nullptr) {
        emit_error("invalid_value",
                   "Item with item_id " + quoted_excerpt(truncate.item_id) + " not found",
                   "item_id", truncate.event_id);
        return;
    }
    if (!item->assistant_audio) {
        emit_error("invalid_value", "Only model output audio messages can be truncated", "item_id",
                   truncate.event_id);
        return;
    }
    if (truncate.content_index != 0) {
        emit_error("invalid_value",
                   "content_index " + std::to_string(truncate.content_index) +
                       " does not exist: the item has one content part (index 0)",
                   "content_index", truncate.event_id);
        return;
    }
    if (truncate.audio_end_ms > item->audio_ms) {
        emit_error("invalid_value",
                   "Audio content of " + std::to_string(item->audio_ms) +
                       "ms is already shorter than " + std::to_string(truncate.audio_end_ms) + "ms",
                   "audio_end_ms", truncate.event_id);
        return;
    }
    item->audio_ms = truncate.audio_end_ms;
    emit(item_truncated(next_id("event"), truncate.item_id, truncate.content_index,
                        truncate.audio_end_ms));
}

void demo_conversation::remember_item(item_record record)
{
    if (items_.size() >= max_remembered_items)
        items_.pop_front();
    items_.push_back(std::move(record));
}

demo_conversation::item_record* demo_conversation::find_item(const std::string& id)
{
    auto it = std::find_if(items_.begin(), items_.end(),
                           [&](const item_record& r) { return r.id == id; });
    return it == items_.end() ? nullptr : &*it;
}

// ---------------------------------------------------------------- [SECTION] responses

void demo_conversation::on_response_create(const std::optional<json>& params)
{
    bool text_only = session_text_only();
    const char* key = dialect_ == dialect::beta ? "modalities" : "output_modalities";
    if (const json* modalities = params ? child(*params, key) : nullptr) {
        if (auto problem = check_modalities(*modalities, std::string("response.") + key)) {
            emit_error(problem->code, problem->message, problem->param, std::nullopt);
            return;
        }
        text_only = lacks_audio(*modalities);
    }
    const std::string text = pending_reply_ ? *pending_reply_ : greeting_;
    pending_reply_.reset();
    respond(text, text_only);
}

bool demo_conversation::session_text_only() const
{
    const json* modalities =
        child(session_, dialect_ == dialect::beta ? "modalities" : "output_modalities");
    return modalities != nullptr && modalities->is_array() && lacks_audio(*modalities);
}

void demo_conversation::respond(const std::string& text, bool text_only)
{
    const bool beta = dialect_ == dialect::beta;
    const std::optional<std::string> previous = last_item_id_;
    std::string response_id = next_id("resp"); // in this order: ids count up
    std::string item_id = next_id("item");
    const assistant_message reply(dialect_, std::move(response_id), std::move(item_id), text_only,
                                  [this] { return next_id("event"); });

    json response = {{"object", "realtime.response"},
                     {"id", reply.response_id()},
                     {"status", "in_progress"},
                     {"status_details", nullptr},
                     {"output", json::array()},
                     {"usage", nullptr},
                     {"metadata", nullptr}};
    if (beta) {
        response["modalities"] = text_only ? json::array({"text"}) : json::array({"audio", "text"});
    } else {
        response["conversation_id"] = "conv_demo";
        response["output_modalities"] = text_only ? json::array({"text"}) : json::array({"audio"});
    }
    emit(response_event(t::response_created, response, next_id("event"), dialect_));

    std::vector<std::int16_t> pcm;
    if (!text_only) {
        auto spoken = synth_.synthesize(text);
        if (!spoken) {
            response["status"] = "failed";
            response["status_details"] = {{"type", "failed"},
                                          {"error",
                                           {{"type", "server_error"},
                                            {"code", to_string(spoken.error().code)},
                                            {"message", "demo mode could not synthesise speech: " +
                                                            spoken.error().message}}}};
            emit(response_event(t::response_done, response, next_id("event"), dialect_));
            return;
        }
        pcm = std::move(*spoken);
    }

    emit(reply.output_item_added());
    emit(reply.conversation_item_added(previous));
    emit(reply.content_part_added());

    // Transcript deltas spread over the audio, as a streaming model interleaves them.
    const std::vector<std::string> words = split_words(text);
    const std::size_t chunks = (pcm.size() + audio_delta_samples - 1) / audio_delta_samples;
    std::size_t next_word = 0;
    const auto emit_words_until = [&](std::size_t chunk) {
        for (; next_word < words.size() &&
               (chunks == 0 || next_word * chunks / words.size() <= chunk);
             ++next_word)
            emit(reply.transcript_delta(words[next_word]));
    };
    for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
        emit_words_until(chunk);
        const std::size_t begin = chunk * audio_delta_samples;
        const std::size_t size = std::min(audio_delta_samples, pcm.size() - begin);
        emit(reply.audio_delta(base64_encode(pcm16_to_bytes(std::span(pcm).subspan(begin, size)))));
    }
    emit_words_until(std::numeric_limits<std::size_t>::max());

    if (!text_only)
        emit(reply.audio_done());
    emit(reply.transcript_done(text));
    emit(reply.content_part_done(text));
    emit(reply.output_item_done(text));
    if (auto done = reply.conversation_item_done(previous, text))
        emit(*done);

    response["status"] = "completed";
    response["output"] = json::array({reply.item_completed(text)});
    response["usage"] = {{"total_tokens", 0}, {"input_tokens", 0}, {"output_tokens", 0}};
    emit(response_event(t::response_done, response, next_id("event"), dialect_));

    remember_item({reply.item_id(), !text_only, ms_of(static_cast<std::int64_t>(pcm.size()))});
    last_item_id_ = reply.item_id();
}

// ---------------------------------------------------------------- [SECTION] output

std::string demo_conversation::next_id(std::string_view prefix)
{
    return std::string(prefix) + "_demo" + std::to_string(++counter_);
}

json demo_conversation::envelope(realtime_event_type type)
{
    return json{{"type", std::string(event_type_name(type, dialect_))},
                {"event_id", next_id("event")}};
}

void demo_conversation::emit(const json& event)
{
    out_.push_back(dump_json(event));
}

void demo_conversation::emit_error(std::string code, std::string message,
                                   std::optional<std::string> param,
                                   std::optional<std::string> cause)
{
    error_event e;
    e.event_id = next_id("event");
    e.type = "invalid_request_error";
    e.code = std::move(code);
    e.message = std::move(message);
    e.param = std::move(param);
    e.caused_by_event_id = std::move(cause);
    emit(e.to_json(dialect_));
}

void demo_conversation::announce_item(const json& item, const std::optional<std::string>& previous)
{
    for (const auto& event :
         item_announcements(item, previous, dialect_, [this] { return next_id("event"); }))
        emit(event);
}

} // namespace donna::relay
