// services.cpp: building and swapping the live settings; the demo voice on first use.
#include "server/services.hpp"

#include "demo/speech_synth.hpp"

namespace donna::relay {
namespace {

// The personas file is read by the services, not load_config(): personas are the persona
// module's business, and a reload reads the file again.
result<persona_catalog> load_personas(const config& cfg)
{
    if (cfg.personas_file.empty())
        return persona_catalog::defaults();
    auto catalog = persona_catalog::from_file(cfg.personas_file);
    if (!catalog)
        return make_error(catalog.error().code, "DONNA_PERSONAS_FILE: " + catalog.error().message);
    return catalog;
}

result<token_signer> make_signer(const config& cfg)
{
    if (cfg.token_secret.empty())
        return token_signer::with_random_key();
    return token_signer::from_secret(cfg.token_secret);
}

} // namespace

result<std::shared_ptr<services>> services::create(config cfg, logger& log)
{
    auto signer = make_signer(cfg);
    if (!signer)
        return signer.error();
    auto personas = load_personas(cfg);
    if (!personas)
        return personas.error();
    if (cfg.token_secret.empty())
        log.warn("relay", "DONNA_TOKEN_SECRET is not set: session tokens are signed with a "
                          "random key and end with this process");
    log.set_secrets(cfg.secrets());
    return std::make_shared<services>(std::move(cfg), std::move(*signer), std::move(*personas),
                                      log);
}

services::services(config cfg, token_signer signer, persona_catalog personas, logger& log)
    : log_(log), metrics_(registry_), files_(cfg.web_root)
{
    settings_.store(std::make_shared<const live_settings>(
        live_settings{std::move(cfg), std::move(signer), std::move(personas), 1}));
}

services::~services() = default;

status services::reload(config cfg)
{
    const auto current = settings();
    auto signer = cfg.token_secret == current->cfg.token_secret
                      ? result<token_signer>(current->signer)
                      : make_signer(cfg);
    if (!signer)
        return signer.error();
    auto personas = load_personas(cfg);
    if (!personas)
        return personas.error();
    log_.set_secrets(cfg.secrets());
    settings_.store(std::make_shared<const live_settings>(live_settings{
        std::move(cfg), std::move(*signer), std::move(*personas), current->generation + 1}));
    metrics_.reloads_total.inc();
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
