// chat_service.cpp: validation, the visitor's rate limit, the streamed completion, the
// fallback, the history and the usage of one chat turn.
#include "chat/chat_service.hpp"

#include "chat/moderation.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "server/relay_metrics.hpp"
#include "server/services.hpp"
#include "store/memory_store.hpp"
#include "upstream/usage_meter.hpp"

#include <algorithm>

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

// What a visitor hears when moderation flags their message.
constexpr const char* refusal_reply =
    "I'm sorry, but I can't help with that. If there is something else you need, I'm happy to "
    "help.";

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

} // namespace

// One turn in flight: the stream's parser and decoder, the end reached once, and the
// upstream call now running (moderation, then the completion), which cancel() stops.
struct chat_turn_state final : upstream_call {
    std::shared_ptr<const live_settings> settings;
    chat_turn_request request;
    chat_turn_events events;
    sse_parser parser;
    chat_stream_decoder decoder;
    std::string failure_code, failure_message;
    bool finished = false; // I/O thread only

    void cancel() override
    {
        std::shared_ptr<upstream_call> running;
        {
            const std::lock_guard lock(mutex);
            cancelled = true;
            running = std::move(current);
        }
        if (running)
            running->cancel();
    }
    // Starts the next call unless the turn was cancelled meanwhile.
    void run(const std::function<std::shared_ptr<upstream_call>()>& start)
    {
        const std::lock_guard lock(mutex);
        if (!cancelled)
            current = start();
    }
    void done()
    {
        const std::lock_guard lock(mutex);
        current.reset();
    }

    std::mutex mutex;
    bool cancelled = false;
    std::shared_ptr<upstream_call> current;
};

chat_service::chat_service(http_client& client, usage_meter& usage, relay_metrics& metrics,
                           logger& log, const config& cfg, memory_store* memories, database* db)
    : client_(client),
      usage_(usage),
      metrics_(metrics),
      log_(log),
      memories_(memories),
      db_(db),
      visitor_limiter_({cfg.chat_messages_per_minute, std::chrono::seconds(60)}),
      guard_(std::chrono::seconds(cfg.moderation_cooldown_seconds)),
      history_tokens_(static_cast<std::size_t>(cfg.chat_history_tokens))
{}

void chat_service::apply(const config& cfg)
{
    visitor_limiter_.set_limit({cfg.chat_messages_per_minute, std::chrono::seconds(60)});
    guard_.set_cooldown(std::chrono::seconds(cfg.moderation_cooldown_seconds));
    const std::lock_guard lock(mutex_);
    history_tokens_ = static_cast<std::size_t>(cfg.chat_history_tokens);
}

