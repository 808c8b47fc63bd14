// webhook_bench.cpp: how many Telnyx webhooks the relay verifies and stores per second (issue
// 18), and what each step costs, side by side in one run:
//   - over HTTP: POST /v1/webhooks/telnyx with signed bodies (Ed25519 check, envelope,
//     durable commit of the event and its job in SQLite, WAL with synchronous=NORMAL, on a
//     file), the relay on ONE I/O thread, against the same connections asking GET /healthz
//     (the transport alone: no verification, no storage);
//   - in one thread, no HTTP: verification alone, the envelope alone, the store alone (one
//     transaction per event), and the three in a row;
//   - fanout: stored events delivered to one endpoint (a loopback receiver that checks each
//     signature), deliveries per second from the first to the last.
//   webhook_bench <out.json> [events=5000] [connections=4]
// Prints the JSON it writes; bench/report.mjs turns it into BENCHMARKS.md's section.
#include "fake_webhook_receiver.hpp"
#include "relay_harness.hpp"

#include "app/relay_app.hpp"
#include "jobs/job_runner.hpp"
#include "telnyx_webhook_signer.hpp"

#include "providers/telnyx/telnyx_event.hpp"
#include "providers/telnyx/webhook_signature.hpp"
#include "store/database.hpp"
#include "store/webhook_store.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
using namespace donna::relay;

std::int64_t unix_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct signed_event {
    std::string body;
    std::map<std::string, std::string> headers;
};

std::vector<signed_event> make_events(const donna::fakes::telnyx_webhook_signer& signer, int n,
                                      const std::string& tag)
{
    std::vector<signed_event> out;
    out.reserve(static_cast<std::size_t>(n));
    const auto now = unix_seconds();
    for (int i = 0; i < n; ++i) {
        const auto body = signer.event("call.initiated", "2026-12-07T12:00:00.000000Z",
                                       {{"call_control_id", "v3:" + tag + std::to_string(i)},
                                        {"call_leg_id", tag + "leg-" + std::to_string(i)},
                                        {"call_session_id", tag + "session-" + std::to_string(i)},
                                        {"direction", "incoming"},
                                        {"from", "+15550100199"},
                                        {"to", "+15550100100"}},
                                       "");
        out.push_back({body, signer.headers(body, now)});
    }
    return out;
}

// `connections` keep-alive connections driven by ONE client thread (asynchronous: each
// connection writes its next request as soon as its answer is read), so that the load takes
// one core and the relay the other; seconds from the first write to the last answer, and how
// many answers were not 2xx.
struct load_result {
    double seconds = 0;
    int failures = 0;
};

struct connection_loop : std::enable_shared_from_this<connection_loop> {
    connection_loop(net::io_context& ioc, int first, int stride, int count,
                    const std::function<http::request<http::string_body>(int)>& make, int& failed)
        : stream(ioc), next(first), step(stride), total(count), request_of(make), failures(failed)
    {}

    void start(std::uint16_t port)
    {
        stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        send();
    }

    void send()
    {
        if (next >= total) {
            beast::error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            return;
        }
        request = request_of(next);
        next += step;
        http::async_write(
            stream, request, [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) {
                    ++self->failures;
                    return;
                }
                self->response = {};
                http::async_read(self->stream, self->buffer, self->response,
                                 [self](beast::error_code read_ec, std::size_t) {
                                     if (read_ec || self->response.result_int() / 100 != 2)
                                         ++self->failures;
                                     if (!read_ec)
                                         self->send();
                                 });
            });
    }

    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    int next;
    int step;
    int total;
    const std::function<http::request<http::string_body>(int)>& request_of;
    int& failures;
};

load_result run_load(std::uint16_t port, int connections, int total,
                     const std::function<http::request<http::string_body>(int)>& request_of)
{
    net::io_context ioc;
    int failures = 0;
    const auto start = clock_type::now();
    for (int c = 0; c < connections; ++c)
        std::make_shared<connection_loop>(ioc, c, connections, total, request_of, failures)
            ->start(port);
    ioc.run();
    return {std::chrono::duration<double>(clock_type::now() - start).count(), failures};
}

