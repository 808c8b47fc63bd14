// fake_openai_http.cpp: OpenAI's REST API as a fake_http_server handler: routing and the key
// check, the three endpoints' validation, and their answers (an error body, a JSON object, a
// plain transcript, or a chunked server-sent-event stream). Runs on the server's I/O thread;
// what tests script at run time sits behind the handler's own mutex.
//
// Sections: [helpers] [validation] [answers] [moderation] [transcription] [api]
//           [fake_openai_http]
#include "fake_openai_http.hpp"

#include "openai_error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace donna::fakes {

std::string fake_openai_default_key()
{
    return std::string("sk-") + "fake-http-test-key";
}

namespace {

// Insertion order keeps "id" and "object" first, as the API writes them.
using json = nlohmann::ordered_json;

constexpr std::string_view completions_path = "/v1/chat/completions";
constexpr std::string_view moderations_path = "/v1/moderations";
constexpr std::string_view transcriptions_path = "/v1/audio/transcriptions";
constexpr std::string_view models_path = "/v1/models";

// ---------------------------------------------------------------- [helpers]

// Up to three pieces of about equal size, never cutting a UTF-8 sequence (the stream's JSON
// must stay valid UTF-8), as the API streams a tool call's arguments in token-sized pieces.
std::vector<std::string> split_fragments(const std::string& text)
{
    std::vector<std::string> pieces;
    const std::size_t step = std::max<std::size_t>(1, (text.size() + 2) / 3);
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = std::min(text.size(), start + step);
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U)
            ++end;
        pieces.push_back(text.substr(start, end - start));
        start = end;
    }
    return pieces;
}

std::int64_t count_words(std::string_view text)
{
    std::istringstream in{std::string(text)};
    std::int64_t n = 0;
    for (std::string word; in >> word;)
        ++n;
    return n;
}

const api_error bad_json{.message = "We could not parse the JSON body of your request. (HINT: "
                                    "This likely means you aren't using your HTTP library "
                                    "correctly. The OpenAI API expects a JSON payload, but what "
                                    "was sent was not valid JSON.)"};

// ---------------------------------------------------------------- [validation]

// A chat completions request the fake accepted.
struct chat_request {
    std::string model;
    bool stream = false;
    bool include_usage = false;
    std::int64_t prompt_tokens = 0;
    std::vector<std::string> functions; // the names `tools` offers
    bool answers_tools = false;         // the last message is a "tool" message
    bool tool_choice_none = false;      // "tool_choice":"none": the model may not call tools
};

// What the assistant answers: text, or a call of one function.
struct reply {
    std::string text;
    std::string tool_name; // a tool call when not empty
    std::string tool_arguments;
    std::string tool_call_id;
};

constexpr std::array<std::string_view, 6> roles = {"system",   "assistant", "user",
                                                   "function", "tool",      "developer"};

std::optional<api_error> check_message(const json& message, std::size_t index, std::int64_t& tokens)
{
    const std::string at = "messages[" + std::to_string(index) + "]";
    if (!message.is_object())
        return wrong_type(at, "an object", message);
    const auto role = message.find("role");
    if (role == message.end())
        return missing(at + ".role");
    if (!role->is_string())
        return wrong_type(at + ".role", "a string", *role);
    const auto role_name = role->get<std::string>();
    if (std::ranges::find(roles, role_name) == roles.end())
        return api_error{.code = "invalid_value",
                         .message = "Invalid value: '" + role_name +
                                    "'. Supported values are: 'system', 'assistant', 'user', "
                                    "'function', 'tool', and 'developer'.",
                         .param = at + ".role"};
    const auto content = message.find("content");
    // Only an assistant turn that carries tool calls may go without content.
    if (content == message.end() || content->is_null()) {
        if (role_name == "assistant" && message.contains("tool_calls"))
            return std::nullopt;
        return missing(at + ".content");
    }
    if (content->is_string())
        tokens += count_words(content->get<std::string>());
    else if (!content->is_array())
        return wrong_type(at + ".content", "one of a string or array of objects", *content);
    tokens += 4; // the per-message framing the real tokenizer adds
    return std::nullopt;
}

