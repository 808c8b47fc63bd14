// chat_actions.cpp: one tool call validated, stored or queued, counted and logged.
#include "chat/chat_actions.hpp"

#include "auth/random_id.hpp"
#include "chat/chat_tools.hpp"
#include "config/sites.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "metrics/relay_metrics.hpp"
#include "outbox/mail_templates.hpp"
#include "policy/recipient_policy.hpp"
#include "protocol/json_fields.hpp"
#include "store/action_store.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

using json = nlohmann::json;

void count(relay_metrics& metrics, std::string_view action, const chat_action_context& context,
           std::string_view outcome)
{
    metrics.registry
        .get_counter("donna_actions_total", "DONNA's tool calls by channel and outcome",
                     {{"action", std::string(action)},
                      {"channel", std::string(to_string(context.channel))},
                      {"outcome", std::string(outcome)}})
        .inc();
}

// Where a log line comes from, without who the visitor is: the site and the start of the
// conversation id (enough to find the turn, not enough to reuse anything).
std::string where(const chat_action_context& context)
{
    return std::string(to_string(context.channel)) + ", site " + context.site + ", conversation " +
           context.conversation.substr(0, 8);
}

// The tool's name for metrics and answers: one of the four, else "unknown" (a model's made-up
// name must not become a metric label).
std::string action_label(const chat_tool_call& call)
{
    const auto action = chat_action_from_name(call.name);
    return action ? std::string(to_string(*action)) : std::string("unknown");
}

executed_tool_call start(const chat_tool_call& call)
{
    executed_tool_call out;
    // The tool message must name the call's id; a stream that lost it gets one of ours, used
    // in the assistant message and the tool message alike.
    out.exchange = {call.id.empty() ? "call_" + random_hex(12) : call.id, call.name, call.arguments,
                    ""};
    out.taken.name = action_label(call);
    return out;
}

executed_tool_call not_done(executed_tool_call out, std::string status, std::string error,
                            std::string_view advice)
{
    out.taken.status = std::move(status);
    out.taken.error = std::move(error);
    out.exchange.result = dump_json({{"status", out.taken.status},
                                     {"error", out.taken.error},
                                     {"detail", std::string(advice)}});
    return out;
}

executed_tool_call failed(executed_tool_call out, const chat_action_context& context,
                          relay_metrics& metrics, logger& log, const std::string& why)
{
    count(metrics, out.taken.name, context, "failed");
    log.error("chat",
              "action " + out.taken.name + " could not be stored (" + where(context) + "): " + why);
    return not_done(std::move(out), "failed", "the relay could not store it",
                    "Nothing was done. Apologise and suggest the visitor tries again later "
                    "or contacts the business directly.");
}

executed_tool_call done(executed_tool_call out, const chat_action_context& context,
                        relay_metrics& metrics, logger& log, const std::string& status,
                        std::int64_t id, std::string_view detail)
{
    out.taken.status = status;
    out.taken.id = id;
    count(metrics, out.taken.name, context, status);
    log.info("chat", "action " + out.taken.name + " " + status + " as #" + std::to_string(id) +
                         " (" + where(context) + ")");
    out.exchange.result = dump_json({{"status", status}, {"id", id}, {"detail", detail}});
    return out;
}

std::string email_payload(const rendered_mail& mail)
{
    return dump_json({{"subject", mail.subject}, {"body", mail.text}, {"html", mail.html}});
}

// The UTC day's first second: the daily caps count from it.
std::int64_t day_start(std::int64_t now)
{
    return now - now % 86400;
}

