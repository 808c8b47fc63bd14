// persona_catalog.hpp: who DONNA is in a session: the system prompt, voice and model settings
// of each persona. The relay owns these; a client only picks a persona by name, never its
// instructions (relay/policy strips any a client sends).
//
//   const auto catalog = donna::relay::persona_catalog::defaults();
//   const auto& profile = catalog.get(donna::persona::receptionist);
//   upstream.send(donna::relay::client_policy(profile, donna::dialect::ga)
//                     .initial_session_update());
//
// The built-in prompts are the defaults; loading them from a file comes later, so the
// profile stays a plain struct.
#pragma once

#include "protocol/donna_events.hpp"

#include <array>
#include <string>

namespace donna::relay {

struct persona_profile {
    donna::persona id = donna::persona::general;
    std::string instructions;   // the system prompt
    std::string realtime_voice; // an OpenAI Realtime voice, e.g. "alloy", "shimmer"
    std::string chat_model = "gpt-4o";
    double temperature = 0.7;
    int max_tokens = 1024;
    std::string greeting;       // the first line DONNA says
    std::string fallback_reply; // said when the upstream fails
};

class persona_catalog {
public:
    // The five built-in personas.
    static persona_catalog defaults();

    // Every persona is present, so this cannot fail.
    const persona_profile& get(donna::persona id) const;

private:
    static constexpr std::size_t persona_count = 5;
    std::array<persona_profile, persona_count> profiles_;
};

} // namespace donna::relay