// The API's pairing rule: each "tool" message answers a call of the assistant message just
// before it (only other tool messages between them), and every call of such an assistant
// message is answered before anything else comes.
std::optional<api_error> check_tool_pairing(const json& messages)
{
    std::vector<std::string> open; // the calls still unanswered
    bool after_calls = false;      // inside the tool messages that follow an assistant's calls
    const auto role_param = [](std::size_t i) {
        return "messages.[" + std::to_string(i) + "].role";
    };
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        const auto role = m.value("role", "");
        if (role == "tool") {
            const auto id = m.find("tool_call_id");
            if (id == m.end() || !id->is_string())
                return api_error{.message = "Missing parameter 'tool_call_id': messages with role "
                                            "'tool' must have a 'tool_call_id'.",
                                 .param = "messages.[" + std::to_string(i) + "].tool_call_id"};
            const auto it = std::ranges::find(open, id->get<std::string>());
            if (!after_calls || it == open.end())
                return api_error{.message = "Invalid parameter: messages with role 'tool' must be "
                                            "a response to a preceeding message with "
                                            "'tool_calls'.",
                                 .param = role_param(i)};
            open.erase(it);
            continue;
        }
        if (!open.empty()) {
            std::string ids;
            for (const auto& id : open)
                ids += (ids.empty() ? "" : ", ") + id;
            return api_error{.message = "An assistant message with 'tool_calls' must be followed "
                                        "by tool messages responding to each 'tool_call_id'. The "
                                        "following tool_call_ids did not have response "
                                        "messages: " +
                                        ids,
                             .param = role_param(i)};
        }
        after_calls = false;
        if (const auto calls = m.find("tool_calls");
            role == "assistant" && calls != m.end() && calls->is_array()) {
            after_calls = true;
            for (const auto& call : *calls)
                if (call.is_object() && call.contains("id") && call["id"].is_string())
                    open.push_back(call["id"].get<std::string>());
        }
    }
    if (!open.empty())
        return api_error{.message = "An assistant message with 'tool_calls' must be followed by "
                                    "tool messages responding to each 'tool_call_id'. The "
                                    "following tool_call_ids did not have response messages: " +
                                    open.front(),
                         .param = role_param(messages.size() - 1)};
    return std::nullopt;
}

// Chat models that reason (o-series, GPT-5 and later) and the rules OpenAI enforces on them
// in Chat Completions: max_completion_tokens instead of max_tokens; no temperature unless
// reasoning_effort is "none"; GPT-6 calls functions only with "none" (OpenAI's deployment
// checklist). Models from before reasoning refuse reasoning_effort.
bool reasons(std::string_view model)
{
    return model.starts_with("gpt-5") || model.starts_with("gpt-6") || model.starts_with("o1") ||
           model.starts_with("o3") || model.starts_with("o4");
}

api_error unsupported(const std::string& param, const std::string& advice = {})
{
    return api_error{.code = "unsupported_parameter",
                     .message = "Unsupported parameter: '" + param +
                                "' is not supported with this model." + advice,
                     .param = param};
}

std::optional<api_error> check_reasoning_rules(const json& request, const std::string& model)
{
    const auto effort = request.find("reasoning_effort");
    const bool has_effort = effort != request.end() && !effort->is_null();
    if (!reasons(model))
        return has_effort ? std::optional(unsupported("reasoning_effort")) : std::nullopt;
    std::string level = model.starts_with("gpt-6") ? "medium" : "low"; // the models' defaults
    if (has_effort) {
        constexpr std::array<std::string_view, 7> levels = {"none", "minimal", "low", "medium",
                                                            "high", "xhigh",   "max"};
        if (!effort->is_string() ||
            std::ranges::find(levels, effort->get<std::string>()) == levels.end())
            return api_error{.code = "invalid_value",
                             .message = "Invalid value for 'reasoning_effort': expected one of "
                                        "'none', 'minimal', 'low', 'medium', 'high', 'xhigh' or "
                                        "'max'.",
                             .param = "reasoning_effort"};
        level = effort->get<std::string>();
    }
    if (request.contains("max_tokens"))
        return unsupported("max_tokens", " Use 'max_completion_tokens' instead.");
    if (level != "none" && request.contains("temperature"))
        return unsupported("temperature");
    const auto tools = request.find("tools");
    if (level != "none" && model.starts_with("gpt-6") && tools != request.end() &&
        tools->is_array() && !tools->empty())
        return api_error{.message = "Function tools with reasoning_effort are not supported for " +
                                    model +
                                    " in /v1/chat/completions. Please use /v1/responses "
                                    "instead.",
                         .param = "reasoning_effort"};
    return std::nullopt;
}

