// chat_service.cpp: validation, the visitor's rate limit, the streamed completion and its
// rounds of tool calls, the fallback, the history and the usage of one chat turn.
#include "chat/chat_service.hpp"

#include "core/unix_time.hpp"
#include "core/utf8.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "metrics/relay_metrics.hpp"
#include "policy/recipient_policy.hpp"
#include "providers/openai/moderation.hpp"
#include "providers/openai/openai_requests.hpp"
#include "settings/live_settings.hpp"
#include "store/action_store.hpp"
#include "store/memory_store.hpp"
#include "upstream/call_chain.hpp"
#include "upstream/upstream_errors.hpp"
#include "upstream/usage_meter.hpp"

#include <algorithm>
#include <optional>

namespace donna::relay {
namespace {

// What a visitor hears when moderation flags their message.
constexpr const char* refusal_reply =
    "I'm sorry, but I can't help with that. If there is something else you need, I'm happy to "
    "help.";

} // namespace

// One turn in flight: the stream's parser and decoder, the end reached once, and the
// chain of upstream calls (moderation, then the completion, then one more completion per
// round of tool calls), which cancel() stops.
struct chat_turn_state final : call_chain {
    std::shared_ptr<const live_settings> settings;
    chat_turn_request request;
    chat_turn_events events;
    sse_parser parser; // the current round's stream
    chat_stream_decoder decoder;
    std::string failure_code, failure_message;
    bool finished = false; // I/O thread only

    // Taken once for every round of the turn, so that the rounds agree.
    std::optional<chat_history> history;
    std::string extra_system;
    // The tool rounds so far (sent after the history), what they did, and the text streamed
    // before the current round.
    std::size_t round = 0;
    std::vector<chat_tool_round> rounds;
    std::vector<chat_action_taken> actions;
    std::size_t calls = 0;
    std::string earlier_text;
    long prompt_tokens = 0, completion_tokens = 0; // every round's
};

chat_service::chat_service(http_client& client, usage_meter& usage, relay_metrics& metrics,
                           logger& log, const config& cfg, memory_store* memories, database* db,
                           action_store* actions)
    : client_(client),
      usage_(usage),
      metrics_(metrics),
      log_(log),
      memories_(memories),
      db_(db),
      actions_(actions),
      visitor_limiter_({cfg.chat_messages_per_minute, std::chrono::seconds(60)}),
      guard_(std::chrono::seconds(cfg.moderation_cooldown_seconds)),
      history_tokens_(static_cast<std::size_t>(cfg.chat_history_tokens))
{}

chat_service::~chat_service() = default;

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

void chat_service::remember(const std::string& conversation_id, chat_role role, std::string text,
                            std::vector<chat_tool_round> tool_rounds)
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
    it->second.history.add(role, std::move(text), std::move(tool_rounds));
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
    const auto characters = utf8_length(request.text);
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
    auto req = moderation_request(cfg, state->request.text);
    state->run([&] {
        return client_.request(
            "openai", std::move(req),
            [this, state](result<upstream_response> r) {
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
            },
            state->events.executor);
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
        if (auto written = audit(*db_, unix_now(), "moderation", state->request.site,
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
    remember(state->request.conversation_id, chat_role::user, state->request.text);
    state->history = snapshot(state->request.conversation_id);
    state->extra_system = remembered(*state);
    start_round(state);
}

bool chat_service::tools_enabled(const config& cfg) const
{
    return cfg.chat_tools && actions_ != nullptr;
}

// One streamed completion: the first, or the next after a round of tool calls (it sends the
// calls and their results; the model's answer streams to the visitor as usual).
void chat_service::start_round(const std::shared_ptr<chat_turn_state>& state)
{
    const auto& cfg = state->settings->cfg;
    const auto& persona = state->settings->personas.get(state->request.persona);
    chat_request_options options;
    options.stream = true;
    options.extra_system = state->extra_system;
    options.offer_tools = tools_enabled(cfg);
    // The bound on rounds is reached: the model must answer in text now.
    options.tools_final = state->rounds.size() >= max_tool_rounds;
    options.pending = state->rounds;
    auto req = chat_completions_request(cfg, chat_request_body(persona, *state->history, options));
    auto finish = [this, state, this_round = state->round] {
        if (!state->finished && state->round == this_round)
            finish_round(state);
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
                            state->failure_code = upstream_error_code(r.error());
                            state->failure_message = r.error().message;
                            return finish();
                        }
                        if (!r->ok()) {
                            state->failure_code = upstream_status_code(r->status);
                            const auto why = openai_error_message(r->body);
                            state->failure_message = "OpenAI answered HTTP " +
                                                     std::to_string(r->status) +
                                                     (why.empty() ? "" : ": " + why);
                            return finish();
                        }
                        finish();
                    },
                .executor = state->events.executor});
    });
}

