// fake_media_stream.cpp: the stream's client, its paced sending and its playback clock, on
// one I/O thread.
#include "fake_media_stream.hpp"

#include "audio/base64.hpp"
#include "net/websocket_channel.hpp"

extern "C" {
#include <spandsp/telephony.h>
// g711.h's inline coders use top_bit() without including where it lives.
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
#include <spandsp/g722.h>
}

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/stream_base.hpp>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <thread>

namespace donna::fakes {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using mjson = nlohmann::json;
using ms = std::chrono::milliseconds;

constexpr ms frame_time{20};

int audio_rate(const fake_media_stream_options& o)
{
    return o.encoding == "G722" ? 16000 : o.sample_rate;
}

// The fake's own codec, straight on spandsp.
struct media_codec {
    explicit media_codec(std::string name) : encoding(std::move(name))
    {
        if (encoding == "G722") {
            g722_in = g722_encode_init(nullptr, 64000, 0);
            g722_out = g722_decode_init(nullptr, 64000, 0);
        }
    }
    ~media_codec()
    {
        if (g722_in != nullptr)
            g722_encode_free(g722_in);
        if (g722_out != nullptr)
            g722_decode_free(g722_out);
    }
    media_codec(const media_codec&) = delete;
    media_codec& operator=(const media_codec&) = delete;

    std::vector<std::uint8_t> encode(std::span<const std::int16_t> pcm)
    {
        std::vector<std::uint8_t> out;
        if (encoding == "PCMU")
            for (const auto s : pcm)
                out.push_back(linear_to_ulaw(s));
        else if (encoding == "PCMA")
            for (const auto s : pcm)
                out.push_back(linear_to_alaw(s));
        else if (encoding == "L16")
            for (const auto s : pcm) {
                const auto u = static_cast<std::uint16_t>(s);
                out.push_back(static_cast<std::uint8_t>(u >> 8U));
                out.push_back(static_cast<std::uint8_t>(u & 0xFFU));
            }
        else if (encoding == "G722") {
            out.resize(pcm.size() / 2 + 1);
            const int n =
                g722_encode(g722_in, out.data(), pcm.data(), static_cast<int>(pcm.size()));
            out.resize(static_cast<std::size_t>(std::max(n, 0)));
        }
        return out;
    }

    void decode(std::span<const std::uint8_t> bytes, std::vector<std::int16_t>& out)
    {
        if (encoding == "PCMU")
            for (const auto b : bytes)
                out.push_back(ulaw_to_linear(b));
        else if (encoding == "PCMA")
            for (const auto b : bytes)
                out.push_back(alaw_to_linear(b));
        else if (encoding == "L16")
            for (std::size_t i = 0; i + 1 < bytes.size(); i += 2)
                out.push_back(static_cast<std::int16_t>(
                    static_cast<std::uint16_t>((unsigned{bytes[i]} << 8U) | bytes[i + 1])));
        else if (encoding == "G722") {
            const auto before = out.size();
            out.resize(before + bytes.size() * 2);
            const int n = g722_decode(g722_out, out.data() + before, bytes.data(),
                                      static_cast<int>(bytes.size()));
            out.resize(before + static_cast<std::size_t>(std::max(n, 0)));
        }
    }

    std::string encoding;
    g722_encode_state_t* g722_in = nullptr;
    g722_decode_state_t* g722_out = nullptr;
};

// One entry of the playback queue: 20 ms of DONNA's audio, or a mark behind it.
struct queued {
    std::vector<std::int16_t> audio;
    std::string mark; // non-empty: a mark
};

} // namespace

struct fake_media_stream::impl {
    explicit impl(fake_media_stream_options o)
        : options(std::move(o)),
          work(ioc.get_executor()),
          codec(options.encoding),
          sender(ioc),
          player(ioc),
          random(std::random_device{}())
    {}

    fake_media_stream_options options;
    net::io_context ioc;
    // Keeps run() going between the handshake and the first frame (stop() ends it).
    net::executor_work_guard<net::io_context::executor_type> work;
    std::unique_ptr<relay::websocket_channel> ws;
    media_codec codec;
    net::steady_timer sender;
    net::steady_timer player;
    std::mt19937 random;
    std::thread thread;
    beast::flat_buffer buffer;
    std::deque<std::string> writes;
    bool writing = false;
    // The caller's frames: the next to send, and one held back to swap (reorder).
    std::size_t next_sample = 0;
    std::int64_t sequence = 1; // start is 1
    std::int64_t chunk = 0;
    std::string held_back;
    std::vector<std::uint8_t> last_payload; // of the frame media_frame() made last
    std::chrono::steady_clock::time_point next_send;
    std::chrono::steady_clock::time_point next_play;

    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    int refused = 0;
    std::string refused_body;
    std::deque<queued> playback;
    std::vector<std::int16_t> heard;
    std::vector<std::size_t> sizes;
    std::vector<std::uint8_t> received; // DONNA's payloads, as they came
    std::vector<std::uint8_t> sent_payloads;
    std::vector<std::string> echoed;
    int clears = 0;
    int sent = 0;
    bool closed = false;

