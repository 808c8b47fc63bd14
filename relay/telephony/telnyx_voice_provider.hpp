// telnyx_voice_provider.hpp: the voice_provider for Telnyx (VOICE_PROVIDER=telnyx): Call
// Control v2 through TELNYX_CONNECTION_ID (providers/telnyx/telnyx_call_control). Settings
// are read per request.
#pragma once

#include "telephony/voice_provider.hpp"

namespace donna::relay {

class http_client;
class settings_source;

class telnyx_voice_provider : public voice_provider {
public:
    telnyx_voice_provider(http_client& http, const settings_source& settings)
        : http_(http), settings_(settings)
    {}

    void dial(const dial_request& request,
              std::function<void(provider_result<dialed_call>)> done) override;
    void command(const call_command& command,
                 std::function<void(provider_result<command_done>)> done) override;
    void status(const std::string& call_control_id,
                std::function<void(provider_result<call_status>)> done) override;

private:
    http_client& http_;
    const settings_source& settings_;
};

} // namespace donna::relay
