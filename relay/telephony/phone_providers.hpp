// phone_providers.hpp: the seam where phone providers plug in. A name (VOICE_PROVIDER,
// MESSAGING_PROVIDER) maps to a factory; the composition root builds each registered provider
// once, and callers ask for the one the current settings name. Telnyx is registered by
// default; a second provider (or a test's own) is one more add_*() before the relay is built,
// and no caller changes.
//
//   auto phones = phone_providers::with_defaults();          // "telnyx"
//   phones.add_messaging("acme-sms", [](const provider_env& env) {
//       return std::make_unique<acme_sms>(env.http, env.settings);
//   });
//   if (auto known = phones.check(cfg); !known) fail(known.error().message);
//   phones.build({http, settings});
//   phones.messaging(cfg)->send_text(...);
#pragma once

#include "core/error.hpp"
#include "telephony/messaging_provider.hpp"
#include "telephony/voice_provider.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace donna::relay {

struct config;
class http_client;
class settings_source;

// What a provider is built from: the relay's HTTP client (every REST upstream goes through it)
// and the live settings (read per request, so SIGHUP's new keys apply at once).
struct provider_env {
    http_client& http;
    const settings_source& settings;
};

class phone_providers {
public:
    using messaging_factory =
        std::function<std::unique_ptr<messaging_provider>(const provider_env&)>;
    using voice_factory = std::function<std::unique_ptr<voice_provider>(const provider_env&)>;

    // Telnyx for both.
    static phone_providers with_defaults();

    void add_messaging(const std::string& name, messaging_factory make);
    void add_voice(const std::string& name, voice_factory make);

    // VOICE_PROVIDER and MESSAGING_PROVIDER name registered providers; the error names the
    // setting and the names known.
    status check(const config& cfg) const;

    // Builds every registered provider (once; later calls do nothing).
    void build(const provider_env& env);
    // The provider the settings name; nullptr before build() or for a name not registered.
    messaging_provider* messaging(const config& cfg) const;
    voice_provider* voice(const config& cfg) const;

private:
    std::map<std::string, messaging_factory> messaging_factories_;
    std::map<std::string, voice_factory> voice_factories_;
    std::map<std::string, std::shared_ptr<messaging_provider>> messaging_;
    std::map<std::string, std::shared_ptr<voice_provider>> voice_;
};

} // namespace donna::relay
