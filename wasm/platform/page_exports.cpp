// page_exports.cpp: see page_exports.hpp. Strings arrive as NUL-terminated UTF-8 that
// bridge.js allocated (stringToUTF8OnStack inside ccall) and frees after the call.
#include "platform/page_exports.hpp"

#include "client/voice_client.hpp"

#include <emscripten/emscripten.h>

#include <string>
#include <string_view>
#include <vector>

namespace donna::platform {
namespace {

client::voice_client* bound = nullptr;
std::vector<float> capture_buffer;

std::string_view view(const char* s)
{
    return s == nullptr ? std::string_view() : std::string_view(s);
}

} // namespace

void bind(client::voice_client& client)
{
    bound = &client;
}

} // namespace donna::platform

using donna::platform::bound;
using donna::platform::view;

extern "C" {

EMSCRIPTEN_KEEPALIVE void donna_on_session(const char* token, const char* url, const char* greeting,
                                           const char* persona, const char* uplink)
{
    if (bound == nullptr)
        return;
    donna::client::session_grant grant;
    grant.token = view(token);
    grant.realtime_url = view(url);
    grant.greeting = view(greeting);
    grant.persona = view(persona);
    grant.uplink = view(uplink) == "pcm16" ? donna::client::uplink_format::pcm16
                                           : donna::client::uplink_format::opus;
    bound->on_session(std::move(grant));
}

EMSCRIPTEN_KEEPALIVE void donna_on_session_failed(const char* code, const char* message)
{
    if (bound != nullptr)
        bound->on_session_failed(view(code), view(message));
}

EMSCRIPTEN_KEEPALIVE void donna_on_audio_ready(int sample_rate)
{
    if (bound != nullptr)
        bound->on_audio_ready(sample_rate);
}

EMSCRIPTEN_KEEPALIVE void donna_on_microphone_started(int sample_rate)
{
    if (bound != nullptr)
        bound->on_microphone_started(sample_rate);
}

EMSCRIPTEN_KEEPALIVE void donna_on_microphone_failed(const char* kind, const char* message)
{
    if (bound != nullptr)
        bound->on_microphone_failed(view(kind), view(message));
}

// Room for `count` samples that bridge.js fills before donna_on_capture: one copy from the
// worklet's batch into WASM memory, no per-sample work in JavaScript.
EMSCRIPTEN_KEEPALIVE float* donna_capture_buffer(int count)
{
    auto& buffer = donna::platform::capture_buffer;
    if (count > 0 && buffer.size() < static_cast<std::size_t>(count))
        buffer.resize(static_cast<std::size_t>(count));
    return buffer.data();
}

EMSCRIPTEN_KEEPALIVE void donna_on_capture(int count)
{
    auto& buffer = donna::platform::capture_buffer;
    if (bound == nullptr || count <= 0 || static_cast<std::size_t>(count) > buffer.size())
        return;
    bound->on_capture(std::span<const float>(buffer.data(), static_cast<std::size_t>(count)));
}

EMSCRIPTEN_KEEPALIVE void donna_on_playback(double played, double queued)
{
    if (bound != nullptr)
        bound->on_playback_progress(static_cast<std::uint64_t>(played),
                                    static_cast<std::uint64_t>(queued));
}

EMSCRIPTEN_KEEPALIVE void donna_on_playback_flushed(double played)
{
    if (bound != nullptr)
        bound->on_playback_flushed(static_cast<std::uint64_t>(played));
}

EMSCRIPTEN_KEEPALIVE void donna_set_option(const char* name, const char* value)
{
    if (bound == nullptr)
        return;
    const auto n = view(name);
    const auto v = view(value);
    if (n == "mic")
        bound->microphone(v == "1");
    else if (n == "mode")
        bound->set_mode(v == "push_to_talk" ? donna::client::talk_mode::push_to_talk
                                            : donna::client::talk_mode::hands_free);
    else if (n == "persona") {
        if (const auto p = donna::persona_from_string(v))
            bound->set_persona(*p);
    }
}

EMSCRIPTEN_KEEPALIVE void donna_start()
{
    if (bound != nullptr)
        bound->start();
}

} // extern "C"
