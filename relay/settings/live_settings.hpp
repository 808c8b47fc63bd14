// live_settings.hpp: the settings every request and session reads: the configuration, the
// session-token signer, the personas and the data keys, as one immutable snapshot. A reload (SIGHUP) swaps in
// a new snapshot; whoever holds the old one (a live session) keeps it.
//
//   std::shared_ptr<const live_settings> settings = services.settings();
//   if (settings->cfg.moderation) ...
#pragma once

#include "auth/sealed_secret.hpp"
#include "auth/session_token.hpp"
#include "config/config.hpp"
#include "persona/persona_catalog.hpp"
#include "providers/google/google_service_account.hpp"

#include <cstdint>

namespace donna::relay {

struct live_settings {
    config cfg;
    token_signer signer;
    persona_catalog personas;
    std::uint64_t generation = 0; // 1 at start, +1 per successful reload
    data_keys keys = {};          // DONNA_DATA_KEY(_PREVIOUS): what secrets at rest are sealed
                                  // under
    // GOOGLE_SERVICE_ACCOUNT_FILE's credentials, read at start-up and on reload (null: none).
    std::shared_ptr<const google_service_account> google_service = {};
};

} // namespace donna::relay
