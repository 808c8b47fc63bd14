// chat_relay_bench.cpp: what the relay adds to a streamed chat reply (issue 5), side by side
// with the baseline of calling the upstream directly, against the fake OpenAI API on loopback:
//   - time to first token: request sent -> first reply word seen, direct to the fake's
//     /v1/chat/completions vs through the relay's POST /v1/chat (moderation off);
//   - relay overhead per streamed token: the latency of each word from the fake handing it to
//     its socket to the client reading it (the fake records when), relayed minus direct;
//   - connection reuse: new TLS handshakes the upstream saw for 100 chat turns through the
//     relay (HTTPS upstream), against 100 requests that each open their own connection.
// One client, one request at a time, the same raw socket code for both paths.
//   chat_relay_bench <out.json> [turns=50] [words=50] [ms between words=5]
// Prints the JSON it writes; bench/report.mjs turns it into BENCHMARKS.md's section.
#include "fake_openai_http.hpp"
#include "relay_harness.hpp"
#include "test_pki.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
using donna::relay::test::relay_harness;

// When each word of the reply reached the client, in ms since the request was written.
struct stream_timing {
    clock_type::time_point start;
    std::vector<clock_type::time_point> word_arrivals;
    double ms(std::size_t word) const
    {
        return std::chrono::duration<double, std::milli>(word_arrivals[word] - start).count();
    }
};

// How word k of the reply ("w0", " w1", ...) appears in either stream's JSON.
std::string word_marker(std::size_t k)
{
    return k == 0 ? "\"w0\"" : " w" + std::to_string(k) + "\"";
}

// Writes one request and reads its chunked answer to the end (so the connection can carry
// the next), noting when each of the reply's `words` words arrives.
template <class Stream>
stream_timing exchange(Stream& stream, const std::string& request, std::size_t words)
{
    stream_timing t;
    t.start = clock_type::now();
    net::write(stream, net::buffer(request));
    std::string got;
    std::size_t searched = 0;
    std::array<char, 16384> buffer{};
    for (;;) {
        const auto n = stream.read_some(net::buffer(buffer));
        const auto now = clock_type::now();
        got.append(buffer.data(), n);
        while (t.word_arrivals.size() < words) {
            const auto at = got.find(word_marker(t.word_arrivals.size()), searched);
            if (at == std::string::npos)
                break;
            searched = at;
            t.word_arrivals.push_back(now);
        }
        if (t.word_arrivals.size() == words && got.ends_with("\r\n0\r\n\r\n"))
            return t;
    }
}

std::string post(const std::string& path, const std::string& authorization, const std::string& body)
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
           authorization + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n" +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

