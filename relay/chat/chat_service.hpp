// chat_service.hpp: DONNA's text chat (the seed's api/donna_logic.php): one visitor message in,
// the persona's reply streamed back token by token from OpenAI chat completions. Shared by
// POST /v1/chat and the donna.chat.message event on the WebSocket.
//
//   auto call = services.chat().start_turn(settings, {.conversation_id = claims.token_id,
//                                                     .visitor_key = claims.token_id,
//                                                     .persona = persona, .text = text},
//       {.on_delta = [](std::string_view d) { ... },       // as the tokens arrive
//        .on_done = [](const chat_turn_outcome& o) { ... }});  // exactly once
//
// Before the completion, the message passes the local checks (length, the visitor's rate,
// repeats, a throttle after a flag: chat/abuse_guard) and, unless DONNA_MODERATION=0, OpenAI's
// moderation: a flagged message gets a polite refusal (code content_flagged), an audit log
// line, and the visitor is throttled for DONNA_MODERATION_COOLDOWN_SECONDS.
//
// Callbacks run on events.executor (the caller's strand) when given, else on the upstream
// client's strand; a turn refused at once calls on_done inside start_turn. Whatever happens,
// on_done comes: a broken, slow or refusing upstream gives the persona's fallback reply with
// an error code (never a hang: the call has a total deadline, DONNA_CHAT_TIMEOUT_MS); a
// message the relay refuses (empty, too long, over the visitor's rate) gives an error with
// no reply. History per conversation is kept in memory, bounded by tokens.
//
// Actions (unless DONNA_CHAT_TOOLS=0): the completion offers the tools of chat/chat_tools. When
// the model calls some, each call is validated and carried out (chat/chat_actions: stored for
// the staff or queued in the outbox; an invalid one is not executed and its result tells the
// model why), then a second streamed completion carries the calls and their results, and its
// text streams to the caller like any reply. At most max_tool_rounds such rounds per turn (the
// last request says "tool_choice":"none"); the outcome lists what was done (actions).
#pragma once

#include "chat/abuse_guard.hpp"
#include "chat/chat_actions.hpp"
#include "chat/chat_completion.hpp"
#include "chat/chat_history.hpp"
#include "protocol/donna_events.hpp"
#include "upstream/http_client.hpp"
#include "upstream/rate_limiter.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace donna::relay {

struct live_settings;
struct chat_turn_state;
struct moderation_verdict;
struct config;
class usage_meter;
struct relay_metrics;
class logger;
class memory_store;
class database;
class action_store;

struct chat_turn_request {
    std::string conversation_id; // whose history (a session token's id)
    std::string visitor_key;     // whose rate limit
    donna::persona persona = donna::persona::general;
    std::string text;
    std::string site;    // for the audit log and memories
    std::string user_id; // an authenticated user (memories in the prompt), "" for a visitor
};

struct chat_turn_outcome {
    std::string reply;                 // the whole reply (the persona's fallback when it failed)
    bool fallback = false;             // the reply is the fallback, not the model's
    std::string error_code;            // "" on success; else a wire code (docs/relay.md)
    std::string error_message;         // for people
    int http_status = 200;             // a refusal's status for POST /v1/chat (400, 413, 429, 503)
    chat_completion_result completion; // the last round's; usage summed over the rounds
    std::vector<chat_action_taken> actions; // the tool calls of the turn, in order
};

struct chat_turn_events {
    std::function<void(std::string_view delta)> on_delta = {};
    std::function<void(const chat_turn_outcome& outcome)> on_done = {};
    // Where the turn's upstream answers are handled and these callbacks run: the caller's
    // strand (no post, no lock on its side). Empty: the upstream client's strand.
    boost::asio::any_io_executor executor = {};
};

class chat_service {
public:
    // memories and db may be null (no memory in prompts, audit lines only in the log).
    chat_service(http_client& client, usage_meter& usage, relay_metrics& metrics, logger& log,
                 const config& cfg, memory_store* memories = nullptr, database* db = nullptr,
                 action_store* actions = nullptr);
    ~chat_service();
    chat_service(const chat_service&) = delete;
    chat_service& operator=(const chat_service&) = delete;

    // Limits from the configuration (at start and on reload).
    void apply(const config& cfg);

    // Returns the upstream call (to cancel when the visitor goes away), or nullptr when the
    // turn ended at once (refused or not configured: on_done has already run).
    std::shared_ptr<upstream_call> start_turn(std::shared_ptr<const live_settings> settings,
                                              chat_turn_request request, chat_turn_events events);

    // A copy of a conversation's history (tests, and the memory work that follows).
    chat_history history(const std::string& conversation_id) const;

private:
    void moderate(const std::shared_ptr<chat_turn_state>& state);
    void moderation_unavailable(const std::string& why);
    void refuse_flagged(const std::shared_ptr<chat_turn_state>& state,
                        const moderation_verdict& verdict);
    void complete(const std::shared_ptr<chat_turn_state>& state);
    void start_round(const std::shared_ptr<chat_turn_state>& state);
    void finish_round(const std::shared_ptr<chat_turn_state>& state);
    void run_tools(chat_turn_state& state, const chat_completion_result& completion);
    bool tools_enabled(const config& cfg) const;
    std::string remembered(const chat_turn_state& state);
    void remember(const std::string& conversation_id, chat_role role, std::string text,
                  std::vector<chat_tool_round> tool_rounds = {});
    chat_history snapshot(const std::string& conversation_id) const;
    void count(std::string_view outcome);

    http_client& client_;
    usage_meter& usage_;
    relay_metrics& metrics_;
    logger& log_;
    memory_store* memories_;
    database* db_;
    action_store* actions_; // the services' (none: no tools)
    rate_limiter visitor_limiter_;
    abuse_guard guard_;

    mutable std::mutex mutex_;
    std::size_t history_tokens_;
    std::size_t max_conversations_ = 10000;
    // Least recently used first, so the oldest conversation is forgotten when over the bound.
    std::list<std::string> lru_;
    struct conversation {
        chat_history history;
        std::list<std::string>::iterator lru_position;
    };
    std::unordered_map<std::string, conversation> conversations_;
};

} // namespace donna::relay
