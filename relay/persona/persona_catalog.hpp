// persona_catalog.hpp: who DONNA is in a session: the system prompt, voice and model settings
// of each persona. The relay owns these; a client only picks a persona by name, never its
// instructions (relay/policy strips any a client sends).
//
//   const auto catalog = donna::relay::persona_catalog::defaults();
//   const auto& profile = catalog.get(donna::persona::receptionist);
//   upstream.send(donna::relay::client_policy(profile, donna::dialect::ga)
//                     .initial_session_update());
//
// The built-in prompts are the defaults; a JSON personas file (docs/personas.example.json)
// overrides any of them, checked once at start so a bad file stops the relay instead of
// a session:
//
//   auto catalog = donna::relay::persona_catalog::from_file("personas.json");
//   if (!catalog) fail(catalog.error().message); // "personas.sales.temperature must be ..."
#pragma once

#include "core/error.hpp"
#include "protocol/donna_events.hpp"

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

namespace donna::relay {

struct persona_profile {
    donna::persona id = donna::persona::general;
    std::string instructions;          // the system prompt
    std::string realtime_voice;        // an OpenAI Realtime voice, e.g. "alloy", "shimmer"
    std::string chat_model = "gpt-4o"; // "model" in the personas file
    double temperature = 0.7;
    int max_tokens = 1024;
    std::string greeting;       // the first line DONNA says
    std::string fallback_reply; // said when the upstream fails
};

class persona_catalog {
public:
    // The five built-in personas.
    static persona_catalog defaults();

    // Overrides built-in personas from a JSON file. Any persona may be omitted (it keeps its
    // defaults) and any field may be omitted (it keeps its default). Unknown personas or fields
    // are errors (catch typos); every error names the persona and field, e.g.
    // "personas.sales.temperature must be a number between 0 and 2".
    //   {"personas": {"sales": {"model": "gpt-4o", "temperature": 0.8, "max_tokens": 800,
    //                           "instructions": "...", "realtime_voice": "ash",
    //                           "greeting": "...", "fallback_reply": "..."}}}
    // Limits: temperature 0..2, max_tokens 1..32768, model 1..100 of [A-Za-z0-9._:-],
    // instructions 1..20000 characters, greeting and fallback_reply at most 500, and
    // realtime_voice one of the voices both Realtime dialects accept (alloy, ash, ballad,
    // coral, echo, sage, shimmer, verse).
    static result<persona_catalog> from_json(std::string_view json_text);
    // from_json on a file; a missing file is errc::not_found (the caller may fall back to
    // defaults()), and other errors are prefixed with the path.
    static result<persona_catalog> from_file(const std::filesystem::path& path);

    // Every persona is present, so this cannot fail.
    const persona_profile& get(donna::persona id) const;

private:
    static constexpr std::size_t persona_count = 5;
    std::array<persona_profile, persona_count> profiles_;
};

} // namespace donna::relay
