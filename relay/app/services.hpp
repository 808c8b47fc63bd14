// services.hpp: the composition root's container: everything the relay is built from (the
// live settings, swapped whole on SIGHUP; metrics; the logger; the static file cache; the
// session registry; storage; the upstream client; the features). Only app/ sees it: relay_app
// hands each connection, endpoint and session the few pieces it uses.
//
// A connection takes one settings() snapshot when it starts and keeps it, so a reload never
// changes a session halfway; new connections see the new keys at once (key rotation without
// dropping anyone).
//
//   auto services = donna::relay::services::create(cfg, log, ioc.get_executor());
//   auto live = services->settings();            // shared_ptr<const live_settings>
//   if (live->cfg.realtime() == realtime_mode::off) ...
#pragma once

#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "metrics/relay_metrics.hpp"
#include "server/session_registry.hpp"
#include "server/static_cache.hpp"
#include "settings/live_settings.hpp"
#include "settings/settings_source.hpp"
#include "store/database.hpp"
#include "store/memory_store.hpp"
#include "telephony/phone_providers.hpp"
#include "upstream/http_client.hpp"
#include "upstream/usage_meter.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <memory>

namespace donna::relay {

class speech_synth;
class action_store;
class chat_service;
class speech_service;
class voice_chat_service;
class model_watch;
class sms_store;
class google_account;

// One consistent generation of settings: the config and what is derived from it.
class services {
public:
    // `executor`: the relay's io_context, where the upstream client runs (app/relay_app).
    // `phones`: the phone providers VOICE_PROVIDER and MESSAGING_PROVIDER may name (Telnyx by
    // default; tests add their own); a name not among them fails, naming the setting.
    static result<std::shared_ptr<services>>
    create(config cfg, logger& log, const boost::asio::any_io_executor& executor,
           phone_providers phones = phone_providers::with_defaults());

    std::shared_ptr<const live_settings> settings() const { return settings_.current(); }
    // Where connections and endpoints read the current settings.
    const settings_source& live() const { return settings_; }
    // Swaps in a new configuration (SIGHUP), re-reading the personas file. Keeps the token key
    // when the secret did not change, so tokens already handed out stay valid. The logger
    // learns the new secrets. A config whose personas file is invalid is refused whole.
    status reload(config cfg);

    logger& log() { return log_; }
    metrics_registry& registry() { return registry_; }
    relay_metrics& metrics() { return metrics_; }
    static_cache& files() { return files_; }
    session_registry& sessions() { return sessions_; }
    // The HTTP client every REST upstream goes through, its usage and cost meter, and the
    // text chat built on them.
    http_client& upstreams() { return *upstreams_; }
    usage_meter& usage() { return usage_; }
    chat_service& chat() { return *chat_; }
    // DONNA's voice through ElevenLabs, and the Whisper voice chat (transcribe, chat, speak).
    speech_service& speech() { return *speech_; }
    voice_chat_service& voice_chat() { return *voice_chat_; }
    // Whether OpenAI is about to shut down a model the settings use (for /readyz).
    model_watch& models() { return *models_; }
    // The SQLite database (DONNA_DATABASE) and what is kept in it.
    database& db() { return *db_; }
    memory_store& memories() { return *memories_; }
    // DONNA_UPSTREAM_CA_FILE's certificates ("" when unset), trusted besides the system's by
    // every upstream: the HTTP client's and the SMTP sender's.
    const std::string& upstream_ca_pem() const { return upstream_ca_pem_; }
    // What DONNA's actions leave behind: messages for the staff and the outbox.
    action_store& actions() { return *actions_; }
    // Text messaging's records: delivery reports, opt-outs, threads.
    sms_store& sms() { return *sms_; }
    // The phone providers, built on the upstream client (the one the settings name is used).
    const phone_providers& phones() const { return phones_; }
    // The business's Google account: its connection and access tokens.
    google_account& google() { return *google_; }
    // espeak-ng for demo mode, created on first use (nullptr with the reason logged when
    // the library cannot start).
    speech_synth* synth();

    services(config cfg, token_signer signer, data_keys keys, persona_catalog personas,
             price_table prices, logger& log,
             std::shared_ptr<const google_service_account> google_service = {});
    ~services();
    services(const services&) = delete;
    services& operator=(const services&) = delete;

private:
    settings_source settings_;
    logger& log_;
    metrics_registry registry_;
    relay_metrics metrics_;
    static_cache files_;
    session_registry sessions_;
    usage_meter usage_;
    std::unique_ptr<database> db_;
    std::unique_ptr<memory_store> memories_;
    std::unique_ptr<action_store> actions_;
    std::unique_ptr<sms_store> sms_;
    phone_providers phones_; // uses upstreams_
    std::string upstream_ca_pem_;
    std::unique_ptr<http_client> upstreams_;
    std::unique_ptr<chat_service> chat_; // uses upstreams_: destroyed first (see ~services)
    std::unique_ptr<speech_service> speech_;
    std::unique_ptr<voice_chat_service> voice_chat_; // uses chat_ and speech_
    std::unique_ptr<model_watch> models_;            // uses upstreams_
    std::unique_ptr<google_account> google_;         // uses upstreams_ and db_
    std::mutex synth_mutex_;
    std::unique_ptr<speech_synth> synth_;
    bool synth_failed_ = false;
};

} // namespace donna::relay