    void notify() { changed.notify_all(); }

    // ---------------------------------------------------------------- writing

    void write(std::string text)
    {
        writes.push_back(std::move(text));
        if (!writing)
            write_next();
    }

    void write_next()
    {
        if (writes.empty() || !ws)
            return;
        writing = true;
        ws->async_write(net::buffer(writes.front()), false,
                        [this](beast::error_code ec, std::size_t) {
                            writing = false;
                            writes.pop_front();
                            if (ec)
                                return;
                            write_next();
                        });
    }

    // ---------------------------------------------------------------- the caller's audio

    std::string media_frame()
    {
        const auto rate = static_cast<std::size_t>(audio_rate(options));
        const std::size_t samples = rate * 20 / 1000;
        std::vector<std::int16_t> pcm(samples, 0);
        for (std::size_t i = 0; i < samples && next_sample < options.caller_audio.size(); ++i)
            pcm[i] = options.caller_audio[next_sample++];
        last_payload = codec.encode(pcm);
        const auto& payload = last_payload;
        ++sequence;
        ++chunk;
        return mjson{{"event", "media"},
                     {"sequence_number", std::to_string(sequence)},
                     {"stream_id", "fake-stream"},
                     {"media",
                      {{"track", "inbound"},
                       {"chunk", std::to_string(chunk)},
                       {"timestamp", std::to_string((chunk - 1) * 20)},
                       {"payload", base64_encode(payload)}}}}
            .dump();
    }

    void send_tick()
    {
        auto frame = media_frame();
        const bool dropped = options.drop.contains(chunk);
        if (!dropped) {
            if (options.reorder && held_back.empty()) {
                held_back = std::move(frame);
            } else {
                write(std::move(frame));
                if (!held_back.empty())
                    write(std::exchange(held_back, {}));
            }
            std::lock_guard lock(mutex);
            ++sent;
            sent_payloads.insert(sent_payloads.end(), last_payload.begin(), last_payload.end());
        }
        next_send += frame_time;
        auto due = next_send;
        if (options.jitter.count() > 0)
            due += ms(std::uniform_int_distribution<long>(0, options.jitter.count())(random));
        sender.expires_at(due);
        sender.async_wait([this](beast::error_code ec) {
            if (!ec)
                send_tick();
        });
    }

    // ---------------------------------------------------------------- DONNA's audio

    void play_tick()
    {
        {
            std::lock_guard lock(mutex);
            // One frame plays each tick; the marks right behind it are echoed once it has.
            if (!playback.empty() && playback.front().mark.empty()) {
                heard.insert(heard.end(), playback.front().audio.begin(),
                             playback.front().audio.end());
                playback.pop_front();
            }
            while (!playback.empty() && !playback.front().mark.empty()) {
                echo(playback.front().mark);
                playback.pop_front();
            }
        }
        notify();
        next_play += frame_time;
        player.expires_at(next_play);
        player.async_wait([this](beast::error_code ec) {
            if (!ec)
                play_tick();
        });
    }

    // Under the mutex.
    void echo(const std::string& name)
    {
        echoed.push_back(name);
        write(mjson{{"event", "mark"},
                    {"sequence_number", std::to_string(++sequence)},
                    {"stream_id", "fake-stream"},
                    {"mark", {{"name", name}}}}
                  .dump());
    }

    void read_next()
    {
        ws->async_read(buffer, [this](beast::error_code ec, std::size_t) {
            if (ec) {
                {
                    std::lock_guard lock(mutex);
                    closed = true;
                }
                sender.cancel();
                player.cancel();
                notify();
                return;
            }
            on_message(beast::buffers_to_string(buffer.data()));
            buffer.consume(buffer.size());
            read_next();
        });
    }

    void on_message(const std::string& text)
    {
        const auto frame = mjson::parse(text, nullptr, false);
        if (!frame.is_object() || !frame.contains("event"))
            return;
        const auto event = frame.value("event", "");
        std::lock_guard lock(mutex);
        if (event == "media") {
            const auto payload = base64_decode(frame["media"].value("payload", ""));
            if (!payload)
                return;
            sizes.push_back(payload->size());
            received.insert(received.end(), payload->begin(), payload->end());
            queued q;
            codec.decode(*payload, q.audio);
            playback.push_back(std::move(q));
        } else if (event == "mark") {
            playback.push_back({{}, frame["mark"].value("name", "")});
            if (playback.size() == 1) { // nothing queued before it: echoed at once
                echo(playback.front().mark);
                playback.pop_front();
            }
        } else if (event == "clear") {
            ++clears;
            for (const auto& q : playback)
                if (!q.mark.empty())
                    echo(q.mark);
            playback.clear();
        }
        notify();
    }
};

