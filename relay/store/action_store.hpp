// action_store.hpp: what the chat's actions leave behind in the relay's SQLite database:
// messages and callback requests for the business's staff (the `messages` table, listed by
// GET /v1/messages), and emails and text messages waiting to be sent (the `outbox` table,
// status 'queued', each with its job in the same transaction (store/job_store: kind
// "outbox.email" or "outbox.sms", key "outbox:<id>") for the SMTP and Telnyx senders that
// follow: durable, never silently dropped). The tables are created by store/database's schema. Parameterised SQL only.
//
//   action_store actions(db);
//   staff_message m;                       // site, kind, conversation, fields (JSON), created_at
//   m.site = "acme"; m.kind = "take_message"; m.fields = R"({"name":"Ana","message":"Hi"})";
//   auto id = actions.record_message(m);   // the new row's id
//   outbox_item o;                         // channel "email" | "sms", recipient, payload (JSON)
//   o.site = "acme"; o.channel = "sms"; o.recipient = "+15550100199"; o.payload = R"({"body":"Hi"})";
//   auto queued = actions.enqueue(o);      // always status 'queued', 0 attempts
//   auto newest = actions.list_messages("acme", 50);   // "" for every site
#pragma once

#include "core/error.hpp"
#include "store/database.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace donna::relay {

struct staff_message {
    std::int64_t id = 0;
    std::string site;
    std::string kind;            // "take_message" | "request_callback"
    std::string conversation;    // the session token's id the visitor chatted with
    std::string fields;          // the validated arguments, a JSON object's text
    std::int64_t created_at = 0; // unix seconds
};

struct outbox_item {
    std::int64_t id = 0;
    std::string site;
    std::string channel; // "email" | "sms"
    std::string conversation;
    std::string recipient; // an email address or an E.164 phone number
    // JSON text: {"subject","body","html"?} for email (html: "" or absent makes one from the
    // body), {"body"} for sms.
    std::string payload;
    std::string status = "queued"; // queued | sending | sent | failed
    std::int64_t attempts = 0;     // delivery attempts so far
    std::int64_t created_at = 0;
    std::string last_error = {};      // why the last attempt did not deliver ("" when none)
    std::int64_t sent_at = 0;         // unix seconds the server took it; 0 until then
    std::string audience = "visitor"; // "visitor" or "staff": whom it goes to
    std::string provider_id = {};     // the provider's id for what it took ("" until sent)
};

// One outbox row and its job (store/job_store: kind outbox.<channel>, key outbox:<id>), in
// the caller's transaction: never a row without its job. The new row's id.
result<std::int64_t> enqueue_outbox_in(sql_connection& sql, const outbox_item& item);

class action_store {
public:
    static constexpr std::size_t max_list = 500; // rows one listing returns at most

    explicit action_store(database& db) : db_(db) {}

    // The new row's id. Errors: invalid_argument (an unknown kind or channel), io_error.
    result<std::int64_t> record_message(const staff_message& message);
    result<std::int64_t> enqueue(const outbox_item& item);
    // A message and what it sets off (the staff's notifications, the visitor's confirmation),
    // made from the message's id, in one transaction: never a message whose notices are lost.
    using follow_ups = std::function<std::vector<outbox_item>(std::int64_t message_id)>;
    result<std::int64_t> record_message(const staff_message& message, const follow_ups& then);

    // For the recipient policy: the recipients a conversation's outbox rows went to on a
    // channel, and the site's visitor-bound rows of a channel created since `since` (unix s).
    result<std::vector<std::string>> recipients_of(const std::string& conversation,
                                                   const std::string& channel);
    result<std::int64_t> count_for_visitors(const std::string& site, const std::string& channel,
                                            std::int64_t since);

    // Newest first, at most min(limit, max_list); site "" lists every site.
    result<std::vector<staff_message>> list_messages(const std::string& site, std::size_t limit);
    result<std::vector<outbox_item>> list_outbox(const std::string& site, std::size_t limit);

    // The senders' side (outbox/): one row (not_found when there is none), and its delivery
    // state: an attempt begins (status sending, attempts + 1), then it was sent, will be
    // retried (status queued again, with why), or failed for good (with why).
    result<outbox_item> get_outbox(std::int64_t id);
    status begin_attempt(std::int64_t id, std::int64_t now);
    status mark_sent(std::int64_t id, std::int64_t now, const std::string& provider_id = "");
    status mark_retry(std::int64_t id, const std::string& why, std::int64_t now);
    status mark_failed(std::int64_t id, const std::string& why, std::int64_t now);

private:
    database& db_;
};

} // namespace donna::relay
