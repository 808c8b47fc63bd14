// chat_actions.cpp: one tool call validated, stored or queued, counted and logged.
#include "chat/chat_actions.hpp"

#include "auth/random_id.hpp"
#include "chat/chat_tools.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "metrics/relay_metrics.hpp"
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

} // namespace

std::string_view to_string(action_channel channel)
{
    return channel == action_channel::voice ? "voice" : "chat";
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
    result<std::int64_t> id = make_error(errc::upstream_unavailable, "no database");
    std::string status;
    std::string detail;
    if (store != nullptr) {
        switch (args->action) {
        case chat_action::take_message:
        case chat_action::request_callback: {
            staff_message message;
            message.site = context.site;
            message.kind = std::string(to_string(args->action));
            message.conversation = context.conversation;
            message.fields = args->fields_json();
            message.created_at = context.now_unix;
            id = store->record_message(message);
            status = "recorded";
            detail = args->action == chat_action::take_message
                         ? "The staff will see the message and follow up."
                         : "The staff will see the request and call the visitor back.";
            break;
        }
        case chat_action::send_email:
        case chat_action::send_sms: {
            const bool email = args->action == chat_action::send_email;
            outbox_item item;
            item.site = context.site;
            item.channel = email ? "email" : "sms";
            item.conversation = context.conversation;
            item.recipient = args->field("to");
            item.payload = email ? dump_json({{"subject", args->field("subject")},
                                              {"body", args->field("body")}})
                                 : dump_json({{"body", args->field("body")}});
            item.created_at = context.now_unix;
            id = store->enqueue(item);
            status = "queued";
            detail = "Queued: it will be sent shortly, it has not been delivered yet.";
            break;
        }
        }
    }
    if (!id) {
        count(metrics, out.taken.name, context, "failed");
        log.error("chat", "action " + out.taken.name + " could not be stored (" + where(context) +
                              "): " + id.error().message);
        return not_done(std::move(out), "failed", "the relay could not store it",
                        "Nothing was done. Apologise and suggest the visitor tries again later "
                        "or contacts the business directly.");
    }
    out.taken.status = status;
    out.taken.id = *id;
    count(metrics, out.taken.name, context, status);
    log.info("chat", "action " + out.taken.name + " " + status + " as #" + std::to_string(*id) +
                         " (" + where(context) + ")");
    out.exchange.result = dump_json({{"status", status}, {"id", *id}, {"detail", detail}});
    return out;
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
