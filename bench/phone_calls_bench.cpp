// phone_calls_bench.cpp: how many calls one relay core bridges, and how evenly DONNA's audio
// is paced while it does (issue 19, item 8), with each call's audio converted to the session's
// 24 kHz PCM16 (DONNA_PHONE_AUDIO=convert, the default) and, side by side in the same run,
// with G.711 passed straight through (DONNA_PHONE_AUDIO=g711). For each mode a real
// donna-relay process, pinned to core 0 (taskset), answers N concurrent calls from the Telnyx
// fake; the fake Realtime upstream speaks a long reply on each (24 kHz PCM16 or PCMU, as the
// session asked); this program, pinned to the other core, plays Telnyx's side of every call's
// media stream on one thread: the caller's 20 ms PCMU frames every 20 ms, and the arrival time
// of each of DONNA's media frames (marks echoed at once). Per mode and N: the pacing error of
// DONNA's frames (|gap between two frames - 20 ms|, p50, p99, max, over every call), the
// relay's CPU on its core and its resident memory.
//   phone_calls_bench <out.json> <seconds per step> <N>...
#include "fake_realtime_server.hpp"
#include "fake_telnyx.hpp"
#include "process_stats.hpp"

#include "audio/base64.hpp"
#include "audio/phone_codec.hpp"
#include "net/websocket_channel.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using clock_type = std::chrono::steady_clock;
using bjson = nlohmann::json;

constexpr const char* line = "+15550100100";

void pin_to(std::size_t core)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    sched_setaffinity(0, sizeof set, &set);
}

// Telnyx's side of one call's stream.
struct call_stream : std::enable_shared_from_this<call_stream> {
    std::unique_ptr<donna::relay::websocket_channel> ws;
    beast::flat_buffer buffer;
    std::vector<std::string> writes;
    bool writing = false;
    clock_type::time_point last{};
    std::vector<double>* gaps_ms = nullptr; // shared: one thread
    bool measuring = false;
    int chunk = 0;
    int frames_in = 0;

    void write(std::string text)
    {
        writes.push_back(std::move(text));
        if (!writing)
            write_next();
    }
    void write_next()
    {
        if (writes.empty())
            return;
        writing = true;
        auto text = std::make_shared<std::string>(std::move(writes.front()));
        writes.erase(writes.begin());
        ws->async_write(net::buffer(*text), false,
                        [self = shared_from_this(), text](beast::error_code ec, std::size_t) {
                            self->writing = false;
                            if (!ec)
                                self->write_next();
                        });
    }
    void read_next()
    {
        ws->async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            const auto now = clock_type::now();
            const auto text = beast::buffers_to_string(self->buffer.data());
            self->buffer.consume(self->buffer.size());
            if (text.find(R"("event":"media")") != std::string::npos) {
                if (self->measuring && self->frames_in > 0)
                    self->gaps_ms->push_back(
                        std::chrono::duration<double, std::milli>(now - self->last).count());
                self->last = now;
                ++self->frames_in;
            } else if (text.find(R"("event":"mark")") != std::string::npos) {
                self->write(text); // played at once: echoed
            }
            self->read_next();
        });
    }
};

// A response.output_audio.delta of 100 ms of a 440 Hz tone for item `item`: 24 kHz PCM16, or
// PCMU when the session passes G.711 through.
std::string tone_delta(const std::string& item, bool g711)
{
    std::vector<std::uint8_t> bytes;
    if (g711) {
        std::vector<std::int16_t> tone(800);
        for (std::size_t i = 0; i < tone.size(); ++i)
            tone[i] = static_cast<std::int16_t>(
                8000 * std::sin(2 * M_PI * 440 * static_cast<double>(i) / 8000));
        auto encoder = donna::relay::phone_encoder::create({});
        encoder->encode(tone, bytes);
    } else {
        bytes.resize(4800);
        for (std::size_t i = 0; i < 2400; ++i) {
            const auto v = static_cast<std::int16_t>(
                8000 * std::sin(2 * M_PI * 440 * static_cast<double>(i) / 24000));
            bytes[2 * i] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(v) & 0xFF);
            bytes[2 * i + 1] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(v) >> 8);
        }
    }
    return bjson{{"type", "response.output_audio.delta"},
                 {"event_id", "event_bench"},
                 {"response_id", "resp_" + item},
                 {"item_id", item},
                 {"output_index", 0},
                 {"content_index", 0},
                 {"delta", donna::base64_encode(bytes)}}
        .dump();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto at = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
    return v[std::min(at, v.size() - 1)];
}