void chat_service::count(std::string_view outcome)
{
    metrics_.registry
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
        metrics_.error(code).inc();
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
    // Characters as a person counts them: UTF-8 continuation bytes do not start one.
    const auto characters = static_cast<std::size_t>(
        std::count_if(request.text.begin(), request.text.end(),
                      [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
    if (characters > static_cast<std::size_t>(cfg.chat_max_characters))
        return refuse(413, "message_too_long",
                      "the message has " + std::to_string(characters) +
                          " characters; the limit is " + std::to_string(cfg.chat_max_characters));
    if (const auto wait = visitor_limiter_.try_acquire(request.visitor_key))
        return refuse(429, "rate_limited",
                      "too many messages: at most " + visitor_limiter_.describe() +
                          " per visitor; try again in " +
                          std::to_string((wait->count() + 999) / 1000) + " s");
    if (auto refusal = guard_.check(request.visitor_key, request.text))
        return refuse(refusal->status, refusal->code, refusal->message);
    if (cfg.openai_api_key.empty())
        return refuse(503, "upstream_not_configured",
                      "text chat is off: OPENAI_API_KEY is not set on the relay");

    auto state = std::make_shared<chat_turn_state>();
    state->settings = std::move(settings);
    state->request = std::move(request);
    state->events = std::move(events);
    if (cfg.moderation)
        moderate(state);
    else
        complete(state);
    return state;
}

// The visitor's message through OpenAI's moderation first. Flagged: a polite refusal instead
// of a reply, an audit line, and the visitor throttled. Moderation unreachable: the chat goes
// on (the chat model has its own safety) and the failure is counted and logged.
void chat_service::moderate(const std::shared_ptr<chat_turn_state>& state)
{
    const auto& cfg = state->settings->cfg;
    upstream_request req{.method = "POST",
                         .url = cfg.openai_base_url + "/moderations",
                         .headers = {{"Authorization", "Bearer " + cfg.openai_api_key},
                                     {"Content-Type", "application/json"}},
                         .body =
                             moderation_request_body(cfg.moderation_model, state->request.text)};
    state->run([&] {
        return client_.request(
            "openai", std::move(req), [this, state](result<upstream_response> r) {
                state->done();
                if (r && r->ok()) {
                    if (auto verdict = parse_moderation(r->body); verdict && verdict->flagged)
                        return refuse_flagged(state, *verdict);
                    else if (!verdict)
                        moderation_unavailable(verdict.error().message);
                } else {
                    moderation_unavailable(r ? "HTTP " + std::to_string(r->status)
                                             : r.error().message);
                }
                complete(state);
            });
    });
}

void chat_service::moderation_unavailable(const std::string& why)
{
    metrics_.registry
        .get_counter("donna_moderation_total", "Moderation checks by verdict",
                     {{"verdict", "unavailable"}})
        .inc();
    log_.warn("chat", "moderation unavailable, message allowed: " + log_.redact(why));
}

void chat_service::refuse_flagged(const std::shared_ptr<chat_turn_state>& state,
                                  const moderation_verdict& verdict)
{
    std::string categories;
    for (const auto& c : verdict.categories)
        categories += (categories.empty() ? "" : ", ") + c;
    guard_.flag(state->request.visitor_key);
    metrics_.registry
        .get_counter("donna_moderation_total", "Moderation checks by verdict",
                     {{"verdict", "flagged"}})
        .inc();
    count("flagged");
    // The audit line names the visitor's session and the categories, never the text itself.
    const std::string audit_detail = "message flagged by moderation: categories " +
                                     (categories.empty() ? std::string("unspecified") : categories);
    log_.warn("audit", "site " + state->request.site + ", conversation " +
                           state->request.conversation_id.substr(0, 8) + ": " + audit_detail);
    if (db_) {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        if (auto written = audit(*db_, now, "moderation", state->request.site,
                                 state->request.conversation_id, audit_detail);
            !written)
            log_.error("audit", "cannot write the audit log: " + written.error().message);
    }
    chat_turn_outcome outcome;
    outcome.reply = refusal_reply;
    outcome.fallback = true;
    outcome.error_code = "content_flagged";
    outcome.error_message = "the message was flagged by moderation (" +
                            (categories.empty() ? std::string("unspecified") : categories) +
                            "); messages are paused for a while";
    state->finished = true;
    auto done = std::move(state->events.on_done);
    state->events = {};
    if (done)
        done(outcome);
}

// What DONNA remembers of an authenticated user, within DONNA_MEMORY_PROMPT_TOKENS.
std::string chat_service::remembered(const chat_turn_state& state)
{
    if (!memories_ || state.request.user_id.empty())
        return {};
    return memories_->prompt(state.request.site, state.request.user_id,
                             static_cast<std::size_t>(state.settings->cfg.memory_prompt_tokens));
}

void chat_service::complete(const std::shared_ptr<chat_turn_state>& state)
{
    const auto& cfg = state->settings->cfg;
    const auto& persona = state->settings->personas.get(state->request.persona);
    remember(state->request.conversation_id, chat_role::user, state->request.text);
    const auto history = snapshot(state->request.conversation_id);

    upstream_request req{.method = "POST",
                         .url = cfg.openai_base_url + "/chat/completions",
                         .headers = {{"Authorization", "Bearer " + cfg.openai_api_key},
                                     {"Content-Type", "application/json"},
                                     {"Accept", "text/event-stream"}},
                         .body = chat_request_body(persona, history, {true, remembered(*state)})};
    // Ends the turn once: the model's reply, or the persona's fallback with the error.
    auto finish = [this, state] {
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
            count("fallback");
            metrics_.error(state->failure_code).inc();
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
        state->done();
        if (done)
            done(outcome);
    };

    state->run([&] {
        return client_.stream(
            "openai", std::move(req),
            stream_callbacks{
                .on_head = [](const upstream_response&) {},
                .on_data =
                    [state, finish](std::string_view bytes) {
                        if (state->finished)
                            return;
                        const auto fed = state->parser.feed(bytes, [&](const sse_event& e) {
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
                            state->cancel();
                            finish();
                        }
                    },
                .on_done =
                    [state, finish](result<upstream_response> r) {
                        if (!r) {
                            state->failure_code = code_for_error(r.error());
                            state->failure_message = r.error().message;
                            return finish();
                        }
                        if (!r->ok()) {
                            state->failure_code = code_for_status(r->status);
                            const auto why = openai_error_message(r->body);
                            state->failure_message = "OpenAI answered HTTP " +
                                                     std::to_string(r->status) +
                                                     (why.empty() ? "" : ": " + why);
                            return finish();
                        }
                        finish();
                    }});
    });
}

} // namespace donna::relay
