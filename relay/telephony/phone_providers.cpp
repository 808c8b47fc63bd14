// phone_providers.cpp: the registry, and Telnyx as the default.
#include "telephony/phone_providers.hpp"

#include "config/config.hpp"
#include "telephony/telnyx_messaging_provider.hpp"
#include "telephony/telnyx_voice_provider.hpp"

namespace donna::relay {
namespace {

template <class Map>
status check_named(const Map& known, const std::string& name, const char* setting)
{
    if (known.count(name) != 0)
        return ok();
    std::string names;
    for (const auto& [registered, unused] : known)
        names += (names.empty() ? "" : ", ") + registered;
    return make_error(errc::invalid_argument, std::string(setting) + ": no provider named '" +
                                                  name + "' (known: " + names + ")");
}

template <class Map>
auto* find_built(const Map& built, const std::string& name)
{
    const auto it = built.find(name);
    return it == built.end() ? nullptr : it->second.get();
}

} // namespace

phone_providers phone_providers::with_defaults()
{
    phone_providers providers;
    providers.add_messaging("telnyx", [](const provider_env& env) {
        return std::make_unique<telnyx_messaging_provider>(env.http, env.settings);
    });
    providers.add_voice("telnyx", [](const provider_env& env) {
        return std::make_unique<telnyx_voice_provider>(env.http, env.settings);
    });
    return providers;
}

void phone_providers::add_messaging(const std::string& name, messaging_factory make)
{
    messaging_factories_[name] = std::move(make);
}

void phone_providers::add_voice(const std::string& name, voice_factory make)
{
    voice_factories_[name] = std::move(make);
}

status phone_providers::check(const config& cfg) const
{
    if (auto known = check_named(voice_factories_, cfg.voice_provider, "VOICE_PROVIDER"); !known)
        return known;
    return check_named(messaging_factories_, cfg.messaging_provider, "MESSAGING_PROVIDER");
}

void phone_providers::build(const provider_env& env)
{
    if (!messaging_.empty() || !voice_.empty())
        return;
    for (const auto& [name, make] : messaging_factories_)
        messaging_[name] = make(env);
    for (const auto& [name, make] : voice_factories_)
        voice_[name] = make(env);
}

messaging_provider* phone_providers::messaging(const config& cfg) const
{
    return find_built(messaging_, cfg.messaging_provider);
}

voice_provider* phone_providers::voice(const config& cfg) const
{
    return find_built(voice_, cfg.voice_provider);
}

} // namespace donna::relay
