// sms_store.hpp: what text messaging leaves in the relay's SQLite database: delivery reports
// per provider message (`message_deliveries`), the numbers that opted out (`sms_opt_outs`),
// and the text conversations with DONNA, a thread per site and number (`sms_messages`). The
// tables are created by store/database's schema. Parameterised SQL only.
//
//   sms_store sms(db);
//   sms.record_delivery({.provider = "telnyx", .message_id = id, .status = "delivered", ...});
//   if (*sms.opted_out("+15550100199")) ...          // never text this number
//   sms.record_inbound({.site = "acme", .number = "+15550100199", .body = "Hi"});
//   auto reply = sms.reply(message, outbox_row);      // both, and the job, in one transaction
#pragma once

#include "core/error.hpp"
#include "store/action_store.hpp"
#include "store/database.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace donna::relay {

struct message_delivery {
    std::string provider; // "telnyx"
    std::string message_id;
    std::string status;              // the first recipient's
    std::string recipients = "[]";   // JSON [{"phone_number","status"}]
    std::string errors = "[]";       // JSON [{"code","title","detail"}]
    std::int64_t occurred_at_ms = 0; // the report's own time
    std::int64_t updated_at = 0;     // unix seconds it was stored
};

struct sms_message {
    std::int64_t id = 0;
    std::string site;
    std::string number;                // the other side's
    std::string direction = "inbound"; // inbound | outbound
    std::string body;
    std::string media = "[]";     // JSON array of URLs
    std::string provider_id = {}; // inbound: the provider's message id
    std::int64_t outbox_id = 0;   // outbound: the outbox row sending it
    std::int64_t created_at = 0;
    std::int64_t in_reply_to = 0; // outbound: the inbound message it answers
};

struct sms_thread {
    std::string site;
    std::string number;
    std::int64_t messages = 0;
    std::int64_t last_id = 0; // the newest message's id (threads are listed newest first)
    std::int64_t last_at = 0;
    bool opted_out = false;
};

class sms_store {
public:
    static constexpr std::size_t max_list = 500;

    explicit sms_store(database& db) : db_(db) {}

    // Keeps the report unless a later one (by occurred_at) is stored already; true when this
    // one is now the message's status.
    result<bool> record_delivery(const message_delivery& report);
    // The latest report of a provider's message id; not_found when none came yet.
    result<message_delivery> delivery_of(const std::string& message_id);

    // STOP: the number is never texted again until it sends START (opt_in).
    status opt_out(const std::string& number, const std::string& keyword, std::int64_t at);
    status opt_in(const std::string& number);
    result<bool> opted_out(const std::string& number);

    struct inbound_record {
        std::int64_t id = 0;
        bool fresh = false; // false: this provider id was recorded before (a re-run)
    };
    // Once per provider id: a re-run of the same event finds the row it made.
    result<inbound_record> record_inbound(const sms_message& message);
    // Whether an outbound message answers this inbound one already.
    result<bool> replied(std::int64_t inbound_id);
    // An outbound message of a thread and the outbox row that sends it (with its job), in one
    // transaction; the outbox row's id.
    result<std::int64_t> reply(sms_message message, const outbox_item& send);

    // A thread, oldest first after `after_id` (0: from the start), at most `limit`.
    result<std::vector<sms_message>> thread(const std::string& site, const std::string& number,
                                            std::int64_t after_id, std::size_t limit);
    // Threads, the most recently active first; site "" lists every site; only threads whose
    // newest message id is below `before_id` (0: no bound) so that a cursor stays stable.
    result<std::vector<sms_thread>> threads(const std::string& site, std::int64_t before_id,
                                            std::size_t limit);

private:
    database& db_;
};

} // namespace donna::relay
