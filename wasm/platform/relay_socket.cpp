// relay_socket.cpp
#include "platform/relay_socket.hpp"

#include "client/voice_client.hpp"

#include <emscripten/websocket.h>

#include <cstring>

namespace donna::platform {

void relay_socket::open(const std::string& url, const std::vector<std::string>& protocols)
{
    close();
    std::string joined; // the API takes one comma-separated list
    for (const auto& p : protocols) {
        if (!joined.empty())
            joined += ',';
        joined += p;
    }
    EmscriptenWebSocketCreateAttributes attributes;
    emscripten_websocket_init_create_attributes(&attributes);
    attributes.url = url.c_str();
    attributes.protocols = joined.empty() ? nullptr : joined.c_str();
    const EMSCRIPTEN_WEBSOCKET_T socket = emscripten_websocket_new(&attributes);
    if (socket <= 0) {
        client_.on_socket_closed(0, "the browser refused to open the WebSocket");
        return;
    }
    socket_ = socket;
    emscripten_websocket_set_onopen_callback(
        socket, this, [](int type, const EmscriptenWebSocketOpenEvent* e, void* self) -> EM_BOOL {
            return on_open(type, e, self);
        });
    emscripten_websocket_set_onmessage_callback(
        socket, this,
        [](int type, const EmscriptenWebSocketMessageEvent* e, void* self) -> EM_BOOL {
            return on_message(type, e, self);
        });
    emscripten_websocket_set_onclose_callback(
        socket, this, [](int type, const EmscriptenWebSocketCloseEvent* e, void* self) -> EM_BOOL {
            return on_close(type, e, self);
        });
    emscripten_websocket_set_onerror_callback(
        socket, this, [](int type, const EmscriptenWebSocketErrorEvent* e, void* self) -> EM_BOOL {
            return on_error(type, e, self);
        });
}

void relay_socket::close()
{
    if (socket_ <= 0)
        return;
    emscripten_websocket_close(socket_, 1000, "client closed");
    emscripten_websocket_delete(socket_); // detaches the callbacks: no late events
    socket_ = 0;
}

bool relay_socket::send_text(std::string_view text)
{
    if (socket_ <= 0)
        return false;
    text_.assign(text);
    return emscripten_websocket_send_utf8_text(socket_, text_.c_str()) == EMSCRIPTEN_RESULT_SUCCESS;
}

bool relay_socket::send_binary(std::span<const std::uint8_t> bytes)
{
    if (socket_ <= 0)
        return false;
    // The API takes a non-const pointer but only reads (it wraps a view of the heap).
    return emscripten_websocket_send_binary(socket_, const_cast<std::uint8_t*>(bytes.data()),
                                            static_cast<std::uint32_t>(bytes.size())) ==
           EMSCRIPTEN_RESULT_SUCCESS;
}

int relay_socket::on_open(int, const void* event, void* self)
{
    auto& s = *static_cast<relay_socket*>(self);
    if (static_cast<const EmscriptenWebSocketOpenEvent*>(event)->socket != s.socket_)
        return EM_TRUE;
    s.client_.on_socket_open();
    return EM_TRUE;
}

int relay_socket::on_message(int, const void* event, void* self)
{
    auto& s = *static_cast<relay_socket*>(self);
    const auto& e = *static_cast<const EmscriptenWebSocketMessageEvent*>(event);
    if (e.socket != s.socket_)
        return EM_TRUE;
    if (e.isText) {
        // numBytes counts the terminating NUL Emscripten adds.
        const std::size_t size = e.numBytes > 0 ? e.numBytes - 1 : 0;
        s.client_.on_socket_text(std::string_view(reinterpret_cast<const char*>(e.data), size));
    } else {
        s.client_.on_socket_binary(std::span<const std::uint8_t>(e.data, e.numBytes));
    }
    return EM_TRUE;
}

int relay_socket::on_close(int, const void* event, void* self)
{
    auto& s = *static_cast<relay_socket*>(self);
    const auto& e = *static_cast<const EmscriptenWebSocketCloseEvent*>(event);
    if (e.socket != s.socket_)
        return EM_TRUE;
    emscripten_websocket_delete(s.socket_);
    s.socket_ = 0;
    s.client_.on_socket_closed(e.code,
                               std::string_view(e.reason, ::strnlen(e.reason, sizeof e.reason)));
    return EM_TRUE;
}

int relay_socket::on_error(int, const void*, void*)
{
    // The browser always follows an error with a close event, which carries the code.
    return EM_TRUE;
}

} // namespace donna::platform