double percentile(std::vector<double> v, double p)
{
    std::ranges::sort(v);
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

std::string summary(const std::vector<double>& v)
{
    char out[160];
    std::snprintf(out, sizeof out, R"({"median":%.4f,"p90":%.4f,"min":%.4f,"max":%.4f})",
                  percentile(v, 0.5), percentile(v, 0.9), *std::ranges::min_element(v),
                  *std::ranges::max_element(v));
    return out;
}

donna::relay::config relay_config(const std::string& base_url)
{
    auto c = donna::relay::test::test_config();
    c.openai_api_key = donna::fakes::fake_openai_default_key();
    c.openai_base_url = base_url;
    c.moderation = false;
    c.chat_messages_per_minute = 10000;
    c.openai_requests_per_minute = 1000000;
    c.chat_history_tokens = 100; // every turn sends about the same prompt
    return c;
}

int run(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: chat_relay_bench <out.json> [turns=50] [words=50] [ms=5]\n";
        return 2;
    }
    const int turns = argc > 2 ? std::stoi(argv[2]) : 50;
    const int words = argc > 3 ? std::stoi(argv[3]) : 50;
    const auto interval = std::chrono::milliseconds(argc > 4 ? std::stoi(argv[4]) : 5);
    std::string reply;
    for (int i = 0; i < words; ++i)
        reply += (i ? " w" : "w") + std::to_string(i);
    const auto word_count = static_cast<std::size_t>(words);

    donna::fakes::fake_openai_http fake({.reply_text = reply, .chunk_interval = interval});
    if (!fake.start())
        return 1;
    const auto key = donna::fakes::fake_openai_default_key();
    net::io_context ioc;

    // One turn at a time: its time to the first word, and each word's latency from the fake
    // handing it to its socket (chunk 1 + k of the stream: chunk 0 is the role) to the client.
    struct path_figures {
        std::vector<double> first_word_ms, word_latency_us;
    };
    const auto measure = [&](auto& socket, const std::function<std::string(int)>& request_for) {
        path_figures f;
        for (int i = 0; i < turns; ++i) {
            const auto base = fake.chunk_times().size();
            const auto t = exchange(socket, request_for(i), word_count);
            const auto sent = fake.chunk_times();
            f.first_word_ms.push_back(t.ms(0));
            for (std::size_t k = 0; k < word_count; ++k)
                f.word_latency_us.push_back(std::chrono::duration<double, std::micro>(
                                                t.word_arrivals[k] - sent[base + 1 + k])
                                                .count());
        }
        return f;
    };

    // Direct: the fake's own stream, one keep-alive connection.
    path_figures direct;
    {
        tcp::socket s(ioc);
        s.connect({net::ip::make_address("127.0.0.1"), fake.port()});
        s.set_option(tcp::no_delay(true));
        direct = measure(s, [&](int i) {
            return post(
                "/v1/chat/completions", key,
                R"({"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"question )" +
                    std::to_string(i) + "\"}]}");
        });
    }

    // Relayed: POST /v1/chat through the relay, whose pool keeps its upstream connection.
    path_figures relayed;
    {
        relay_harness relay(relay_config(fake.base_url()));
        const auto token = relay.session_token("demo");
        tcp::socket s(ioc);
        s.connect({net::ip::make_address("127.0.0.1"), relay.port()});
        s.set_option(tcp::no_delay(true));
        relayed = measure(s, [&](int i) {
            return post("/v1/chat", token,
                        R"({"stream":true,"message":"question )" + std::to_string(i) + "\"}");
        });
    }
    const double overhead_us =
        percentile(relayed.word_latency_us, 0.5) - percentile(direct.word_latency_us, 0.5);

    // TLS: 100 turns through the relay to an HTTPS upstream, against 100 direct requests that
    // each open a connection of their own (Connection: close), as a client without a pool does.
    constexpr int tls_requests = 100;
    donna::fakes::fake_openai_http tls_fake({.reply_text = "Short answer.", .tls = true});
    if (!tls_fake.start())
        return 1;
    const auto dir = donna::test::write_test_pki(std::filesystem::temp_directory_path() /
                                                 ("donna-bench-pki-" + std::to_string(::getpid())));
    int relay_handshakes = 0, relay_connections = 0;
    {
        auto cfg = relay_config(tls_fake.base_url());
        cfg.upstream_ca_file = (dir / "ca.pem").string();
        relay_harness relay(cfg);
        const auto token = relay.session_token("demo");
        tcp::socket s(ioc);
        s.connect({net::ip::make_address("127.0.0.1"), relay.port()});
        for (int i = 0; i < tls_requests; ++i)
            exchange(s,
                     post("/v1/chat", token,
                          R"({"stream":true,"message":"q )" + std::to_string(i) + "\"}"),
                     0);
        relay_handshakes = tls_fake.tls_handshakes();
        relay_connections = tls_fake.accepted_connections();
    }
    ssl::context ctx(ssl::context::tls_client);
    ctx.add_certificate_authority(net::buffer(donna::test::shared_test_pki().ca_cert_pem));
    ctx.set_verify_mode(ssl::verify_peer);
    const int before = tls_fake.tls_handshakes();
    for (int i = 0; i < tls_requests; ++i) {
        ssl::stream<tcp::socket> s(ioc, ctx);
        s.next_layer().connect({net::ip::make_address("127.0.0.1"), tls_fake.port()});
        s.handshake(ssl::stream_base::client);
        auto request =
            post("/v1/chat/completions", key,
                 R"({"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"q"}]})");
        request.insert(request.find("\r\n") + 2, "Connection: close\r\n");
        exchange(s, request, 0);
    }
    const int direct_handshakes = tls_fake.tls_handshakes() - before;
    std::filesystem::remove_all(dir);

    std::string json =
        "{\"turns\":" + std::to_string(turns) + ",\"words\":" + std::to_string(words) +
        ",\"chunk_interval_ms\":" + std::to_string(interval.count()) +
        ",\"direct_first_word_ms\":" + summary(direct.first_word_ms) +
        ",\"relayed_first_word_ms\":" + summary(relayed.first_word_ms) +
        ",\"direct_word_latency_us\":" + summary(direct.word_latency_us) +
        ",\"relayed_word_latency_us\":" + summary(relayed.word_latency_us) +
        ",\"relay_overhead_per_token_us\":" + std::to_string(overhead_us) +
        ",\"tls\":{\"requests\":" + std::to_string(tls_requests) +
        ",\"relay_handshakes\":" + std::to_string(relay_handshakes) +
        ",\"relay_connections\":" + std::to_string(relay_connections) +
        ",\"direct_new_connection_handshakes\":" + std::to_string(direct_handshakes) + "}}";
    std::ofstream(argv[1]) << json << "\n";
    std::cout << json << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "chat_relay_bench: " << e.what() << '\n';
        return 1;
    }
}