// The model's calls of one round, each validated and carried out (chat/chat_actions) or
// refused past max_tool_calls_per_turn; their results go to the model in the next round.
void chat_service::run_tools(chat_turn_state& state, const chat_completion_result& completion)
{
    // Whom send_email and send_sms may write to: what the visitor wrote in this conversation
    // (the history holds this turn's message too).
    visitor_contacts heard;
    if (state.history)
        for (const auto& turn : state.history->turns())
            if (turn.role == chat_role::user)
                heard.heard(turn.text);
    const auto& cfg = state.settings->cfg;
    const chat_action_context context{.site = state.request.site,
                                      .conversation = state.request.conversation_id,
                                      .channel = action_channel::chat,
                                      .now_unix = unix_now(),
                                      .where = cfg.sites.find(state.request.site),
                                      .heard = &heard,
                                      .email_sender = !cfg.smtp_host.empty(),
                                      .sms_sender = cfg.texting_configured()};
    chat_tool_round round;
    round.text = completion.text;
    for (const auto& call : completion.tool_calls) {
        auto done = state.calls < max_tool_calls_per_turn
                        ? execute_tool_call(call, context, actions_, metrics_, log_)
                        : refuse_tool_call(call,
                                           "at most " + std::to_string(max_tool_calls_per_turn) +
                                               " actions are carried out per message",
                                           context, metrics_, log_);
        ++state.calls;
        round.calls.push_back(std::move(done.exchange));
        state.actions.push_back(std::move(done.taken));
    }
    state.rounds.push_back(std::move(round));
}

// Ends a round: a round that called tools (within max_tool_rounds) runs them and starts the
// next; otherwise the turn ends once, with the model's reply or the persona's fallback.
void chat_service::finish_round(const std::shared_ptr<chat_turn_state>& state)
{
    const auto& p = state->settings->personas.get(state->request.persona);
    const auto completion = state->decoder.result_so_far();
    state->prompt_tokens += completion.prompt_tokens;
    state->completion_tokens += completion.completion_tokens;
    if (completion.prompt_tokens > 0 || completion.completion_tokens > 0)
        usage_.tokens("openai", completion.model.empty() ? p.chat_model : completion.model,
                      {.text_input = static_cast<double>(completion.prompt_tokens),
                       .cached_text_input = static_cast<double>(completion.cached_prompt_tokens),
                       .text_output = static_cast<double>(completion.completion_tokens)});
    if (state->failure_code.empty() && !state->decoder.done()) {
        state->failure_code = "upstream_closed";
        state->failure_message = "the chat stream ended before it was complete";
    }
    const bool tools = tools_enabled(state->settings->cfg);
    if (state->failure_code.empty() && !completion.tool_calls.empty()) {
        if (tools && state->rounds.size() < max_tool_rounds) {
            run_tools(*state, completion);
            state->earlier_text += completion.text;
            ++state->round;
            state->parser = sse_parser();
            state->decoder = chat_stream_decoder();
            state->done();
            return start_round(state);
        }
        // Calls past the bound (or never offered) are not carried out; text, if any, stands.
        if (completion.text.empty()) {
            state->failure_code = tools ? "tool_rounds_exceeded" : "upstream_error";
            state->failure_message = tools ? "the model still called tools after " +
                                                 std::to_string(max_tool_rounds) + " rounds of them"
                                           : "the model called a tool, but none was offered";
        }
    }

    state->finished = true;
    chat_turn_outcome outcome;
    outcome.completion = completion;
    outcome.completion.prompt_tokens = state->prompt_tokens;
    outcome.completion.completion_tokens = state->completion_tokens;
    outcome.actions = state->actions;
    if (state->failure_code.empty()) {
        outcome.reply = state->earlier_text + completion.text;
        count("ok");
        remember(state->request.conversation_id, chat_role::assistant, completion.text,
                 std::move(state->rounds));
    } else {
        outcome.reply = p.fallback_reply;
        outcome.fallback = true;
        outcome.error_code = state->failure_code;
        outcome.error_message = log_.redact(state->failure_message);
        count("fallback");
        metrics_.error(state->failure_code).inc();
        log_.warn("chat", "fallback reply (" + state->failure_code + "): " + outcome.error_message);
        // Actions already carried out stay in the history with their results, so the model
        // does not take them again next turn.
        if (!state->rounds.empty())
            remember(state->request.conversation_id, chat_role::assistant, outcome.reply,
                     std::move(state->rounds));
    }
    auto done = std::move(state->events.on_done);
    state->events = {};
    state->done();
    if (done)
        done(outcome);
}

} // namespace donna::relay
