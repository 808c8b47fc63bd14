// services.cpp: building and swapping the live settings; the demo voice on first use.
#include "app/services.hpp"

#include "chat/chat_service.hpp"
#include "config/text_file.hpp"
#include "demo/speech_synth.hpp"
#include "google/google_account.hpp"
#include "models/model_watch.hpp"
#include "providers/telnyx/webhook_signature.hpp"
#include "store/action_store.hpp"
#include "store/google_store.hpp"
#include "store/sms_store.hpp"
#include "voice/speech_service.hpp"
#include "voice/voice_chat_service.hpp"

namespace donna::relay {
namespace {

// The built-in table when the setting names no file, else the file's; errors name the
// setting. The personas and prices files are read here, not by load_config(): they are their
// modules' business, and a reload reads them again.
template <class T>
result<T> table_or_defaults(const std::string& file, std::string_view setting,
                            result<T> (*read)(const std::string&), T (*defaults)())
{
    if (file.empty())
        return defaults();
    auto table = read(file);
    if (!table)
        return make_error(table.error().code, std::string(setting) + ": " + table.error().message);
    return table;
}

result<persona_catalog> load_personas(const config& cfg)
{
    return table_or_defaults<persona_catalog>(
        cfg.personas_file, "DONNA_PERSONAS_FILE",
        [](const std::string& file) { return persona_catalog::from_file(file); },
        &persona_catalog::defaults);
}

result<price_table> load_prices(const config& cfg)
{
    return table_or_defaults<price_table>(cfg.prices_file, "DONNA_PRICES_FILE",
                                          &price_table::from_file, &price_table::defaults);
}

// The files a configuration names that every (re)load reads again.
struct settings_files {
    persona_catalog personas;
    price_table prices;
    std::shared_ptr<const google_service_account> google_service = {};
};

// GOOGLE_SERVICE_ACCOUNT_FILE's key, checked whole (a key OpenSSL cannot use stops start-up
// naming the setting, never showing the key).
result<std::shared_ptr<const google_service_account>> load_google_service_account(const config& cfg)
{
    if (cfg.google_service_account_file.empty())
        return std::shared_ptr<const google_service_account>();
    auto text = read_text_file(cfg.google_service_account_file);
    if (!text)
        return make_error(text.error().code,
                          "GOOGLE_SERVICE_ACCOUNT_FILE: " + text.error().message);
    auto account = read_google_service_account(*text);
    if (!account)
        return make_error(account.error().code, "GOOGLE_SERVICE_ACCOUNT_FILE " +
                                                    cfg.google_service_account_file + ": " +
                                                    account.error().message);
    return std::make_shared<const google_service_account>(std::move(*account));
}

result<settings_files> load_settings_files(const config& cfg)
{
    auto personas = load_personas(cfg);
    if (!personas)
        return personas.error();
    auto prices = load_prices(cfg);
    if (!prices)
        return prices.error();
    auto google = load_google_service_account(cfg);
    if (!google)
        return google.error();
    return settings_files{std::move(*personas), std::move(*prices), std::move(*google)};
}

result<std::string> load_upstream_ca(const config& cfg)
{
    if (cfg.upstream_ca_file.empty())
        return std::string();
    auto pem = read_text_file(cfg.upstream_ca_file);
    if (!pem)
        return make_error(pem.error().code, "DONNA_UPSTREAM_CA_FILE: " + pem.error().message);
    if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        return make_error(errc::invalid_argument,
                          "DONNA_UPSTREAM_CA_FILE: " + cfg.upstream_ca_file +
                              " holds no PEM certificate");
    return pem;
}

// Per-upstream limits: the seed's request rates, and deadlines that fit each use.
void configure_upstreams(http_client& client, const config& cfg)
{
    const auto per = [](int requests, std::chrono::seconds window) {
        return rate_limit{requests, std::chrono::duration_cast<std::chrono::milliseconds>(window)};
    };
    upstream_settings openai;
    openai.limit = per(cfg.openai_requests_per_minute, std::chrono::seconds(60));
    openai.limits.connect_timeout = std::chrono::milliseconds(cfg.upstream_connect_timeout_ms);
    openai.limits.total_timeout = std::chrono::milliseconds(cfg.chat_timeout_ms);
    openai.limits.read_timeout =
        std::min(openai.limits.total_timeout, std::chrono::milliseconds(std::chrono::seconds(20)));
    openai.limits.retry.max_attempts = cfg.upstream_connect_attempts;
    openai.limits.retry.base_delay = std::chrono::milliseconds(cfg.upstream_backoff_ms);
    openai.limits.retry.max_total = openai.limits.total_timeout;
    client.configure("openai", openai);

    upstream_settings elevenlabs = openai;
    elevenlabs.limit = per(cfg.elevenlabs_requests_per_minute, std::chrono::seconds(60));
    client.configure("elevenlabs", elevenlabs);

    // Telnyx: its documented API limit is per account; the relay keeps well under it. A call
    // is short (a command, a text): a stuck one gives up within 15 s and its job retries.
    upstream_settings telnyx = openai;
    telnyx.limit = per(1200, std::chrono::seconds(60));
    telnyx.limits.total_timeout = std::chrono::seconds(15);
    telnyx.limits.read_timeout = std::chrono::seconds(10);
    telnyx.limits.retry.max_total = telnyx.limits.total_timeout;
    client.configure("telnyx", telnyx);

    // Fanout endpoints: one upstream each (its own breaker and metrics); the job runner
    // retries a failed delivery with its own backoff, so one try per attempt, and a breaker
    // that opened stays open for ten retry steps, not OpenAI's 30 s.
    for (const auto& endpoint : cfg.fanout) {
        upstream_settings fanout = openai;
        fanout.limit = per(600000, std::chrono::seconds(60));
        fanout.breaker.open_for = std::chrono::milliseconds(std::int64_t{cfg.job_retry_ms} * 10);
        fanout.limits.total_timeout = std::chrono::seconds(10);
        fanout.limits.read_timeout = std::chrono::seconds(10);
        fanout.limits.retry.max_attempts = 1;
        fanout.limits.retry.max_total = fanout.limits.total_timeout;
        client.configure("fanout:" + endpoint.id, fanout);
    }

    // Google's token endpoint: a few calls an hour; the caller (a consent, a refresh)
    // is waiting, so a short total.
    upstream_settings google = openai;
    google.limit = per(600, std::chrono::seconds(60));
    google.limits.total_timeout = std::chrono::seconds(15);
    google.limits.read_timeout = std::chrono::seconds(10);
    google.limits.retry.max_total = google.limits.total_timeout;
    client.configure("google", google);

    // Drive uploads: chunks of megabytes; google/drive_upload resumes a failed chunk itself
    // (from what the session says it has), so the client never repeats one.
    upstream_settings drive = openai;
    drive.limit = per(600, std::chrono::seconds(60));
    drive.limits.total_timeout = std::chrono::seconds(120);
    drive.limits.read_timeout = std::chrono::seconds(60);
    drive.limits.retry.max_attempts = 1;
    drive.limits.retry.max_total = drive.limits.total_timeout;
    client.configure("google_drive", drive);

    upstream_settings gmail = openai;
    gmail.limit = per(cfg.gmail_requests_per_100s, std::chrono::seconds(100));
    client.configure("gmail", gmail);
}

// A key rotation (DONNA_DATA_KEY new, DONNA_DATA_KEY_PREVIOUS the old one): every secret at
// rest re-sealed under the new key, so that the old one can then be dropped.
status reseal_secrets(database& db, const data_keys& keys, logger& log)
{
    if (!keys.has_key())
        return ok();
    int unreadable = 0;
    google_store google(db);
    auto resealed = google.reseal(keys, &unreadable);
    if (!resealed)
        return resealed.error();
    if (*resealed > 0)
        log.info("relay", std::to_string(*resealed) + " secret(s) re-sealed under data key " +
                              keys.key_id() + ": DONNA_DATA_KEY_PREVIOUS can now be removed");
    if (unreadable > 0)
        log.warn("relay", std::to_string(unreadable) +
                              " secret(s) sealed under DONNA_DATA_KEY_PREVIOUS do not open with "
                              "it; they stay as they are");
    return ok();
}

result<token_signer> make_signer(const config& cfg)
{
    if (cfg.token_secret.empty())
        return token_signer::with_random_key();
    return token_signer::from_secret(cfg.token_secret);
}

// Settings whose check needs a provider's knowledge (config/ sits below the providers).
status check_provider_settings(const config& cfg)
{
    if (!cfg.telnyx_public_key.empty())
        if (auto key = telnyx_public_key(cfg.telnyx_public_key); !key)
            return key.error();
    return ok();
}

} // namespace

result<std::shared_ptr<services>> services::create(config cfg, logger& log,
                                                   const boost::asio::any_io_executor& executor,
                                                   phone_providers phones)
{
    if (auto checked = check_provider_settings(cfg); !checked)
        return checked.error();
    if (auto known = phones.check(cfg); !known)
        return known.error();
    auto signer = make_signer(cfg);
    if (!signer)
        return signer.error();
    auto keys = data_keys::from(cfg.data_key, cfg.data_key_previous);
    if (!keys)
        return keys.error();
    auto files = load_settings_files(cfg);
    if (!files)
        return files.error();
    if (cfg.token_secret.empty())
        log.warn("relay", "DONNA_TOKEN_SECRET is not set: session tokens are signed with a "
                          "random key and end with this process");
    log.set_secrets(cfg.secrets());
    auto ca = load_upstream_ca(cfg);
    if (!ca)
        return ca.error();
    auto db = database::open(cfg.database);
    if (!db)
        return db.error();
    auto created = std::make_shared<services>(std::move(cfg), std::move(*signer), std::move(*keys),
                                              std::move(files->personas), std::move(files->prices),
                                              log, std::move(files->google_service));
    created->upstreams_ = std::make_unique<http_client>(
        created->registry_, executor,
        http_client_options{
            .extra_ca_pem = *ca, .max_idle_per_host = 8, .idle_timeout = std::chrono::seconds(50)});
    created->db_ = std::move(*db);
    created->upstream_ca_pem_ = *ca;
    created->memories_ = std::make_unique<memory_store>(*created->db_);
    created->actions_ = std::make_unique<action_store>(*created->db_);
    created->sms_ = std::make_unique<sms_store>(*created->db_);
    created->phones_ = std::move(phones);
    created->phones_.build({*created->upstreams_, created->settings_});
    const auto& live = created->settings()->cfg;
    configure_upstreams(*created->upstreams_, live);
    created->chat_ = std::make_unique<chat_service>(
        *created->upstreams_, created->usage_, created->metrics_, log, live,
        created->memories_.get(), created->db_.get(), created->actions_.get());
    created->speech_ = std::make_unique<speech_service>(*created->upstreams_, created->usage_,
                                                        created->metrics_, log, live);
    created->voice_chat_ = std::make_unique<voice_chat_service>(
        *created->upstreams_, *created->chat_, *created->speech_, created->usage_,
        created->metrics_, log);
    created->models_ = std::make_unique<model_watch>(*created->upstreams_, created->registry_, log);
    created->google_ = std::make_unique<google_account>(*created->upstreams_, *created->db_,
                                                        created->settings_, created->metrics_, log);
    if (auto resealed = reseal_secrets(*created->db_, created->settings()->keys, log); !resealed)
        return resealed.error();
    created->models_->check(created->settings());
    return created;
}

services::services(config cfg, token_signer signer, data_keys keys, persona_catalog personas,
                   price_table prices, logger& log,
                   std::shared_ptr<const google_service_account> google_service)
    : settings_(std::make_shared<const live_settings>(
          live_settings{std::move(cfg), std::move(signer), std::move(personas), 1, std::move(keys),
                        std::move(google_service)})),
      log_(log),
      metrics_(registry_),
      files_(settings_.current()->cfg.web_root),
      usage_(registry_, std::move(prices))
{}

// The chat's calls refer to the client and to the chat service: the client goes first (calls
// still in flight then finish without calling back).
services::~services()
{
    models_.reset();
    google_.reset();
    upstreams_.reset();
    voice_chat_.reset();
    speech_.reset();
    chat_.reset();
    memories_.reset();
    actions_.reset();
    sms_.reset();
    db_.reset();
}

status services::reload(config cfg)
{
    if (auto checked = check_provider_settings(cfg); !checked)
        return checked;
    if (auto known = phones_.check(cfg); !known)
        return known;
    const auto current = settings();
    auto signer = cfg.token_secret == current->cfg.token_secret
                      ? result<token_signer>(current->signer)
                      : make_signer(cfg);
    if (!signer)
        return signer.error();
    auto keys = data_keys::from(cfg.data_key, cfg.data_key_previous);
    if (!keys)
        return keys.error();
    auto files = load_settings_files(cfg);
    if (!files)
        return files.error();
    log_.set_secrets(cfg.secrets());
    usage_.set_prices(std::move(files->prices));
    if (upstreams_)
        configure_upstreams(*upstreams_, cfg);
    if (chat_)
        chat_->apply(cfg);
    if (speech_)
        speech_->apply(cfg);
    settings_.replace(std::make_shared<const live_settings>(live_settings{
        std::move(cfg), std::move(*signer), std::move(files->personas), current->generation + 1,
        std::move(*keys), std::move(files->google_service)}));
    metrics_.reloads_total.inc();
    if (models_)
        models_->check(settings());
    return ok();
}

speech_synth* services::synth()
{
    const std::lock_guard lock(synth_mutex_);
    if (!synth_ && !synth_failed_) {
        auto created = speech_synth::create();
        if (created) {
            synth_ = std::make_unique<speech_synth>(std::move(*created));
        } else {
            synth_failed_ = true;
            log_.error("demo", "espeak-ng is unavailable: " + created.error().message);
        }
    }
    return synth_.get();
}

} // namespace donna::relay