// The recipient policy's question for one recipient, with what the store knows.
result<recipient_verdict> ask_policy(contact_channel channel, const std::string& recipient,
                                     const chat_action_context& context, action_store& store)
{
    const bool email = channel == contact_channel::email;
    const std::string name = email ? "email" : "sms";
    auto used = store.recipients_of(context.conversation, name);
    if (!used)
        return used.error();
    auto today = store.count_for_visitors(context.site, name, day_start(context.now_unix));
    if (!today)
        return today.error();
    recipient_question q;
    q.channel = channel;
    q.recipient = recipient;
    q.heard = context.heard;
    if (context.where != nullptr)
        q.staff = email ? context.where->staff_emails : context.where->staff_phones;
    q.used_by_conversation = std::move(*used);
    q.sent_today = static_cast<std::size_t>(*today);
    q.daily_cap =
        static_cast<std::size_t>(context.where == nullptr ? site{}.daily_email_cap
                                                          : (email ? context.where->daily_email_cap
                                                                   : context.where->daily_sms_cap));
    return check_recipient(q);
}

// take_message / request_callback: the row for the staff, their notification emails and
// the visitor's confirmation, in one transaction.
executed_tool_call record(executed_tool_call out, const chat_tool_arguments& args,
                          const chat_action_context& context, action_store& store,
                          relay_metrics& metrics, logger& log)
{
    staff_message message;
    message.site = context.site;
    message.kind = std::string(to_string(args.action));
    message.conversation = context.conversation;
    message.fields = args.fields_json();
    message.created_at = context.now_unix;

    // The visitor's confirmation goes only where the recipient policy lets it.
    const auto visitor_email = args.field("email");
    bool confirm = false;
    if (!visitor_email.empty() && context.where != nullptr && context.email_sender) {
        auto verdict = ask_policy(contact_channel::email, visitor_email, context, store);
        confirm = verdict && verdict->allowed && !verdict->staff;
    }
    const bool notify = context.where != nullptr && context.where->notify_staff &&
                        !context.where->staff_emails.empty();
    auto id = store.record_message(message, [&](std::int64_t message_id) {
        std::vector<outbox_item> items;
        if (context.where == nullptr)
            return items;
        const auto& s = *context.where;
        const auto kind = to_string(args.action);
        auto email = [&](const std::string& to, const rendered_mail& mail, const char* audience) {
            outbox_item item;
            item.site = context.site;
            item.channel = "email";
            item.conversation = context.conversation;
            item.recipient = to;
            item.payload = email_payload(mail);
            item.created_at = context.now_unix;
            item.audience = audience;
            items.push_back(std::move(item));
        };
        if (notify) {
            const auto notice = staff_notification(s, kind, args.fields, message_id);
            for (const auto& to : s.staff_emails)
                email(to, notice, "staff");
        }
        if (confirm)
            email(visitor_email, visitor_confirmation(s, kind, args.fields, message_id), "visitor");
        return items;
    });
    if (!id)
        return failed(std::move(out), context, metrics, log, id.error().message);
    std::string detail = args.action == chat_action::take_message
                             ? "The staff will see the message and follow up."
                             : "The staff will see the request and call the visitor back.";
    if (notify)
        detail += context.email_sender ? " They are being notified by email."
                                       : " An email to them is saved but email is not set up "
                                         "yet, so it has not gone out.";
    if (confirm)
        detail += " A confirmation email to the visitor is on its way.";
    return done(std::move(out), context, metrics, log, "recorded", *id, detail);
}

