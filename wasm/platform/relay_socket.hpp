// relay_socket.hpp: one WebSocket to the relay over Emscripten's WebSocket API
// (emscripten/websocket.h; the browser's WebSocket underneath, binaryType arraybuffer).
// Every event is delivered to the voice_client on the browser's main thread; a closed or
// replaced socket's late events are dropped, so the client only hears about the current one.
//
//   relay_socket socket(client);
//   socket.open(url, {"realtime", "openai-insecure-api-key." + token});
//   socket.send_text(R"({"type":"response.create"})");
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace donna::client {
class voice_client;
}

namespace donna::platform {

class relay_socket {
public:
    explicit relay_socket(client::voice_client& client) : client_(client) {}
    ~relay_socket() { close(); }
    relay_socket(const relay_socket&) = delete;
    relay_socket& operator=(const relay_socket&) = delete;

    // Closes any previous socket first. A socket that cannot even be created (a malformed
    // URL) is reported as closed at once, so the client's retry logic handles it.
    void open(const std::string& url, const std::vector<std::string>& protocols);
    void close();
    bool send_text(std::string_view text);
    bool send_binary(std::span<const std::uint8_t> bytes);

private:
    static int on_open(int, const void* event, void* self);
    static int on_message(int, const void* event, void* self);
    static int on_close(int, const void* event, void* self);
    static int on_error(int, const void* event, void* self);

    client::voice_client& client_;
    int socket_ = 0;   // EMSCRIPTEN_WEBSOCKET_T; 0 when none
    std::string text_; // NUL-terminated copy for emscripten_websocket_send_utf8_text
};

} // namespace donna::platform