fake_media_stream::fake_media_stream(fake_media_stream_options options)
    : impl_(std::make_unique<impl>(std::move(options)))
{}

fake_media_stream::~fake_media_stream()
{
    // Stopped, not drained: the stream's socket closes with it (a call cut off).
    impl_->ioc.stop();
    if (impl_->thread.joinable())
        impl_->thread.join();
}

status fake_media_stream::connect()
{
    auto& i = *impl_;
    const auto url = boost::urls::parse_uri(i.options.url);
    if (!url)
        return make_error(errc::invalid_argument, "not a URL: " + i.options.url);
    const std::string host(url->host());
    const std::string port(url->port());
    const std::string target(url->encoded_target());
    std::promise<status> done;
    auto result = done.get_future();
    i.ws = relay::make_websocket_client(i.ioc.get_executor(), nullptr);
    if (!i.options.auth_token.empty())
        i.ws->set_option(beast::websocket::stream_base::decorator(
            [token = i.options.auth_token](beast::websocket::request_type& req) {
                req.set("x-telnyx-streaming-auth-token", token);
            }));
    auto response = std::make_shared<relay::websocket_channel::upgrade_response>();
    net::ip::tcp::resolver resolver(i.ioc);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(host, port, ec);
    if (ec)
        return make_error(errc::io_error, "cannot resolve " + host);
    i.ws->async_connect(endpoints, [&i, &done, response, host, port,
                                    target](beast::error_code connected) {
        if (connected)
            return done.set_value(make_error(errc::io_error, connected.message()));
        i.ws->async_handshake(
            *response, host + ":" + port, target,
            [&i, &done, response](beast::error_code upgraded) {
                if (upgraded) {
                    std::lock_guard lock(i.mutex);
                    i.refused = static_cast<int>(response->result_int());
                    i.refused_body = response->body();
                    return done.set_value(make_error(
                        errc::io_error, "the upgrade was refused: " + std::to_string(i.refused)));
                }
                done.set_value(ok());
            });
    });
    i.thread = std::thread([&i] { i.ioc.run(); });
    auto connected = result.get();
    if (!connected)
        return connected;
    net::post(i.ioc, [&i] {
        i.write(R"({"event":"connected","version":"1.0.0"})");
        i.write(mjson{{"event", "start"},
                      {"sequence_number", "1"},
                      {"stream_id", "fake-stream"},
                      {"start",
                       {{"call_control_id", i.options.call_control_id},
                        {"call_session_id", "fake-session"},
                        {"from", "+15550100199"},
                        {"to", "+15550100100"},
                        {"media_format",
                         {{"encoding", i.options.encoding},
                          {"sample_rate", i.options.sample_rate},
                          {"channels", 1}}}}}}
                    .dump());
        i.next_send = std::chrono::steady_clock::now() + frame_time;
        i.next_play = i.next_send;
        i.send_tick();
        i.play_tick();
        i.read_next();
    });
    return ok();
}

int fake_media_stream::refused_status() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->refused;
}

std::string fake_media_stream::refused_body() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->refused_body;
}

std::vector<std::int16_t> fake_media_stream::heard() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->heard;
}

std::vector<std::size_t> fake_media_stream::frame_sizes() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->sizes;
}

std::vector<std::uint8_t> fake_media_stream::received_bytes() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->received;
}

std::vector<std::uint8_t> fake_media_stream::sent_bytes() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->sent_payloads;
}

std::vector<std::string> fake_media_stream::marks_echoed() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->echoed;
}

int fake_media_stream::clears() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->clears;
}

int fake_media_stream::frames_sent() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->sent;
}

bool fake_media_stream::closed() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->closed;
}

void fake_media_stream::press(char digit)
{
    net::post(impl_->ioc, [i = impl_.get(), digit] {
        i->write(mjson{{"event", "dtmf"},
                       {"stream_id", "fake-stream"},
                       {"dtmf", {{"digit", std::string(1, digit)}}}}
                     .dump());
    });
}

void fake_media_stream::stop()
{
    net::post(impl_->ioc, [i = impl_.get()] {
        i->sender.cancel();
        i->write(mjson{{"event", "stop"}, {"stream_id", "fake-stream"}, {"stop", mjson::object()}}
                     .dump());
    });
}

bool fake_media_stream::wait_until(const std::function<bool()>& pred,
                                   std::chrono::milliseconds timeout) const
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        // Woken by every frame in or out; the bound only covers a change pred() sees elsewhere.
        std::unique_lock lock(impl_->mutex);
        impl_->changed.wait_for(lock, std::chrono::milliseconds(50));
    }
}

} // namespace donna::fakes
