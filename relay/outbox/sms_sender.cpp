// sms_sender.cpp: one outbox row through the messaging provider.
#include "outbox/sms_sender.hpp"

#include "config/config.hpp"
#include "core/contact_address.hpp"
#include "protocol/json_fields.hpp"
#include "settings/settings_source.hpp"
#include "store/sms_store.hpp"
#include "telephony/phone_providers.hpp"

#include <nlohmann/json.hpp>

#include <variant>

namespace donna::relay {
namespace {

using json = nlohmann::json;

struct sms_content {
    std::string body;
    std::vector<std::string> media_urls;
};

sms_content content_of(const std::string& payload)
{
    sms_content out;
    const auto parsed = json::parse(payload, nullptr, false);
    if (!parsed.is_object())
        return out;
    out.body = json_string_member(parsed, "body");
    if (const auto* media = json_member(parsed, "media_urls");
        media != nullptr && media->is_array())
        for (const auto& url : *media)
            if (url.is_string())
                out.media_urls.push_back(url.get<std::string>());
    return out;
}

} // namespace

sms_sender::sms_sender(action_store& store, sms_store& sms, const phone_providers& providers,
                       const settings_source& settings, metrics_registry& registry, logger& log)
    : record_(store, registry, log, "sms"), sms_(sms), providers_(providers), settings_(settings)
{}

std::string sms_sender::idempotency_key(const outbox_item& row)
{
    return "donna-outbox-" + std::to_string(row.id) + "-" + std::to_string(row.created_at);
}

void sms_sender::deliver(const job& j, job_runner::settle done)
{
    auto opened = record_.open(j);
    if (auto* settled = std::get_if<job_outcome>(&opened))
        return done(*settled);
    const auto row = std::get<outbox_item>(std::move(opened));
    const auto id = row.id;
    if (!is_e164_phone(row.recipient))
        return done(record_.failed(id, "the recipient is not a +E.164 phone number"));
    const auto stopped = sms_.opted_out(row.recipient);
    if (!stopped)
        return done(record_.retry(j, id, stopped.error().message));
    if (*stopped)
        return done(record_.failed(id, "the recipient texted STOP: DONNA never texts this "
                                       "number again unless it texts START"));
    const auto content = content_of(row.payload);
    if (content.body.empty() && content.media_urls.empty())
        return done(record_.failed(id, "the message has no text"));
    const auto live = settings_.current();
    auto* provider = providers_.messaging(live->cfg);
    if (provider == nullptr)
        return done(record_.retry(
            j, id, "no messaging provider named '" + live->cfg.messaging_provider + "' is built"));
    if (!record_.begin(id))
        return done(job_outcome::retry("the outbox row could not be written"));
    provider->send_text({.to = row.recipient,
                         .text = content.body,
                         .media_urls = content.media_urls,
                         .idempotency_key = idempotency_key(row)},
                        [this, j, id, done = std::move(done)](provider_result<text_accepted> sent) {
                            if (sent)
                                return done(record_.sent(id, sent->message_id));
                            const auto& why = sent.failure();
                            if (why.retry)
                                return done(record_.retry(j, id, why.message, why.retry_after));
                            done(record_.failed(id, why.message));
                        });
}

} // namespace donna::relay
