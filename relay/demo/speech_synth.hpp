// speech_synth.hpp: text to speech for the relay's demo mode, with Debian's espeak-ng: the
// voice a newcomer hears when no OpenAI key is configured.
//
//   auto synth = donna::relay::speech_synth::create();          // voice "en-us"
//   if (!synth) return log(synth.error().message);   // "espeak-ng cannot initialise: ..."
//   auto pcm = synth->synthesize("Hello from DONNA.");
//   if (pcm) send(donna::pcm16_to_bytes(*pcm));      // PCM16 mono, 24 kHz
//
// espeak-ng keeps all its state in the process (one voice, one callback) and is not
// thread-safe, so the engine is initialised once per process and every call, from any
// speech_synth on any thread, holds one global lock: synthesis is serialised, never parallel.
// A short sentence takes a few milliseconds.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace donna::relay {

class speech_synth {
public:
    // The rate of every synthesize() result: the Realtime API's audio/pcm rate.
    static constexpr int sample_rate = 24000;
    // Longer text is refused (errc::payload_too_large): synthesis holds the global lock for
    // its whole duration. 2000 characters are about two minutes of speech and a few hundred
    // milliseconds of CPU.
    static constexpr std::size_t max_text_bytes = 2000;

    // Initialises espeak-ng on first use (data from its default path) and checks the voice.
    // errc::upstream_unavailable if espeak-ng cannot initialise (the message gives
    // espeak-ng's reason); errc::invalid_argument if it has no such voice.
    static result<speech_synth> create(std::string voice = "en-us");

    // UTF-8 text -> PCM16 mono at 24 kHz (espeak-ng's own 22050 Hz, resampled), including
    // espeak-ng's short pause at the end. Empty text is errc::invalid_argument.
    result<std::vector<std::int16_t>> synthesize(std::string_view text);

    const std::string& voice() const noexcept { return voice_; }

private:
    explicit speech_synth(std::string voice) : voice_(std::move(voice)) {}

    std::string voice_;
};

} // namespace donna::relay