std::optional<api_error> parse_chat(const std::string& body, chat_request& out)
{
    const json request = json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object())
        return bad_json;
    const auto model = request.find("model");
    if (model == request.end() || !model->is_string() || model->get<std::string>().empty())
        return api_error{.message = "you must provide a model parameter"};
    out.model = model->get<std::string>();
    if (auto bad = check_reasoning_rules(request, out.model))
        return bad;

    const auto messages = request.find("messages");
    if (messages == request.end())
        return missing("messages");
    if (!messages->is_array())
        return wrong_type("messages", "an array of objects", *messages);
    if (messages->empty())
        return api_error{.code = "empty_array",
                         .message = "Invalid 'messages': empty array. Expected an array with "
                                    "minimum length 1, but got an empty array instead.",
                         .param = "messages"};
    out.prompt_tokens = 3; // the reply's priming
    for (std::size_t i = 0; i < messages->size(); ++i)
        if (auto bad = check_message((*messages)[i], i, out.prompt_tokens))
            return bad;
    if (auto bad = check_tool_pairing(*messages))
        return bad;
    out.answers_tools = messages->back().value("role", "") == "tool";
    if (const auto choice = request.find("tool_choice"); choice != request.end())
        out.tool_choice_none = choice->is_string() && choice->get<std::string>() == "none";

    if (const auto stream = request.find("stream"); stream != request.end() && !stream->is_null()) {
        if (!stream->is_boolean())
            return wrong_type("stream", "a boolean", *stream);
        out.stream = stream->get<bool>();
    }
    if (const auto options = request.find("stream_options");
        options != request.end() && !options->is_null()) {
        if (!out.stream)
            return api_error{.message = "The 'stream_options' parameter is only allowed when "
                                        "'stream' is enabled.",
                             .param = "stream_options"};
        if (!options->is_object())
            return wrong_type("stream_options", "an object", *options);
        const auto usage = options->find("include_usage");
        if (usage != options->end() && !usage->is_null()) {
            if (!usage->is_boolean())
                return wrong_type("stream_options.include_usage", "a boolean", *usage);
            out.include_usage = usage->get<bool>();
        }
    }
    if (const auto tools = request.find("tools"); tools != request.end() && !tools->is_null()) {
        if (!tools->is_array())
            return wrong_type("tools", "an array of objects", *tools);
        for (std::size_t i = 0; i < tools->size(); ++i) {
            const auto& tool = (*tools)[i];
            const std::string at = "tools[" + std::to_string(i) + "]";
            if (!tool.is_object())
                return wrong_type(at, "an object", tool);
            const auto function = tool.find("function");
            if (tool.value("type", "") != "function" || function == tool.end())
                continue; // custom tools: offered, but never what the script calls
            const auto name = function->find("name");
            if (name == function->end() || !name->is_string())
                return missing(at + ".function.name");
            out.functions.push_back(name->get<std::string>());
        }
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- [answers]

json usage_object(std::int64_t prompt, std::int64_t completion)
{
    return {{"prompt_tokens", prompt},
            {"completion_tokens", completion},
            {"total_tokens", prompt + completion},
            {"prompt_tokens_details", {{"cached_tokens", 0}, {"audio_tokens", 0}}},
            {"completion_tokens_details",
             {{"reasoning_tokens", 0},
              {"audio_tokens", 0},
              {"accepted_prediction_tokens", 0},
              {"rejected_prediction_tokens", 0}}}};
}

std::int64_t now_seconds()
{
    return static_cast<std::int64_t>(std::time(nullptr));
}

json completion_object(const chat_request& req, const std::string& id, const reply& r)
{
    json message = {{"role", "assistant"}};
    std::int64_t completion_tokens = 0;
    if (r.tool_name.empty()) {
        message["content"] = r.text;
        completion_tokens = static_cast<std::int64_t>(split_words(r.text).size());
    } else {
        message["content"] = nullptr;
        message["tool_calls"] =
            json::array({{{"id", r.tool_call_id},
                          {"type", "function"},
                          {"function", {{"name", r.tool_name}, {"arguments", r.tool_arguments}}}}});
        completion_tokens = count_words(r.tool_name + " " + r.tool_arguments) + 1;
    }
    message["refusal"] = nullptr;
    message["annotations"] = json::array();
    return {{"id", id},
            {"object", "chat.completion"},
            {"created", now_seconds()},
            {"model", req.model},
            {"choices",
             json::array({{{"index", 0},
                           {"message", std::move(message)},
                           {"logprobs", nullptr},
                           {"finish_reason", r.tool_name.empty() ? "stop" : "tool_calls"}}})},
            {"usage", usage_object(req.prompt_tokens, completion_tokens)},
            {"service_tier", "default"},
            {"system_fingerprint", "fp_donnafake"}};
}

// The stream's events, each a whole "data: ...\n\n" line, in the order the API sends them.
std::vector<std::string> stream_events(const chat_request& req, const std::string& id,
                                       const reply& r)
{
    const auto created = now_seconds();
    const auto chunk = [&](json choices) {
        json c = {{"id", id},
                  {"object", "chat.completion.chunk"},
                  {"created", created},
                  {"model", req.model},
                  {"service_tier", "default"},
                  {"system_fingerprint", "fp_donnafake"},
                  {"choices", std::move(choices)}};
        if (req.include_usage)
            c["usage"] = nullptr; // every chunk but the last says so when usage is asked for
        return c;
    };
    const auto choice = [](json delta, json finish) {
        return json::array({{{"index", 0},
                             {"delta", std::move(delta)},
                             {"logprobs", nullptr},
                             {"finish_reason", std::move(finish)}}});
    };
    const auto event = [](const json& data) {
        return "data: " + data.dump() + "\n\n";
    };

    std::vector<std::string> events;
    std::int64_t completion_tokens = 0;
    if (r.tool_name.empty()) {
        const auto words = split_words(r.text);
        events.push_back(event(chunk(
            choice({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr))));
        for (const auto& word : words)
            events.push_back(event(chunk(choice({{"content", word}}, nullptr))));
        events.push_back(event(chunk(choice(json::object(), "stop"))));
        completion_tokens = static_cast<std::int64_t>(words.size());
    } else {
        // The call's identity once, in the first delta; then only argument fragments.
        const json identity = {{"index", 0},
                               {"id", r.tool_call_id},
                               {"type", "function"},
                               {"function", {{"name", r.tool_name}, {"arguments", ""}}}};
        events.push_back(event(chunk(choice({{"role", "assistant"},
                                             {"content", nullptr},
                                             {"tool_calls", json::array({identity})},
                                             {"refusal", nullptr}},
                                            nullptr))));
        for (const auto& fragment : split_fragments(r.tool_arguments)) {
            const json piece = {{"index", 0}, {"function", {{"arguments", fragment}}}};
            events.push_back(event(chunk(choice({{"tool_calls", json::array({piece})}}, nullptr))));
        }
        events.push_back(event(chunk(choice(json::object(), "tool_calls"))));
        completion_tokens = count_words(r.tool_name + " " + r.tool_arguments) + 1;
    }
    if (req.include_usage) {
        auto last = chunk(json::array());
        last["usage"] = usage_object(req.prompt_tokens, completion_tokens);
        events.push_back(event(last));
    }
    events.emplace_back("data: [DONE]\n\n");
    return events;
}

// ---------------------------------------------------------------- [moderation]

// In the order openai-node's Moderation.Categories declares them.
constexpr std::array<std::string_view, 13> moderation_categories = {"harassment",
                                                                    "harassment/threatening",
                                                                    "hate",
                                                                    "hate/threatening",
                                                                    "illicit",
                                                                    "illicit/violent",
                                                                    "self-harm",
                                                                    "self-harm/instructions",
                                                                    "self-harm/intent",
                                                                    "sexual",
                                                                    "sexual/minors",
                                                                    "violence",
                                                                    "violence/graphic"};

// The inputs' texts, or the refusal of a malformed `input`.
std::optional<api_error> moderation_inputs(const json& request, std::vector<std::string>& out)
{
    const auto input = request.find("input");
    if (input == request.end() || input->is_null())
        return missing("input");
    if (input->is_string()) {
        out.push_back(input->get<std::string>());
        return std::nullopt;
    }
    constexpr std::string_view expected = "one of a string, array of strings, or array of objects";
    if (!input->is_array() || input->empty())
        return input->is_array() ? api_error{.code = "empty_array",
                                             .message = "Invalid 'input': empty array. Expected "
                                                        "an array with minimum length 1, but got "
                                                        "an empty array instead.",
                                             .param = "input"}
                                 : wrong_type("input", expected, *input);
    for (const auto& item : *input) {
        if (item.is_string())
            out.push_back(item.get<std::string>());
        else if (item.is_object() && item.value("type", "") == "text" && item.contains("text") &&
                 item["text"].is_string())
            out.push_back(item["text"].get<std::string>());
        else if (item.is_object() && item.value("type", "") == "image_url")
            out.emplace_back(); // an image: never flagged here (see the header)
        else
            return wrong_type("input", expected, *input);
    }
    return std::nullopt;
}

json moderation_result(const std::string& text, const std::vector<std::string>& flagged_words,
                       bool legacy_model)
{
    const auto folded = lower(text);
    const bool flagged = std::ranges::any_of(flagged_words, [&](const std::string& word) {
        return !word.empty() && folded.find(lower(word)) != std::string::npos;
    });
    json categories = json::object();
    json scores = json::object();
    json applied = json::object();
    for (const auto category : moderation_categories) {
        const std::string key(category);
        const bool hit = flagged && key == "violence";
        // The text-moderation models predate the illicit categories.
        const bool absent = legacy_model && key.starts_with("illicit");
        categories[key] = absent ? json(nullptr) : json(hit);
        scores[key] = absent ? json(nullptr) : json(hit ? 0.97 : 1e-6);
        applied[key] = json::array({"text"});
    }
    return {{"flagged", flagged},
            {"categories", std::move(categories)},
            {"category_scores", std::move(scores)},
            {"category_applied_input_types", std::move(applied)}};
}

// ---------------------------------------------------------------- [transcription]

constexpr std::array<std::string_view, 10> audio_extensions = {"flac", "m4a", "mp3", "mp4", "mpeg",
                                                               "mpga", "oga", "ogg", "wav", "webm"};

std::string extension(const std::string& filename)
{
    const auto dot = filename.rfind('.');
    return dot == std::string::npos ? std::string{} : lower(filename.substr(dot + 1));
}

bool looks_like_wav(std::string_view bytes)
{
    return bytes.size() >= 44 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WAVE";
}

// A transcription request the fake accepted: what to answer in.
struct transcription_request {
    bool plain_text = false;
};

std::optional<api_error> check_transcription(const recorded_request& request,
                                             transcription_request& out)
{
    const auto type = request.headers.contains("content-type") ? request.headers.at("content-type")
                                                               : std::string{};
    if (!lower(type).starts_with("multipart/form-data"))
        return api_error{.message = "Invalid Content-Type header (" + type +
                                    "), expected multipart/form-data. (HINT: If you're using "
                                    "curl, you can pass -H 'Content-Type: "
                                    "multipart/form-data')"};
    if (!parse_form_data(type, request.body))
        return api_error{.message = "Could not parse multipart form"};
    const auto* file = request.part("file");
    if (file == nullptr || file->filename.empty())
        return missing("file");
    const auto* model = request.part("model");
    if (model == nullptr || model->data.empty())
        return missing("model");
    const auto ext = extension(file->filename);
    if (std::ranges::find(audio_extensions, ext) == audio_extensions.end())
        return api_error{.message = "Invalid file format. Supported formats: ['flac', 'm4a', "
                                    "'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']"};
    if (ext == "wav" && !looks_like_wav(file->data))
        return invalid_value("file", "Audio file might be corrupted or unsupported");
    if (const auto* format = request.part("response_format")) {
        const auto& f = format->data;
        if (f == "text")
            out.plain_text = true;
        else if (f == "srt" || f == "vtt" || f == "verbose_json" || f == "diarized_json")
            return invalid_value("response_format",
                                 "response_format '" + f + "' is not simulated by the fake");
        else if (f != "json")
            return invalid_value("response_format",
                                 "Invalid value: '" + f +
                                     "'. Supported values are: 'json', 'text', 'srt', "
                                     "'verbose_json', 'vtt', and 'diarized_json'.");
    }
    if (const auto* temperature = request.part("temperature")) {
        std::size_t used = 0;
        double t = -1;
        try {
            t = std::stod(temperature->data, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != temperature->data.size() || t < 0 || t > 1)
            return invalid_value("temperature", "Invalid 'temperature': expected a decimal "
                                                "between 0 and 1.");
    }
    return std::nullopt;
}

} // namespace

// ---------------------------------------------------------------- [api]

struct fake_openai_http::api : http_handler {
    explicit api(fake_openai_http_options o)
        : options(std::move(o)),
          reply_text(options.reply_text),
          tool_call_name(options.tool_call_name),
          tool_call_arguments(options.tool_call_arguments),
          transcript_text(options.transcript_text),
          models(options.models)
    {}

    std::optional<http_answer> admit(const recorded_request& request) override
    {
        const auto path = request.path();
        const bool posted =
            path == completions_path || path == moderations_path || path == transcriptions_path;
        const bool known =
            posted ? request.method == "POST" : path == models_path && request.method == "GET";
        if (!known)
            return refusal(404, {.message = "Invalid URL (" + request.method + " " + path + ")"});
        if (auto refused = check_key(request))
            return refusal(401, *refused);
        return std::nullopt;
    }

    http_answer rate_limited(int retry_after_seconds) override
    {
        const auto seconds = std::to_string(retry_after_seconds);
        auto a = refusal(429, {.type = "requests",
                               .code = "rate_limit_exceeded",
                               .message = "Rate limit reached for requests on requests per "
                                          "min (RPM): Limit 60, Used 60, Requested 1. Please "
                                          "try again in " +
                                          seconds + "s."});
        a.headers.insert(a.headers.end(), {{"retry-after", seconds},
                                           {"x-ratelimit-limit-requests", "60"},
                                           {"x-ratelimit-remaining-requests", "0"},
                                           {"x-ratelimit-reset-requests", seconds + "s"}});
        return a;
    }

    http_answer server_error() override
    {
        return refusal(500, {.type = "server_error",
                             .message = "The server had an error while processing your request. "
                                        "Sorry about that!"});
    }

    http_answer answer(const recorded_request& request) override
    {
        const auto path = request.path();
        if (path == moderations_path)
            return moderate(request);
        if (path == transcriptions_path)
            return transcribe(request);
        if (path == models_path)
            return list_models();
        return complete(request);
    }

    http_answer list_models()
    {
        json data = json::array();
        const std::lock_guard lock(mutex);
        for (const auto& m : models)
            data.push_back({{"id", m.id},
                            {"object", "model"},
                            {"created", 1686935002},
                            {"owned_by", "openai"},
                            {"shutdown_date",
                             m.shutdown_date.empty() ? json(nullptr) : json(m.shutdown_date)}});
        return json_answer({{"object", "list"}, {"data", std::move(data)}});
    }

    // Every answer's head: the request id clients log, and the API's timing header.
    http_answer head(int status, std::string content_type)
    {
        return {.status = status,
                .headers = {{"content-type", std::move(content_type)},
                            {"x-request-id", server->make_id("req_")},
                            {"openai-processing-ms", "1"}}};
    }

    http_answer json_answer(const json& body)
    {
        auto a = head(200, "application/json");
        a.body = body.dump();
        return a;
    }

    http_answer refusal(int status, const api_error& error)
    {
        auto a = head(status, "application/json");
        a.body = error_body(error).dump();
        return a;
    }

    std::optional<api_error> check_key(const recorded_request& request) const
    {
        const auto found = request.headers.find("authorization");
        const std::string_view authorization =
            found == request.headers.end() ? std::string_view{} : found->second;
        if (!authorization.starts_with("Bearer ") || authorization.size() == 7)
            return no_api_key();
        const auto given = authorization.substr(7);
        if (given != options.api_key)
            return incorrect_api_key(given);
        return std::nullopt;
    }

    // The scripted reply to a request that offers `functions`. A request whose last message
    // answers the calls gets text, as a model that has its results goes on to answer.
    reply next_reply(const std::vector<std::string>& functions, bool answers_tools)
    {
        reply r;
        const std::lock_guard lock(mutex);
        if (!answers_tools && !tool_call_name.empty() &&
            std::ranges::find(functions, tool_call_name) != functions.end()) {
            r.tool_name = tool_call_name;
            r.tool_arguments = tool_call_arguments;
            r.tool_call_id = server->make_id("call_", 24);
        } else if (!queued.empty()) {
            r.text = std::move(queued.front());
            queued.pop_front();
        } else {
            r.text = reply_text;
        }
        return r;
    }

    http_answer complete(const recorded_request& request)
    {
        chat_request chat;
        if (auto bad = parse_chat(request.body, chat))
            return refusal(400, *bad);
        const auto id = server->make_id("chatcmpl-");
        const auto r = next_reply(chat.functions, chat.answers_tools || chat.tool_choice_none);
        if (!chat.stream)
            return json_answer(completion_object(chat, id, r));
        auto a = head(200, "text/event-stream; charset=utf-8");
        a.chunked = true;
        a.chunks = stream_events(chat, id, r);
        return a;
    }

    http_answer moderate(const recorded_request& request)
    {
        const json body = json::parse(request.body, nullptr, false);
        if (body.is_discarded() || !body.is_object())
            return refusal(400, bad_json);
        std::vector<std::string> inputs;
        if (auto bad = moderation_inputs(body, inputs))
            return refusal(400, *bad);
        std::string model = "omni-moderation-latest";
        if (const auto m = body.find("model"); m != body.end() && !m->is_null()) {
            if (!m->is_string())
                return refusal(400, wrong_type("model", "a string", *m));
            model = m->get<std::string>();
        }
        const bool legacy = model.starts_with("text-moderation");
        json results = json::array();
        for (const auto& input : inputs)
            results.push_back(moderation_result(input, options.flagged_words, legacy));
        return json_answer(
            {{"id", server->make_id("modr-")}, {"model", model}, {"results", std::move(results)}});
    }

    http_answer transcribe(const recorded_request& request)
    {
        transcription_request t;
        if (auto bad = check_transcription(request, t))
            return refusal(400, *bad);
        std::string text;
        {
            const std::lock_guard lock(mutex);
            text = transcript_text;
        }
        if (!t.plain_text)
            return json_answer({{"text", text}});
        auto a = head(200, "text/plain; charset=utf-8");
        a.body = text + "\n";
        return a;
    }

    const fake_openai_http_options options;

    // What tests script at run time; the I/O thread reads it under the lock.
    std::mutex mutex;
    std::string reply_text;
    std::deque<std::string> queued;
    std::string tool_call_name;
    std::string tool_call_arguments;
    std::string transcript_text;
    std::vector<fake_model> models;
};

std::vector<fake_model> fake_openai_default_models()
{
    return {{"gpt-6-luna"},
            {"gpt-realtime-2.1"},
            {"gpt-transcribe"},
            {"omni-moderation-latest"},
            {"gpt-4o", "2027-01-14"},
            {"gpt-4o-mini", "2027-01-14"},
            {"gpt-4.1", "2027-01-14"},
            {"gpt-realtime", "2027-01-20"},
            {"whisper-1", "2027-02-26"},
            {"gpt-4o-transcribe", "2027-02-26"}};
}

// ---------------------------------------------------------------- [fake_openai_http]

fake_openai_http::fake_openai_http(const fake_openai_http_options& options)
    : fake_http_server(std::make_unique<api>(options),
                       {.name = "donna-fake-openai",
                        .tls = options.tls,
                        .fault = options.fault,
                        .fault_count = options.fault_count,
                        .retry_after_seconds = options.retry_after_seconds,
                        .chunk_interval = options.chunk_interval})
{}

fake_openai_http::api& fake_openai_http::scripted() const
{
    return static_cast<api&>(handler());
}

std::string fake_openai_http::base_url() const
{
    return origin() + "/v1";
}

void fake_openai_http::set_reply_text(std::string text)
{
    auto& a = scripted();
    const std::lock_guard lock(a.mutex);
    a.reply_text = std::move(text);
}

void fake_openai_http::queue_replies(std::vector<std::string> replies)
{
    auto& a = scripted();
    const std::lock_guard lock(a.mutex);
    for (auto& r : replies)
        a.queued.push_back(std::move(r));
}

void fake_openai_http::set_tool_call(std::string name, std::string arguments)
{
    auto& a = scripted();
    const std::lock_guard lock(a.mutex);
    a.tool_call_name = std::move(name);
    a.tool_call_arguments = std::move(arguments);
}

void fake_openai_http::set_models(std::vector<fake_model> models)
{
    auto& a = scripted();
    const std::lock_guard lock(a.mutex);
    a.models = std::move(models);
}

void fake_openai_http::set_transcript_text(std::string text)
{
    auto& a = scripted();
    const std::lock_guard lock(a.mutex);
    a.transcript_text = std::move(text);
}

} // namespace donna::fakes