// One relay, its calls' audio handled as `mode` says (DONNA_PHONE_AUDIO), through every step.
bjson measure(const std::string& mode, double seconds, const std::vector<int>& steps,
              bool two_cores, donna::fakes::fake_telnyx& telnyx,
              donna::fakes::fake_realtime_server& upstream)
{
    const auto dir = std::filesystem::temp_directory_path() /
                     ("donna-phone-bench-" + std::to_string(::getpid()) + "-" + mode);
    std::filesystem::create_directories(dir / "web");
    std::ofstream(dir / "sites.json")
        << R"({"sites":[{"id":"demo","allowed_origins":["self"],"persona":"receptionist",)"
        << R"("phone_numbers":[")" << line << R"("]}]})";
    const auto port = donna::test::free_loopback_port();
    const auto origin = "http://127.0.0.1:" + std::to_string(port);
    const std::vector<std::string> env = {"PATH=/usr/bin:/bin",
                                          "DONNA_PORT=" + std::to_string(port),
                                          "DONNA_THREADS=1",
                                          "DONNA_WEB_ROOT=" + (dir / "web").string(),
                                          "DONNA_ENV_FILE=" + (dir / ".env").string(),
                                          "DONNA_DATABASE=" + (dir / "donna.db").string(),
                                          "DONNA_PUBLIC_URL=" + origin,
                                          "DONNA_SITES_FILE=" + (dir / "sites.json").string(),
                                          "DONNA_LOG_LEVEL=warn",
                                          "TELNYX_API_KEY=" + telnyx.api_key(),
                                          "TELNYX_BASE_URL=" + telnyx.base_url(),
                                          "TELNYX_PUBLIC_KEY=" +
                                              telnyx.signer().public_key_base64(),
                                          "TELNYX_CONNECTION_ID=" + telnyx.connection_id(),
                                          std::string("TELNYX_PHONE_NUMBER=") + line,
                                          "OPENAI_API_KEY=sk-fake-test-key",
                                          "OPENAI_BASE_URL=" + upstream.base_url(),
                                          "DONNA_JOB_POLL_MS=20",
                                          "DONNA_CHAT_TOOLS=0",
                                          "DONNA_PHONE_AUDIO=" + mode};
    // Made before fork: the child of a threaded process may only call async-signal-safe
    // functions until it execs (no allocation).
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (const auto& e : env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const pid_t relay = fork();
    if (relay == 0) {
        const int null_out = ::open("/dev/null", O_WRONLY);
        ::dup2(null_out, 2);
        if (two_cores) {
            char* args[] = {const_cast<char*>("/usr/bin/taskset"), const_cast<char*>("-c"),
                            const_cast<char*>("0"), const_cast<char*>(DONNA_RELAY_BINARY), nullptr};
            ::execve(args[0], args, envp.data());
        }
        char* args[] = {const_cast<char*>(DONNA_RELAY_BINARY), nullptr};
        ::execve(args[0], args, envp.data());
        _exit(127);
    }
    telnyx.deliver_webhooks_to(origin + "/webhooks-not-yet");
    // Wait for the relay to listen.
    for (int i = 0; i < 200; ++i) {
        net::io_context io;
        net::ip::tcp::socket probe(io);
        beast::error_code ec;
        probe.connect({net::ip::make_address("127.0.0.1"), port}, ec);
        if (!ec)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    telnyx.deliver_webhooks_to(origin + "/v1/webhooks/telnyx");

    net::io_context io;
    auto guard = net::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    std::vector<double> gaps;
    bjson results = bjson::array();
    std::vector<std::shared_ptr<call_stream>> calls;
    std::vector<std::string> call_ids;
    const std::string silence_frame = donna::base64_encode(std::vector<std::uint8_t>(160, 0xFF));
    net::steady_timer ticker(io);
    std::function<void(clock_type::time_point)> tick = [&](clock_type::time_point next) {
        for (auto& c : calls)
            c->write(bjson{{"event", "media"},
                           {"media",
                            {{"track", "inbound"},
                             {"chunk", std::to_string(++c->chunk)},
                             {"payload", silence_frame}}}}
                         .dump());
        ticker.expires_at(next);
        ticker.async_wait([&, next](beast::error_code ec) {
            if (!ec)
                tick(next + std::chrono::milliseconds(20));
        });
    };
    net::post(io, [&] { tick(clock_type::now() + std::chrono::milliseconds(20)); });

    std::string failure; // the relay and the threads are stopped before it is thrown
    try {
        for (const int n : steps) {
            // Ring n calls, and open each one's stream as Telnyx would.
            while (static_cast<int>(calls.size()) < n) {
                const auto id = telnyx.call_in("+15550100199", line, "PCMU");
                const auto call = telnyx.wait_stream(id, std::chrono::seconds(30));
                if (!call) {
                    throw std::runtime_error("the relay did not ask for call " +
                                             std::to_string(calls.size()) + "'s stream");
                }
                call_ids.push_back(id);
                auto stream = std::make_shared<call_stream>();
                stream->gaps_ms = &gaps;
                std::promise<bool> opened;
                auto done = opened.get_future();
                net::post(io, [&, stream, url = call->stream_url, token = call->stream_auth_token,
                               control = call->call_control_id] {
                    const auto parsed = boost::urls::parse_uri(url);
                    stream->ws = donna::relay::make_websocket_client(io.get_executor(), nullptr);
                    stream->ws->set_option(beast::websocket::stream_base::decorator(
                        [token](beast::websocket::request_type& req) {
                            req.set("x-telnyx-streaming-auth-token", token);
                        }));
                    auto response =
                        std::make_shared<donna::relay::websocket_channel::upgrade_response>();
                    net::ip::tcp::resolver resolver(io);
                    const auto endpoints =
                        resolver.resolve("127.0.0.1", std::string(parsed->port()));
                    stream->ws->async_connect(
                        endpoints,
                        [&, stream, response, target = std::string(parsed->encoded_target()),
                         control](beast::error_code ec) {
                            if (ec)
                                return opened.set_value(false);
                            stream->ws->async_handshake(
                                *response, "127.0.0.1", target,
                                [&, stream, response, control](beast::error_code upgraded) {
                                    if (upgraded)
                                        return opened.set_value(false);
                                    stream->write(R"({"event":"connected","version":"1.0.0"})");
                                    stream->write(bjson{{"event", "start"},
                                                        {"sequence_number", "1"},
                                                        {"start",
                                                         {{"call_control_id", control},
                                                          {"media_format",
                                                           {{"encoding", "PCMU"},
                                                            {"sample_rate", 8000},
                                                            {"channels", 1}}}}}}
                                                      .dump());
                                    stream->read_next();
                                    calls.push_back(stream);
                                    opened.set_value(true);
                                });
                        });
                });
                if (!done.get()) {
                    throw std::runtime_error("call " + std::to_string(calls.size()) +
                                             "'s stream was refused");
                }
            }
            // DONNA speaks on every call: a second of audio ahead, then 100 ms every 100 ms.
            const auto delta = tone_delta("item_" + mode + "_" + std::to_string(n), mode == "g711");
            std::atomic<bool> feeding{true};
            std::thread feeder([&] {
                for (int i = 0; i < 10; ++i)
                    upstream.send_to_all(delta);
                auto next = clock_type::now();
                while (feeding) {
                    next += std::chrono::milliseconds(100);
                    std::this_thread::sleep_until(next);
                    upstream.send_to_all(delta);
                }
            });
            // Settle (every call's reply under way), then measure.
            std::this_thread::sleep_for(std::chrono::seconds(2));
            std::promise<void> started;
            net::post(io, [&] {
                gaps.clear();
                for (auto& c : calls)
                    c->measuring = true;
                started.set_value();
            });
            started.get_future().wait();
            const auto cpu_before = donna::test::cpu_seconds(relay);
            const auto wall_before = clock_type::now();
            std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
            const auto cpu_after = donna::test::cpu_seconds(relay);
            const double wall =
                std::chrono::duration<double>(clock_type::now() - wall_before).count();
            std::promise<std::vector<double>> taken;
            net::post(io, [&] {
                for (auto& c : calls)
                    c->measuring = false;
                taken.set_value(gaps);
            });
            auto errors = taken.get_future().get();
            feeding = false;
            feeder.join();
            // What is queued plays out before the next step's reply.
            std::this_thread::sleep_for(std::chrono::seconds(2));
            const auto frames = errors.size();
            for (auto& e : errors)
                e = std::abs(e - 20.0);
            const bjson step = {{"mode", mode},
                                {"calls", n},
                                {"frames", frames},
                                {"expected_frames", static_cast<double>(n) * wall * 50},
                                {"pacing_error_p50_ms", percentile(errors, 0.50)},
                                {"pacing_error_p99_ms", percentile(errors, 0.99)},
                                {"pacing_error_max_ms", percentile(errors, 1.0)},
                                {"relay_cpu_percent", 100 * (cpu_after - cpu_before) / wall},
                                {"relay_rss_kib", donna::test::resident_kib(relay)},
                                {"pinned", two_cores}};
            std::cerr << step.dump() << "\n";
            results.push_back(step);
        }
    } catch (const std::exception& e) {
        failure = e.what();
    }
    ::kill(relay, SIGTERM);
    int status = 0;
    ::waitpid(relay, &status, 0);
    guard.reset();
    io.stop();
    runner.join();
    std::filesystem::remove_all(dir);
    if (!failure.empty())
        throw std::runtime_error(mode + ": " + failure);
    return results;
}

int run(int argc, char** argv)
{
    if (argc < 4) {
        std::cerr << "usage: phone_calls_bench <out.json> <seconds per step> <N>...\n";
        return 2;
    }
    const std::string out_path = argv[1];
    const double seconds = std::stod(argv[2]);
    std::vector<int> steps;
    for (int i = 3; i < argc; ++i)
        steps.push_back(std::stoi(argv[i]));
    const bool two_cores = std::thread::hardware_concurrency() >= 2;
    if (two_cores)
        pin_to(1); // this program and its fakes; the relay gets core 0

    donna::fakes::fake_telnyx telnyx;
    if (!telnyx.start())
        return 1;
    // Each call's greeting is short; while a step is measured, every session is fed DONNA's
    // audio as a Realtime model streams it (100 ms deltas, a second ahead of playback).
    donna::fakes::fake_realtime_options speak;
    speak.response_audio.assign(2400, 0);
    donna::fakes::fake_realtime_server upstream(speak);
    if (!upstream.start())
        return 1;

    bjson modes = bjson::object();
    for (const std::string mode : {"convert", "g711"})
        modes[mode] = {{"steps", measure(mode, seconds, steps, two_cores, telnyx, upstream)}};
    const bjson out = {{"modes", modes}, {"seconds", seconds}};
    std::ofstream(out_path) << out.dump(2) << "\n";
    std::cout << out.dump(2) << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "phone_calls_bench: " << e.what() << "\n";
        return 1;
    }
}