// send_email / send_sms: queued when the recipient policy allows it.
executed_tool_call send(executed_tool_call out, const chat_tool_arguments& args,
                        const chat_action_context& context, action_store& store,
                        relay_metrics& metrics, logger& log)
{
    const bool email = args.action == chat_action::send_email;
    const auto to = args.field("to");
    auto verdict =
        ask_policy(email ? contact_channel::email : contact_channel::sms, to, context, store);
    if (!verdict)
        return failed(std::move(out), context, metrics, log, verdict.error().message);
    if (!verdict->allowed) {
        count(metrics, out.taken.name, context, "refused");
        log.warn("chat", "action " + out.taken.name + " refused by the recipient policy (" +
                             where(context) + "): " + verdict->code);
        out.taken.status = "refused";
        out.taken.error = verdict->code;
        out.exchange.result =
            dump_json({{"status", "refused"},
                       {"error", verdict->code},
                       {"detail", "Nothing was sent. Tell the visitor: " + verdict->reason}});
        return out;
    }
    outbox_item item;
    item.site = context.site;
    item.channel = email ? "email" : "sms";
    item.conversation = context.conversation;
    item.recipient = to;
    item.payload =
        email ? dump_json({{"subject", args.field("subject")}, {"body", args.field("body")}})
              : dump_json({{"body", args.field("body")}});
    item.created_at = context.now_unix;
    item.audience = verdict->staff ? "staff" : "visitor";
    auto id = store.enqueue(item);
    if (!id)
        return failed(std::move(out), context, metrics, log, id.error().message);
    // What the row says now (queued: nothing is sent before this answer), and whether anything
    // will send it.
    auto row = store.get_outbox(*id);
    const std::string status = row ? row->status : "queued";
    const bool sender = email ? context.email_sender : context.sms_sender;
    const std::string detail =
        sender ? std::string("Queued: it goes out within a minute; it has not been delivered "
                             "yet, so do not say it has arrived.")
               : std::string("Saved but not sent: ") + (email ? "email" : "text messaging") +
                     " is not set up for this business yet. Tell the visitor it could not be "
                     "sent now and the staff will see the request.";
    return done(std::move(out), context, metrics, log, status, *id, detail);
}

} // namespace

std::string_view to_string(action_channel channel)
{
    switch (channel) {
    case action_channel::voice:
        return "voice";
    case action_channel::phone:
        return "phone";
    case action_channel::chat:
        break;
    }
    return "chat";
}

executed_tool_call session_tool_done(const chat_tool_call& call, std::string_view action,
                                     std::string_view status, std::string_view detail,
                                     const chat_action_context& context, relay_metrics& metrics,
                                     logger& log)
{
    auto out = start(call);
    out.taken.name = std::string(action);
    out.taken.status = std::string(status);
    count(metrics, action, context, status);
    log.info("chat",
             "action " + out.taken.name + " " + out.taken.status + " (" + where(context) + ")");
    out.exchange.result = dump_json({{"status", status}, {"detail", detail}});
    return out;
}

executed_tool_call execute_tool_call(const chat_tool_call& call, const chat_action_context& context,
                                     action_store* store, relay_metrics& metrics, logger& log)
{
    auto out = start(call);
    auto args = validate_tool_call(call.name, call.arguments);
    if (!args) {
        count(metrics, out.taken.name, context, "invalid");
        // The message names the field and the rule, never a value: safe to log.
        log.warn("chat", "action " + out.taken.name + " not carried out (" + where(context) +
                             "): " + to_string(args.error().code) + ": " + args.error().message);
        return not_done(std::move(out), "invalid", args.error().message,
                        "Nothing was done. Ask the visitor for the missing or corrected "
                        "details, then call the tool again.");
    }
    if (store == nullptr)
        return failed(std::move(out), context, metrics, log, "no database");
    switch (args->action) {
    case chat_action::take_message:
    case chat_action::request_callback:
        return record(std::move(out), *args, context, *store, metrics, log);
    case chat_action::send_email:
    case chat_action::send_sms:
        return send(std::move(out), *args, context, *store, metrics, log);
    }
    return failed(std::move(out), context, metrics, log, "unknown action");
}

executed_tool_call refuse_tool_call(const chat_tool_call& call, const std::string& why,
                                    const chat_action_context& context, relay_metrics& metrics,
                                    logger& log)
{
    auto out = start(call);
    count(metrics, out.taken.name, context, "refused");
    log.warn("chat", "action " + out.taken.name + " refused (" + where(context) + "): " + why);
    return not_done(std::move(out), "refused", why,
                    "Nothing was done. Tell the visitor what was done so far.");
}

} // namespace donna::relay