http::request<http::string_body> webhook_request(const signed_event& e)
{
    http::request<http::string_body> req{http::verb::post, "/v1/webhooks/telnyx", 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : e.headers)
        req.set(name, value);
    req.body() = e.body;
    req.prepare_payload();
    return req;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

template <class F>
double per_second(int n, F&& step)
{
    const auto start = clock_type::now();
    for (int i = 0; i < n; ++i)
        step(i);
    return n / std::chrono::duration<double>(clock_type::now() - start).count();
}

int run(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: webhook_bench <out.json> [events=5000] [connections=4]\n";
        return 2;
    }
    const int events = argc > 2 ? std::stoi(argv[2]) : 5000;
    const int connections = argc > 3 ? std::stoi(argv[3]) : 4;
    const auto dir =
        fs::temp_directory_path() / ("donna-webhook-bench-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    donna::fakes::telnyx_webhook_signer signer;
    const std::string secret = "bench-fanout-secret-of-at-least-32-chars";
    donna::fakes::fake_webhook_receiver receiver(secret);
    if (!receiver.start()) {
        std::cerr << "webhook_bench: the receiver did not start\n";
        return 1;
    }
    int failures = 0;
    std::ostringstream json;
    {
        // --- over HTTP, the relay on one I/O thread
        auto cfg = test::test_config();
        cfg.threads = 1;
        cfg.database = (dir / "donna.db").string();
        cfg.telnyx_public_key = signer.public_key_base64();
        cfg.job_poll_ms = 20;
        test::relay_harness relay(cfg);
        // Intake alone: processing held back (as during a drain), as a burst meets it first.
        // Three rounds each way, alternating; the medians.
        relay.app().jobs().stop_claiming();
        std::vector<double> healthz_rates, stored_rates;
        for (int round = 0; round < 3; ++round) {
            const auto round_events =
                make_events(signer, events, "http" + std::to_string(round) + "-");
            const auto healthz = run_load(relay.port(), connections, events, [](int) {
                http::request<http::string_body> req{http::verb::get, "/healthz", 11};
                req.set(http::field::host, "127.0.0.1");
                return req;
            });
            const auto stored = run_load(relay.port(), connections, events, [&](int i) {
                return webhook_request(round_events[static_cast<std::size_t>(i)]);
            });
            failures += healthz.failures + stored.failures;
            healthz_rates.push_back(events / healthz.seconds);
            stored_rates.push_back(events / stored.seconds);
        }

        // The same, with every event also processed (its call recorded) on the same core.
        double processed_per_second = 0;
        double concurrent_per_second = 0;
        {
            auto busy_cfg = cfg;
            busy_cfg.database = (dir / "busy.db").string();
            test::relay_harness busy(busy_cfg);
            const auto busy_events = make_events(signer, events, "busy-");
            const auto start = clock_type::now();
            const auto sent = run_load(busy.port(), connections, events, [&](int i) {
                return webhook_request(busy_events[static_cast<std::size_t>(i)]);
            });
            failures += sent.failures;
            concurrent_per_second = events / sent.seconds;
            const auto series =
                "donna_jobs_settled_total{kind=\"webhook.telnyx\",outcome=\"done\"}";
            const auto deadline = clock_type::now() + std::chrono::seconds(120);
            while (busy.metric(series) < events && clock_type::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            if (busy.metric(series) < events)
                ++failures;
            processed_per_second =
                events / std::chrono::duration<double>(clock_type::now() - start).count();
        }

        // --- one thread, no HTTP: each step alone, then together
        auto key = telnyx_public_key(signer.public_key_base64());
        auto db = database::open((dir / "steps.db").string());
        if (!key || !db) {
            std::cerr << "webhook_bench: setup failed\n";
            return 1;
        }
        webhook_store store(**db);
        const auto step_events = make_events(signer, events, "step-");
        const auto now = unix_seconds();
        const auto verify = [&](const signed_event& e) {
            if (!verify_telnyx_webhook(
                     *key,
                     {e.headers.at("telnyx-timestamp"), e.headers.at("telnyx-signature-ed25519")},
                     e.body, now)
                     .ok)
                ++failures;
        };
        const auto verify_only =
            per_second(events, [&](int i) { verify(step_events[static_cast<std::size_t>(i)]); });
        const auto parse_only = per_second(events, [&](int i) {
            if (!parse_telnyx_event(step_events[static_cast<std::size_t>(i)].body))
                ++failures;
        });
        const auto store_event = [&](const signed_event& e, int i, const std::string& tag) {
            auto event = parse_telnyx_event(e.body);
            if (!event || !store.store({.provider = "telnyx",
                                        .event_id = event->id + tag + std::to_string(i),
                                        .event_type = event->type,
                                        .occurred_at = event->occurred_at,
                                        .occurred_at_ms = event->occurred_at_ms,
                                        .received_at = now,
                                        .body = e.body}))
                ++failures;
        };
        const auto store_only = per_second(events, [&](int i) {
            store_event(step_events[static_cast<std::size_t>(i)], i, "-store");
        });
        const auto all_steps = per_second(events, [&](int i) {
            const auto& e = step_events[static_cast<std::size_t>(i)];
            verify(e);
            store_event(e, i, "-all");
        });

        // --- fanout: a relay whose endpoint wants every event; the events stored first (the
        // endpoint down), then the endpoint comes up and everything goes.
        const int fanout_events = std::max(100, events / 5);
        auto fan_cfg = test::test_config();
        fan_cfg.database = (dir / "fanout.db").string();
        fan_cfg.telnyx_public_key = signer.public_key_base64();
        fan_cfg.job_poll_ms = 20;
        fan_cfg.job_retry_ms = 50;
        fan_cfg.fanout = {fanout_endpoint{.id = "bench",
                                          .url = receiver.url(),
                                          .events = {"*"},
                                          .secret_env = "BENCH_SECRET",
                                          .secret = secret,
                                          .max_attempts = 100}};
        const auto fan_events = make_events(signer, fanout_events, "fan-");
        double fanout_per_second = 0;
        {
            test::relay_harness fan_relay(fan_cfg);
            const auto start = clock_type::now();
            const auto sent = run_load(fan_relay.port(), connections, fanout_events, [&](int i) {
                return webhook_request(fan_events[static_cast<std::size_t>(i)]);
            });
            failures += sent.failures;
            if (!receiver.wait_for_events(fanout_events, std::chrono::seconds(120)))
                ++failures;
            fanout_per_second =
                fanout_events / std::chrono::duration<double>(clock_type::now() - start).count();
        }

        json << "{\"events\":" << events << ",\"connections\":" << connections
             << ",\"relay_threads\":1,\"synchronous\":\"NORMAL\",\"journal\":\"WAL\""
             << ",\"http\":{\"verified_stored_per_second\":" << median(stored_rates)
             << ",\"healthz_per_second\":" << median(healthz_rates)
             << ",\"stored_while_processing_per_second\":" << concurrent_per_second
             << ",\"processed_per_second\":" << processed_per_second << "}"
             << ",\"steps\":{\"verify_per_second\":" << verify_only
             << ",\"parse_per_second\":" << parse_only << ",\"store_per_second\":" << store_only
             << ",\"all_per_second\":" << all_steps << "}"
             << ",\"fanout\":{\"events\":" << fanout_events
             << ",\"deliveries_per_second\":" << fanout_per_second << "}"
             << ",\"failures\":" << failures << "}\n";
    }
    std::ofstream(argv[1]) << json.str();
    std::cout << json.str();
    fs::remove_all(dir);
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "webhook_bench: " << e.what() << "\n";
        return 1;
    }
}
