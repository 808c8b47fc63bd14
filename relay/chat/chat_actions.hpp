// chat_actions.hpp: carrying out DONNA's tool calls, from the text chat and from Realtime voice
// sessions alike (one validation, one implementation, one audit). Each call is checked
// against its tool's schema (chat/chat_tools); a valid take_message or request_callback is
// stored for the staff, with an email to each of the site's staff_emails (notify_staff) and,
// for a message that gives the visitor's own email address, a confirmation to the visitor,
// all in one transaction (store/action_store, outbox/mail_templates); a valid send_email or
// send_sms is queued in the outbox if the recipient policy (policy/recipient_policy) allows
// the recipient, and refused with a sentence DONNA can say if not; an invalid one is not
// executed. Every call is counted in
// donna_actions_total{action,channel,outcome} and logged without personal data (the tool, the
// channel, the outcome, the row id, the site and the start of the conversation id; for an
// invalid call the
// rule it broke, which never quotes a value). The tool message's content tells the model what
// happened, so it can confirm to the visitor or ask again.
//
//   auto done = execute_tool_call(call, {.site = "acme", .conversation = token_id,
//                                        .channel = action_channel::chat, .now_unix = now},
//                                 &store, metrics, log);
//   round.calls.push_back(done.exchange);   // for the next request (the tool message)
//   outcome.actions.push_back(done.taken);  // for the caller: {"name","status","id"}
#pragma once

#include "chat/chat_completion.hpp"
#include "chat/chat_history.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

class action_store;
class logger;
class visitor_contacts;
struct relay_metrics;
struct site;

// Calls carried out in one chat turn at most; the model's calls beyond it are refused (one
// visitor message must not fill the outbox).
inline constexpr std::size_t max_tool_calls_per_turn = 4;
// Completions that may call tools in one chat turn; the one after the last such round is told
// "tool_choice":"none", so a turn costs at most max_tool_rounds + 1 completions.
inline constexpr std::size_t max_tool_rounds = 2;

// What became of one call, for the caller.
struct chat_action_taken {
    std::string name;    // the tool ("unknown" for a name that is none of the four)
    std::string status;  // "recorded", "queued", "invalid", "refused", "failed"
    std::int64_t id = 0; // the messages or outbox row; 0 when nothing was stored
    std::string error;   // why it was not carried out ("" when it was)
};

// Where a call came from: the text chat (POST /v1/chat, donna.chat.message), the model of
// a Realtime voice session on the web, or the model answering a phone call.
enum class action_channel { chat, voice, phone };
std::string_view to_string(action_channel channel);

struct chat_action_context {
    std::string site;
    std::string conversation; // the session token's id
    action_channel channel = action_channel::chat;
    std::int64_t now_unix = 0;
    // The site's staff, daily caps and templates (null: a site without any: only the
    // visitor's own address, the default caps, no notifications).
    const struct site* where = nullptr;
    // What the visitor said or wrote in this conversation (policy/recipient_policy): whom
    // send_email and send_sms may write to besides the staff. Null: nobody but the staff.
    const visitor_contacts* heard = nullptr;
    // Whether a sender exists for the channel (SMTP_HOST set; Telnyx for SMS later): the
    // result then says the message goes out shortly, otherwise that it waits unsent.
    bool email_sender = false;
    bool sms_sender = false;
};

struct executed_tool_call {
    chat_tool_exchange exchange; // the call and its result (the tool message's content)
    chat_action_taken taken;
};

// Validates and carries out one call. `store` null: no database, the call fails (counted).
executed_tool_call execute_tool_call(const chat_tool_call& call, const chat_action_context& context,
                                     action_store* store, relay_metrics& metrics, logger& log);

// A call the session carried out itself (the phone's transfer_call and end_call, which act
// on the call rather than store anything): counted in donna_actions_total under `action` and
// logged as the others, with `status` ("done", "refused"...) and `detail` (what the model
// should say or do next) as its result.
executed_tool_call session_tool_done(const chat_tool_call& call, std::string_view action,
                                     std::string_view status, std::string_view detail,
                                     const chat_action_context& context, relay_metrics& metrics,
                                     logger& log);

// A call that is not carried out for the turn's sake (status "refused": over
// max_tool_calls_per_turn), with `why` as its result.
executed_tool_call refuse_tool_call(const chat_tool_call& call, const std::string& why,
                                    const chat_action_context& context, relay_metrics& metrics,
                                    logger& log);

} // namespace donna::relay
