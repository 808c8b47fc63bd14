// chat_service.cpp: validation, the visitor's rate limit, the streamed completion, the
// fallback, the history and the usage of one chat turn.
#include "chat/chat_service.hpp"

#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "server/services.hpp"
#include "upstream/usage_meter.hpp"

namespace donna::relay {
namespace {

// The error code a failed call gets on the wire (docs/relay.md lists them).
std::string code_for_status(unsigned status)
{
    if (status == 401 || status == 403)
        return "upstream_unauthorized";
    if (status == 429)
        return "upstream_rate_limited";
    if (status == 400 || status == 404 || status == 422)
        return "upstream_rejected";
    return "upstream_error";
}

std::string code_for_error(const error& e)
{
    switch (e.code) {
    case errc::upstream_timeout:
        return "upstream_timeout";
    case errc::rate_limited:
        return "rate_limited";
    default:
        return "upstream_unavailable";
    }
}

// One turn in flight: the stream's parser and decoder, and the end reached once.
struct turn_state {
    std::shared_ptr<const live_settings> settings;
    chat_turn_request request;
    chat_turn_events events;
    sse_parser parser;
    chat_stream_decoder decoder;
    std::shared_ptr<upstream_call> call;
    std::string failure_code, failure_message;
    bool finished = false;
};

} // namespace

chat_service::chat_service(http_client& client, usage_meter& usage, metrics_registry& registry,
                           logger& log, const config& cfg)
    : client_(client),
      usage_(usage),
      registry_(registry),
      log_(log),
      visitor_limiter_({cfg.chat_messages_per_minute, std::chrono::seconds(60)}),
      history_tokens_(static_cast<std::size_t>(cfg.chat_history_tokens))
{}

void chat_service::apply(const config& cfg)
{
    visitor_limiter_.set_limit({cfg.chat_messages_per_minute, std::chrono::seconds(60)});
    const std::lock_guard lock(mutex_);
    history_tokens_ = static_cast<std::size_t>(cfg.chat_history_tokens);
}

void chat_service::count(std::string_view outcome)
{
    registry_
        .get_counter("donna_chat_turns_total", "Chat turns by outcome",
                     {{"outcome", std::string(outcome)}})
        .inc();
}

chat_history chat_service::snapshot(const std::string& conversation_id) const
{
    const std::lock_guard lock(mutex_);
    const auto it = conversations_.find(conversation_id);
    return it == conversations_.end() ? chat_history(history_tokens_) : it->second.history;
}

chat_history chat_service::history(const std::string& conversation_id) const
{
    return snapshot(conversation_id);
}

void chat_service::remember(const std::string& conversation_id, chat_role role, std::string text)
{
    const std::lock_guard lock(mutex_);
    auto it = conversations_.find(conversation_id);
    if (it == conversations_.end()) {
        if (conversations_.size() >= max_conversations_ && !lru_.empty()) {
            conversations_.erase(lru_.front());
            lru_.pop_front();
        }
        lru_.push_back(conversation_id);
        it = conversations_
                 .emplace(conversation_id,
                          conversation{chat_history(history_tokens_), std::prev(lru_.end())})
                 .first;
    } else {
        lru_.splice(lru_.end(), lru_, it->second.lru_position);
    }
    it->second.history.add(role, std::move(text));
}

std::shared_ptr<upstream_call>
chat_service::start_turn(std::shared_ptr<const live_settings> settings, chat_turn_request request,
                         chat_turn_events events)
{
    const auto& cfg = settings->cfg;
    const auto refuse = [&](int status, std::string code, std::string message) {
        count(code);
        registry_.get_counter("donna_errors_total", "Errors and refusals by code", {{"code", code}})
            .inc();
        chat_turn_outcome outcome;
        outcome.error_code = std::move(code);
        outcome.error_message = std::move(message);
        outcome.http_status = status;
        if (events.on_done)
            events.on_done(outcome);
        return nullptr;
    };
    if (request.text.find_first_not_of(" \t\r\n") == std::string::npos)
        return refuse(400, "empty_message", "the message is empty: type something to send");
    if (request.text.size() > static_cast<std::size_t>(cfg.chat_max_characters))
        return refuse(413, "message_too_long",
                      "the message has " + std::to_string(request.text.size()) +
                          " bytes; the limit is " + std::to_string(cfg.chat_max_characters));
    if (const auto wait = visitor_limiter_.try_acquire(request.visitor_key))
        return refuse(429, "rate_limited",
                      "too many messages: at most " + visitor_limiter_.describe() +
                          " per visitor; try again in " +
                          std::to_string((wait->count() + 999) / 1000) + " s");
    if (cfg.openai_api_key.empty())
        return refuse(503, "upstream_not_configured",
                      "text chat is off: OPENAI_API_KEY is not set on the relay");

    const auto& persona = settings->personas.get(request.persona);
    remember(request.conversation_id, chat_role::user, request.text);
    const auto history = snapshot(request.conversation_id);

    upstream_request req{.method = "POST",
                         .url = cfg.openai_base_url + "/chat/completions",
                         .headers = {{"Authorization", "Bearer " + cfg.openai_api_key},
                                     {"Content-Type", "application/json"},
                                     {"Accept", "text/event-stream"}},
                         .body = chat_request_body(persona, history, {true, ""})};

    auto state = std::make_shared<turn_state>();
    state->settings = settings;
    state->request = std::move(request);
    state->events = std::move(events);

    // Ends the turn once: the model's reply, or the persona's fallback with the error.
    auto finish = [this, state](unsigned status) {
        if (state->finished)
            return;
        state->finished = true;
        const auto& p = state->settings->personas.get(state->request.persona);
        chat_turn_outcome outcome;
        outcome.completion = state->decoder.result_so_far();
        if (state->failure_code.empty() && !state->decoder.done()) {
            state->failure_code = "upstream_closed";
            state->failure_message = "the chat stream ended before it was complete";
        }
        if (state->failure_code.empty()) {
            outcome.reply = outcome.completion.text;
            count("ok");
            remember(state->request.conversation_id, chat_role::assistant, outcome.reply);
        } else {
            outcome.reply = p.fallback_reply;
            outcome.fallback = true;
            outcome.error_code = state->failure_code;
            outcome.error_message = log_.redact(state->failure_message);
            outcome.http_status = status >= 400 ? 502 : 503;
            if (state->failure_code == "upstream_timeout")
                outcome.http_status = 504;
            count("fallback");
            registry_
                .get_counter("donna_errors_total", "Errors and refusals by code",
                             {{"code", state->failure_code}})
                .inc();
            log_.warn("chat",
                      "fallback reply (" + state->failure_code + "): " + outcome.error_message);
        }
        if (outcome.completion.prompt_tokens > 0 || outcome.completion.completion_tokens > 0)
            usage_.tokens("openai",
                          outcome.completion.model.empty() ? p.chat_model
                                                           : outcome.completion.model,
                          static_cast<double>(outcome.completion.prompt_tokens),
                          static_cast<double>(outcome.completion.completion_tokens));
        auto done = std::move(state->events.on_done);
        state->events = {};
        state->call.reset();
        if (done)
            done(outcome);
    };

    state->call = client_.stream(
        "openai", std::move(req),
        stream_callbacks{.on_head = [](const upstream_response&) {},
                         .on_data =
                             [state, finish](std::string_view bytes) {
                                 if (state->finished)
                                     return;
                                 const auto fed =
                                     state->parser.feed(bytes, [&](const sse_event& e) {
                                         if (!state->failure_code.empty() || state->decoder.done())
                                             return;
                                         auto delta = state->decoder.on_event(e);
                                         if (!delta) {
                                             state->failure_code = "upstream_error";
                                             state->failure_message = delta.error().message;
                                         } else if (!delta->empty() && state->events.on_delta) {
                                             state->events.on_delta(*delta);
                                         }
                                     });
                                 if (!fed) {
                                     state->failure_code = "upstream_error";
                                     state->failure_message = fed.error().message;
                                 }
                                 if (!state->failure_code.empty()) {
                                     if (state->call)
                                         state->call->cancel();
                                     finish(502);
                                 }
                             },
                         .on_done =
                             [state, finish](result<upstream_response> r) {
                                 if (!r) {
                                     state->failure_code = code_for_error(r.error());
                                     state->failure_message = r.error().message;
                                     return finish(0);
                                 }
                                 if (!r->ok()) {
                                     state->failure_code = code_for_status(r->status);
                                     const auto why = openai_error_message(r->body);
                                     state->failure_message = "OpenAI answered HTTP " +
                                                              std::to_string(r->status) +
                                                              (why.empty() ? "" : ": " + why);
                                     return finish(r->status);
                                 }
                                 finish(r->status);
                             }});
    return state->call;
}

} // namespace donna::relay
