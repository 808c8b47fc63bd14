// page_exports.hpp: the functions web/bridge.js calls on the module (Module._donna_*), which
// forward the browser's answers to the one voice_client of the page. bind() names it; until
// then every call is ignored.
//
//   Module._donna_on_session(token, url, greeting, persona, uplink)   (strings: UTF-8 pointers)
//   Module._donna_on_session_failed(code, message)
//   Module._donna_on_audio_ready(sampleRate)
//   Module._donna_on_microphone_started(sampleRate) / _donna_on_microphone_failed(kind, message)
//   var ptr = Module._donna_capture_buffer(n); HEAPF32.set(batch, ptr >> 2); Module._donna_on_capture(n)
//   Module._donna_on_playback(played, queued) / _donna_on_playback_flushed(played)
//   Module._donna_set_option(name, value)   page options: "mic" "1", "mode" "push_to_talk", "persona" "sales"
//   Module._donna_start()                   connect (after the options)
#pragma once

namespace donna::client {
class voice_client;
}

namespace donna::platform {

void bind(client::voice_client& client);

} // namespace donna::platform
