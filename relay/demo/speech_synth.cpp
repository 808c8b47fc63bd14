// speech_synth.cpp: espeak-ng behind one process-wide lock, its output resampled to 24 kHz.
#include "demo/speech_synth.hpp"

#include "audio/pcm16.hpp"
#include "audio/resampler.hpp"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace donna::relay {
namespace {

// Everything espeak-ng keeps globally, mirrored here and guarded by one mutex.
struct engine {
    std::mutex lock;
    bool tried = false;                 // initialisation runs once, success or not
    std::optional<donna::error> broken; // why it failed, repeated to every later caller
    int rate = 0;                       // espeak-ng's own output rate (22050 Hz)
    std::string current_voice;          // the voice espeak-ng has selected now
    std::vector<short>* sink = nullptr; // where the callback puts samples, during one call
};

engine& the_engine()
{
    static engine e;
    return e;
}

std::string status_text(espeak_ng_STATUS status)
{
    std::array<char, 512> text{};
    espeak_ng_GetStatusCodeMessage(status, text.data(), text.size());
    return text.data();
}

// Called by espeak-ng, synchronously inside espeak_ng_Synthesize, under the engine lock.
int collect_samples(short* wav, int count, espeak_EVENT* /*events*/)
{
    engine& e = the_engine();
    if (wav != nullptr && count > 0 && e.sink != nullptr)
        e.sink->insert(e.sink->end(), wav, wav + count);
    return 0; // 0 = continue
}

// espeak_ng_Initialize + ENOUTPUT_MODE_SYNCHRONOUS is what espeak_Initialize(
// AUDIO_OUTPUT_SYNCHRONOUS, ...) does, but espeak_Initialize calls exit(1) when its data is
// missing (or, with espeakINITIALIZE_DONT_EXIT, hides the failure): this form reports why.
status initialise_locked(engine& e)
{
    if (e.tried)
        return e.broken ? status(*e.broken) : ok();
    e.tried = true;
    espeak_ng_InitializePath(nullptr);
    espeak_ng_ERROR_CONTEXT context = nullptr;
    espeak_ng_STATUS st = espeak_ng_Initialize(&context);
    espeak_ng_ClearErrorContext(&context);
    if (st == ENS_OK)
        st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nullptr);
    if (st != ENS_OK) {
        e.broken = make_error(errc::upstream_unavailable,
                              "espeak-ng cannot initialise: " + status_text(st) +
                                  " (is the espeak-ng-data package installed?)");
        return *e.broken;
    }
    e.rate = espeak_ng_GetSampleRate();
    if (e.rate <= 0) {
        e.broken = make_error(errc::upstream_unavailable,
                              "espeak-ng reported a sample rate of " + std::to_string(e.rate));
        return *e.broken;
    }
    espeak_SetSynthCallback(collect_samples);
    return ok();
}

status select_voice_locked(engine& e, const std::string& voice)
{
    if (e.current_voice == voice)
        return ok();
    const espeak_ng_STATUS st = espeak_ng_SetVoiceByName(voice.c_str());
    if (st == ENS_VOICE_NOT_FOUND)
        return make_error(errc::invalid_argument, "espeak-ng has no voice '" + voice + "'");
    if (st != ENS_OK)
        return make_error(errc::upstream_unavailable,
                          "espeak-ng cannot select voice '" + voice + "': " + status_text(st));
    e.current_voice = voice;
    return ok();
}

} // namespace

result<speech_synth> speech_synth::create(std::string voice)
{
    if (voice.empty())
        return make_error(errc::invalid_argument, "the espeak-ng voice name is empty");
    engine& e = the_engine();
    const std::lock_guard guard(e.lock);
    if (auto started = initialise_locked(e); !started)
        return started.error();
    if (auto selected = select_voice_locked(e, voice); !selected)
        return selected.error();
    return speech_synth(std::move(voice));
}

result<std::vector<std::int16_t>> speech_synth::synthesize(std::string_view text)
{
    if (text.empty())
        return make_error(errc::invalid_argument, "nothing to synthesise: the text is empty");
    if (text.size() > max_text_bytes)
        return make_error(errc::payload_too_large,
                          "text of " + std::to_string(text.size()) +
                              " bytes is over the synthesiser's limit of " +
                              std::to_string(max_text_bytes));
    // espeak-ng reads up to a NUL in synchronous mode, whatever size it is given.
    const std::string terminated(text);

    std::vector<short> native;
    int native_rate = 0;
    {
        engine& e = the_engine();
        const std::lock_guard guard(e.lock);
        if (auto started = initialise_locked(e); !started)
            return started.error();
        if (auto selected = select_voice_locked(e, voice_); !selected)
            return selected.error();
        e.sink = &native;
        const espeak_ng_STATUS st =
            espeak_ng_Synthesize(terminated.c_str(), terminated.size() + 1, 0, POS_CHARACTER, 0,
                                 espeakCHARS_UTF8, nullptr, nullptr);
        e.sink = nullptr;
        if (st != ENS_OK)
            return make_error(errc::upstream_unavailable,
                              "espeak-ng failed to synthesise: " + status_text(st));
        native_rate = e.rate;
    }

    std::vector<float> in(native.size());
    for (std::size_t i = 0; i < native.size(); ++i)
        in[i] = pcm16_to_float(static_cast<std::int16_t>(native[i]));
    auto converter = resampler::create(native_rate, sample_rate);
    if (!converter)
        return converter.error();
    std::vector<float> out;
    out.reserve(in.size() * static_cast<std::size_t>(sample_rate) /
                    static_cast<std::size_t>(native_rate) +
                1024);
    converter->process(in, out);
    converter->flush(out);

    std::vector<std::int16_t> pcm(out.size());
    float_to_pcm16(out, pcm);
    return pcm;
}

} // namespace donna::relay
