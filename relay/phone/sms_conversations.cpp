// sms_conversations.cpp: keyword, thread, chat turn, reply.
#include "phone/sms_conversations.hpp"

#include "chat/chat_service.hpp"
#include "core/contact_address.hpp"
#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "phone/sms_keywords.hpp"
#include "protocol/json_fields.hpp"
#include "providers/telnyx/telnyx_messaging.hpp"
#include "settings/settings_source.hpp"
#include "store/sms_store.hpp"

#include <nlohmann/json.hpp>

namespace donna::relay {
namespace {

std::string thread_id(const std::string& site, const std::string& number)
{
    return "sms:" + site + ":" + number;
}

std::string help_text(const site& s)
{
    std::string text = s.id + ": you are texting DONNA, an AI assistant.";
    if (!s.staff_phones.empty())
        text += " To reach a person, call " + s.staff_phones.front() + ".";
    else if (!s.staff_emails.empty())
        text += " To reach a person, email " + s.staff_emails.front() + ".";
    return text + " Reply STOP to opt out.";
}

} // namespace

void sms_conversations::count(const char* outcome)
{
    deps_.metrics.registry
        .get_counter("donna_sms_received_total", "Texts received, by what became of them",
                     {{"outcome", outcome}})
        .inc();
}

job_outcome sms_conversations::reply(const std::string& site, const std::string& number,
                                     std::int64_t inbound_id, const std::string& text)
{
    sms_message message;
    message.site = site;
    message.number = number;
    message.direction = "outbound";
    message.body = text;
    message.in_reply_to = inbound_id;
    message.created_at = unix_now();
    outbox_item send;
    send.site = site;
    send.channel = "sms";
    send.conversation = thread_id(site, number);
    send.recipient = number;
    send.payload = dump_json({{"body", text}});
    send.created_at = message.created_at;
    auto queued = deps_.sms.reply(message, send);
    if (!queued)
        return job_outcome::retry("the reply could not be stored: " + queued.error().message);
    if (deps_.poke_jobs)
        deps_.poke_jobs();
    return job_outcome::done();
}

void sms_conversations::on_received(const telnyx_message& message,
                                    const std::function<void(job_outcome)>& done)
{
    const auto& number = message.from;
    const std::string ours = message.to.empty() ? std::string() : message.to.front().phone_number;
    if (!is_e164_phone(number)) {
        count("refused");
        return done(job_outcome::fail("a text from something that is not a phone number"));
    }
    const auto live = deps_.settings.current();
    const auto* where = live->cfg.sites.find_by_number(ours);
    const std::string site_id = where != nullptr ? where->id : std::string();

    sms_message inbound;
    inbound.site = site_id;
    inbound.number = number;
    inbound.body = message.text;
    inbound.media = dump_json(nlohmann::json(message.media_urls));
    inbound.provider_id = message.id;
    inbound.created_at = unix_now();
    auto recorded = deps_.sms.record_inbound(inbound);
    if (!recorded)
        return done(job_outcome::retry(recorded.error().message));
    const auto inbound_id = recorded->id;
    if (!recorded->fresh) {
        auto answered = deps_.sms.replied(inbound_id);
        if (!answered)
            return done(job_outcome::retry(answered.error().message));
        if (*answered)
            return done(job_outcome::done());
    }

    const auto keyword = sms_keyword_of(message.text);
    if (keyword == sms_keyword::stop) {
        if (auto stopped = deps_.sms.opt_out(number, message.text.substr(0, 32), unix_now());
            !stopped)
            return done(job_outcome::retry(stopped.error().message));
        count("stop");
        deps_.log.info("sms", "a number opted out by text; it is not texted again");
        return done(job_outcome::done());
    }
    if (keyword == sms_keyword::start) {
        if (auto started = deps_.sms.opt_in(number); !started)
            return done(job_outcome::retry(started.error().message));
        count("start");
        if (where == nullptr)
            return done(job_outcome::done());
        return done(reply(site_id, number, inbound_id,
                          where->id + ": you will get texts from us again. Reply HELP for help, "
                                      "STOP to opt out."));
    }
    const auto stopped = deps_.sms.opted_out(number);
    if (!stopped)
        return done(job_outcome::retry(stopped.error().message));
    if (*stopped) {
        count("opted_out");
        return done(job_outcome::done()); // kept in the thread, never answered
    }
    if (where == nullptr) {
        count("unrouted");
        deps_.log.warn("sms", "a text to " + ours +
                                  ", a number no site claims (phone_numbers in "
                                  "the sites file): kept, not answered");
        return done(job_outcome::done());
    }
    if (keyword == sms_keyword::help) {
        count("help");
        return done(reply(site_id, number, inbound_id, help_text(*where)));
    }

    chat_turn_request turn{.conversation_id = thread_id(site_id, number),
                           .visitor_key = "sms:" + number,
                           .persona = where->persona,
                           .text = message.text,
                           .site = site_id,
                           .user_id = ""};
    deps_.chat.start_turn(
        live, std::move(turn),
        {.on_delta = {},
         .on_done =
             [this, site_id, number, inbound_id, done](const chat_turn_outcome& outcome) {
                 if (outcome.reply.empty()) {
                     // Refused before any reply (too long, too fast): nothing to text back.
                     count("refused");
                     deps_.log.warn("sms", "a text was not answered: " + outcome.error_code + ": " +
                                               outcome.error_message);
                     return done(job_outcome::done());
                 }
                 count("answered");
                 done(reply(site_id, number, inbound_id, outcome.reply));
             },
         .executor = {}});
}

} // namespace donna::relay
