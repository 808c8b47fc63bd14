// browser_io.hpp: client_io in the browser. The socket is relay_socket; the timer is
// emscripten_set_timeout; tokens, the microphone, playback and page notifications go to
// web/bridge.js (window.donnaBridge), whose answers come back through page_exports.cpp.
#pragma once

#include "client/client_io.hpp"
#include "platform/relay_socket.hpp"

namespace donna::platform {

class browser_io final : public client::client_io {
public:
    explicit browser_io(client::voice_client& client) : client_(client), socket_(client) {}

    void request_session(std::string_view persona) override;
    void open_socket(const std::string& url, const std::string& token) override;
    void close_socket() override { socket_.close(); }
    void send_text(std::string_view text) override { socket_.send_text(text); }
    void send_binary(std::span<const std::uint8_t> bytes) override { socket_.send_binary(bytes); }
    void start_timer(std::int64_t delay_ms) override;
    void start_microphone() override;
    void stop_microphone() override;
    void play(std::span<const float> samples) override;
    void drain_playback() override;
    void flush_playback() override;
    double random_unit() override;
    void notify(std::string_view event_json) override;

private:
    client::voice_client& client_;
    relay_socket socket_;
    long timer_ = 0;
};

} // namespace donna::platform
