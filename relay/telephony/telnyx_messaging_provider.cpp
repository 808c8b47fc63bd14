// telnyx_messaging_provider.cpp: one text through Telnyx's Messaging API.
#include "telephony/telnyx_messaging_provider.hpp"

#include "config/config.hpp"
#include "providers/telnyx/telnyx_messaging.hpp"
#include "settings/settings_source.hpp"
#include "telephony/telnyx_rest.hpp"

namespace donna::relay {

void telnyx_messaging_provider::send_text(const outbound_text& text,
                                          std::function<void(provider_result<text_accepted>)> done)
{
    const auto live = settings_.current();
    const auto& cfg = live->cfg;
    if (auto missing = telnyx_unconfigured(cfg))
        return done(*missing);
    if (cfg.telnyx_phone_number.empty() && cfg.telnyx_messaging_profile_id.empty())
        return done(provider_failure{
            .code = "phone_not_configured",
            .message = "neither TELNYX_PHONE_NUMBER nor TELNYX_MESSAGING_PROFILE_ID is set: "
                       "Telnyx has no number to send from",
            .retry = true,
            .http_status = 503});
    auto request = telnyx_send_message_request(cfg, {.to = text.to,
                                                     .text = text.text,
                                                     .media_urls = text.media_urls,
                                                     .idempotency_key = text.idempotency_key});
    call_telnyx(http_, std::move(request),
                [done = std::move(done)](provider_result<upstream_response> answer) {
                    if (!answer)
                        return done(answer.failure());
                    auto message = parse_telnyx_message_answer(answer->body);
                    if (!message)
                        return done(telnyx_unreadable(message.error()));
                    done(text_accepted{.message_id = message->id,
                                       .status = message->to.empty() ? std::string("queued")
                                                                     : message->to.front().status});
                });
}

} // namespace donna::relay
