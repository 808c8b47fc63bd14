// browser_io.cpp: the JavaScript calls behind browser_io (EM_JS into web/bridge.js).
#include "platform/browser_io.hpp"

#include "client/voice_client.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>

// clang-format off
EM_JS(void, donna_js_request_session, (const char* persona, int length), {
    window.donnaBridge.requestSession(UTF8ToString(persona, length));
});
EM_JS(void, donna_js_start_microphone, (), { window.donnaBridge.startMicrophone(); });
EM_JS(void, donna_js_stop_microphone, (), { window.donnaBridge.stopMicrophone(); });
// A copy leaves the heap at once: the worklet gets its own buffer (transferred, not copied
// again), and WASM memory may grow under a view kept for later.
EM_JS(void, donna_js_play, (const float* samples, int count), {
    window.donnaBridge.play(HEAPF32.slice(samples >> 2, (samples >> 2) + count));
});
EM_JS(void, donna_js_drain_playback, (), { window.donnaBridge.drainPlayback(); });
EM_JS(void, donna_js_flush_playback, (), { window.donnaBridge.flushPlayback(); });
EM_JS(double, donna_js_random, (), { return Math.random(); });
EM_JS(void, donna_js_notify, (const char* json, int length), {
    window.donnaBridge.notify(UTF8ToString(json, length));
});
// clang-format on

namespace donna::platform {

void browser_io::request_session(std::string_view persona)
{
    donna_js_request_session(persona.data(), static_cast<int>(persona.size()));
}

void browser_io::open_socket(const std::string& url, const std::string& token)
{
    // A browser cannot set headers on a WebSocket: the token rides in a subprotocol, as
    // OpenAI's own browser clients do; "realtime" is the one the relay answers.
    socket_.open(url, {"realtime", "openai-insecure-api-key." + token});
}

void browser_io::start_timer(std::int64_t delay_ms)
{
    if (timer_ != 0)
        emscripten_clear_timeout(timer_);
    timer_ = emscripten_set_timeout(
        [](void* self) {
            auto& io = *static_cast<browser_io*>(self);
            io.timer_ = 0;
            io.client_.on_timer();
        },
        static_cast<double>(delay_ms), this);
}

void browser_io::start_microphone()
{
    donna_js_start_microphone();
}

void browser_io::stop_microphone()
{
    donna_js_stop_microphone();
}

void browser_io::play(std::span<const float> samples)
{
    donna_js_play(samples.data(), static_cast<int>(samples.size()));
}

void browser_io::drain_playback()
{
    donna_js_drain_playback();
}

void browser_io::flush_playback()
{
    donna_js_flush_playback();
}

double browser_io::random_unit()
{
    return donna_js_random();
}

void browser_io::notify(std::string_view event_json)
{
    donna_js_notify(event_json.data(), static_cast<int>(event_json.size()));
}

} // namespace donna::platform
