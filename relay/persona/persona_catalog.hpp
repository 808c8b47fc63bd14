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
    std::string instructions;   // the system prompt
    std::string realtime_voice; // an OpenAI Realtime voice, e.g. "alloy", "shimmer"
    // The chat model and how hard it thinks. Defaults chosen 2026-12-07 from OpenAI's
    // deprecations page and model pages (docs/relay.md "Models"): gpt-4o, the seed's model,
    // shuts down 2027-01-14 and OpenAI names gpt-6-luna as its replacement. GPT-6 models call
    // functions (the chat's actions) and take a temperature in Chat Completions only with
    // reasoning_effort "none" (developers.openai.com/api/docs/guides/deployment-checklist).
    std::string chat_model = "gpt-6-luna"; // "model" in the personas file
    // Chat Completions' reasoning_effort; empty: not sent (what models before reasoning take).
    // A personas file that pins "model" without "reasoning_effort" gets empty.
    std::string reasoning_effort = "none";
    double temperature = 0.7; // sent only when reasoning_effort is empty or "none"
    int max_tokens = 1024;
    // For a reasoning Realtime model (gpt-realtime-2 and later): session.reasoning.effort
    // (minimal, low, medium, high, xhigh; OpenAI's default is low) and
    // session.parallel_tool_calls. Sent only to such a model; a client may not set them.
    std::string realtime_reasoning_effort = "low";
    bool realtime_parallel_tool_calls = true;
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
    //   {"personas": {"sales": {"model": "gpt-6-luna", "reasoning_effort": "none",
    //                           "temperature": 0.8, "max_tokens": 800,
    //                           "instructions": "...", "realtime_voice": "ash",
    //                           "realtime_reasoning_effort": "low",
    //                           "realtime_parallel_tool_calls": false,
    //                           "greeting": "...", "fallback_reply": "..."}}}
    // Limits: temperature 0..2, max_tokens 1..32768, model 1..100 of [A-Za-z0-9._:-],
    // reasoning_effort one of none, minimal, low, medium, high, xhigh, max (or null: not
    // sent), realtime_reasoning_effort one of minimal, low, medium, high, xhigh,
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
