// The Realtime fake over real TCP on loopback, driven by a Beast WebSocket client (the
// relay's websocket_channel, where Beast's WebSocket operations are compiled once).
#include "fake_realtime_server.hpp"

#include "audio/base64.hpp"
#include "audio/pcm16.hpp"
#include "net/websocket_channel.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace donna::fakes {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

using headers = std::vector<std::pair<std::string, std::string>>;

constexpr auto generous = std::chrono::milliseconds(10s);

headers ga_headers(const std::string& key = "sk-fake-test-key")
{
    return {{"Authorization", "Bearer " + key}};
}

headers beta_headers()
{
    return {{"Authorization", "Bearer sk-fake-test-key"}, {"OpenAI-Beta", "realtime=v1"}};
}

// A synchronous-looking client whose every wait has a deadline, so that a broken fake fails
// a test instead of hanging it.
class client {
public:
    explicit client(std::uint16_t port) : port_(port) {}

    // Returns the handshake's error (websocket::error::upgrade_declined for an HTTP refusal,
    // net::error::timed_out if nothing came back in time); `response` holds the answer.
    beast::error_code connect(const std::string& target, const headers& request_headers,
                              std::chrono::milliseconds timeout = generous)
    {
        beast::error_code ec;
        ws_->tcp().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
        if (ec)
            return ec;
        ws_->set_option(
            websocket::stream_base::decorator([request_headers](websocket::request_type& req) {
                for (const auto& [name, value] : request_headers)
                    req.set(name, value);
            }));
        bool done = false;
        ws_->async_handshake(response, "127.0.0.1", target, [&](beast::error_code e) {
            ec = e;
            done = true;
        });
        if (!run(done, timeout))
            return net::error::timed_out;
        return ec;
    }

    void send(const std::string& text)
    {
        bool done = false;
        beast::error_code ec;
        ws_->async_write(net::buffer(text), /*binary=*/false,
                         [&](beast::error_code e, std::size_t) {
                             ec = e;
                             done = true;
                         });
        if (!run(done, generous) || ec)
            throw beast::system_error(ec ? ec : net::error::timed_out);
    }
    void send(const json& event) { send(event.dump()); }

    // The next text frame as JSON; nullopt when the connection ended (see last_error) or
    // nothing came in time.
    std::optional<json> read(std::chrono::milliseconds timeout = generous)
    {
        bool done = false;
        beast::flat_buffer buffer;
        ws_->async_read(buffer, [&](beast::error_code e, std::size_t) {
            last_error = e;
            done = true;
        });
        if (!run(done, timeout)) {
            last_error = net::error::timed_out;
            return std::nullopt;
        }
        if (last_error)
            return std::nullopt;
        auto parsed = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
        if (parsed.is_discarded())
            return std::nullopt;
        return parsed;
    }

    // Reads until an event of this type; null if the connection ended first.
    json read_until(std::string_view type)
    {
        while (auto e = read())
            if ((*e)["type"] == type)
                return *e;
        return nullptr;
    }

    websocket::close_reason close_reason() const { return ws_->reason(); }

    donna::relay::websocket_channel::upgrade_response response;
    beast::error_code last_error;

private:
    bool run(bool& done, std::chrono::milliseconds timeout)
    {
        ioc_.restart();
        ioc_.run_for(timeout);
        if (done)
            return true;
        // Timed out: cancel the operation and let its handler run before returning.
        beast::error_code ignored;
        ws_->tcp().socket().close(ignored);
        ioc_.restart();
        ioc_.run();
        return false;
    }

    std::uint16_t port_;
    net::io_context ioc_;
    std::unique_ptr<donna::relay::websocket_channel> ws_ =
        donna::relay::make_websocket_client(ioc_.get_executor(), nullptr);
};

std::vector<std::int16_t> ramp(std::size_t n)
{
    // Every value differs from its neighbours and both extremes appear, so a dropped,
    // duplicated or byte-swapped sample shows.
    std::vector<std::int16_t> samples(n);
    for (std::size_t i = 0; i < n; ++i)
        samples[i] = static_cast<std::int16_t>(static_cast<int>(i * 7919 % 65536) - 32768);
    if (n > 1) {
        samples[0] = -32768;
        samples[n - 1] = 32767;
    }
    return samples;
}

std::string base64_of(std::span<const std::uint8_t> bytes)
{
    return base64_encode(bytes);
}

// One response, seen by a client: the non-delta events in order, and the deltas decoded.
struct seen_response {
    std::vector<std::string> framing; // every event type but the two delta kinds
    int audio_deltas = 0;
    std::vector<std::uint8_t> audio;
    std::string transcript;
    std::vector<json> events; // all of them, in order
    bool ended_cleanly = false;
};

seen_response collect(client& c, std::string_view audio_delta, std::string_view transcript_delta)
{
    seen_response seen;
    while (auto e = c.read()) {
        seen.events.push_back(*e);
        const auto type = (*e)["type"].get<std::string>();
        if (type == audio_delta) {
            ++seen.audio_deltas;
            auto bytes = base64_decode((*e)["delta"].get<std::string>());
            EXPECT_TRUE(bytes) << (*e)["delta"];
            if (bytes)
                seen.audio.insert(seen.audio.end(), bytes->begin(), bytes->end());
        } else if (type == transcript_delta) {
            seen.transcript += (*e)["delta"].get<std::string>();
        } else {
            seen.framing.push_back(type);
        }
        if (type == "response.done" || type == "error") {
            seen.ended_cleanly = true;
            break;
        }
    }
    return seen;
}

class FakeRealtime : public ::testing::Test {
protected:
    void start(fake_realtime_options options = {})
    {
        fake_ = std::make_unique<fake_realtime_server>(std::move(options));
        const auto started = fake_->start();
        ASSERT_TRUE(started) << started.error().message;
        ASSERT_NE(fake_->port(), 0);
    }

    // A client through the upgrade, with session.created already read.
    std::unique_ptr<client> open(const headers& h = ga_headers(),
                                 const std::string& target = "/v1/realtime?model=gpt-realtime")
    {
        auto c = std::make_unique<client>(fake_->port());
        const auto ec = c->connect(target, h);
        EXPECT_FALSE(ec) << ec.message() << " (HTTP " << c->response.result_int() << ")";
        const auto created = c->read();
        EXPECT_TRUE(created.has_value());
        if (created) {
            EXPECT_EQ((*created)["type"], "session.created");
        }
        return c;
    }

    std::unique_ptr<fake_realtime_server> fake_;
};

// ---------------------------------------------------------------- session and dialects

TEST_F(FakeRealtime, GaSessionCreatedCarriesTheGaSessionShape)
{
    start();
    client c(fake_->port());
    ASSERT_FALSE(c.connect("/v1/realtime?model=gpt-realtime", ga_headers()));
    const auto created = c.read();
    ASSERT_TRUE(created);
    EXPECT_EQ((*created)["type"], "session.created");
    EXPECT_TRUE((*created)["event_id"].get<std::string>().starts_with("event_"));
    const auto& s = (*created)["session"];
    EXPECT_EQ(s["type"], "realtime");
    EXPECT_EQ(s["object"], "realtime.session");
    EXPECT_TRUE(s["id"].get<std::string>().starts_with("sess_"));
    EXPECT_EQ(s["model"], "gpt-realtime");
    EXPECT_EQ(s["output_modalities"], json::array({"audio"}));
    EXPECT_EQ(s["audio"]["output"]["format"], json({{"type", "audio/pcm"}, {"rate", 24000}}));
    EXPECT_FALSE(s.contains("input_audio_format")); // a beta field
}

TEST_F(FakeRealtime, BetaSessionCreatedIsFlat)
{
    start();
    client c(fake_->port());
    ASSERT_FALSE(c.connect("/v1/realtime?model=gpt-4o-realtime-preview", beta_headers()));
    const auto created = c.read();
    ASSERT_TRUE(created);
    const auto& s = (*created)["session"];
    EXPECT_FALSE(s.contains("type"));
    EXPECT_EQ(s["object"], "realtime.session");
    EXPECT_EQ(s["model"], "gpt-4o-realtime-preview");
    EXPECT_EQ(s["input_audio_format"], "pcm16");
    EXPECT_EQ(s["output_audio_format"], "pcm16");
    EXPECT_TRUE(s.contains("modalities"));
}

TEST_F(FakeRealtime, GaResponseUsesGaNamesAndCarriesTheConfiguredAudioAndText)
{
    const auto audio = ramp(12000); // 24000 bytes: five deltas of 4800
    start({.response_audio = audio, .response_text = "Hi there, friend."});
    auto c = open();
    c->send(json{{"type", "response.create"}, {"event_id", "evt_1"}});
    const auto seen =
        collect(*c, "response.output_audio.delta", "response.output_audio_transcript.delta");

    const std::vector<std::string> framing{
        "response.created",           "response.output_item.added",
        "conversation.item.added",    "response.content_part.added",
        "response.output_audio.done", "response.output_audio_transcript.done",
        "response.content_part.done", "response.output_item.done",
        "conversation.item.done",     "response.done"};
    EXPECT_EQ(seen.framing, framing);
    EXPECT_EQ(seen.audio_deltas, 5);
    EXPECT_EQ(pcm16_from_bytes(seen.audio), audio);
    EXPECT_EQ(seen.transcript, "Hi there, friend.");
    ASSERT_FALSE(seen.events.empty());
    const auto& done = seen.events.back()["response"];
    EXPECT_EQ(done["status"], "completed");
    EXPECT_EQ(done["output"][0]["content"][0]["type"], "output_audio");
    EXPECT_EQ(done["output"][0]["content"][0]["transcript"], "Hi there, friend.");
}

TEST_F(FakeRealtime, BetaResponseUsesBetaNames)
{
    const auto audio = ramp(4800); // 9600 bytes: two deltas
    start({.response_audio = audio, .response_text = "Beta words"});
    auto c = open(beta_headers());
    c->send(json{{"type", "response.create"}});
    const auto seen = collect(*c, "response.audio.delta", "response.audio_transcript.delta");

    const std::vector<std::string> framing{"response.created",
                                           "response.output_item.added",
                                           "conversation.item.created",
                                           "response.content_part.added",
                                           "response.audio.done",
                                           "response.audio_transcript.done",
                                           "response.content_part.done",
                                           "response.output_item.done",
                                           "response.done"};
    EXPECT_EQ(seen.framing, framing);
    EXPECT_EQ(seen.audio_deltas, 2);
    EXPECT_EQ(pcm16_from_bytes(seen.audio), audio);
    EXPECT_EQ(seen.transcript, "Beta words");
    const auto connections = fake_->connections();
    ASSERT_EQ(connections.size(), 1U);
    EXPECT_EQ(connections[0].openai_beta, "realtime=v1");
}

TEST_F(FakeRealtime, AudioDeltasNameTheirResponseItemAndIndexes)
{
    start({.response_audio = ramp(4800)});
    auto c = open();
    c->send(json{{"type", "response.create"}});
    const auto seen =
        collect(*c, "response.output_audio.delta", "response.output_audio_transcript.delta");
    ASSERT_TRUE(seen.ended_cleanly);
    const auto response_id = seen.events[0]["response"]["id"].get<std::string>();
    const auto item_id = seen.events[1]["item"]["id"].get<std::string>();
    EXPECT_TRUE(response_id.starts_with("resp_"));
    EXPECT_TRUE(item_id.starts_with("item_"));
    int checked = 0;
    for (const auto& e : seen.events) {
        if (e["type"] != "response.output_audio.delta")
            continue;
        EXPECT_EQ(e["response_id"], response_id);
        EXPECT_EQ(e["item_id"], item_id);
        EXPECT_EQ(e["output_index"], 0);
        EXPECT_EQ(e["content_index"], 0);
        ++checked;
    }
    EXPECT_EQ(checked, 2);
}

TEST_F(FakeRealtime, EveryServerEventHasAUniqueEventId)
{
    start();
    auto c = open();
    c->send(json{{"type", "response.create"}});
    c->send(json{{"type", "response.create"}});
    auto first =
        collect(*c, "response.output_audio.delta", "response.output_audio_transcript.delta");
    const auto second =
        collect(*c, "response.output_audio.delta", "response.output_audio_transcript.delta");
    first.events.insert(first.events.end(), second.events.begin(), second.events.end());
    std::set<std::string> ids;
    for (const auto& e : first.events)
        EXPECT_TRUE(ids.insert(e["event_id"].get<std::string>()).second) << e["event_id"];
    EXPECT_GT(ids.size(), 20U);
}

TEST_F(FakeRealtime, SessionUpdateAnswersWithTheSessionMerged)
{
    start();
    auto c = open();
    c->send(json{{"type", "session.update"},
                 {"session",
                  {{"type", "realtime"},
                   {"instructions", "Be brief."},
                   {"audio", {{"input", {{"turn_detection", nullptr}}}}}}}});
    const auto updated = c->read();
    ASSERT_TRUE(updated);
    EXPECT_EQ((*updated)["type"], "session.updated");
    const auto& s = (*updated)["session"];
    EXPECT_EQ(s["instructions"], "Be brief.");
    EXPECT_TRUE(s["audio"]["input"]["turn_detection"].is_null());
    EXPECT_EQ(s["audio"]["output"]["voice"], "marin"); // untouched fields stay
    EXPECT_EQ(s["model"], "gpt-realtime");
}

TEST_F(FakeRealtime, GaSessionUpdateWithoutSessionTypeIsAnError)
{
    start();
    auto c = open();
    c->send(json{{"type", "session.update"}, {"session", {{"instructions", "x"}}}});
    const auto error = c->read();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["type"], "error");
    EXPECT_EQ((*error)["error"]["code"], "missing_required_parameter");
    EXPECT_EQ((*error)["error"]["param"], "session.type");
}

json session_update_answer(client& c, const json& session)
{
    c.send(json{{"type", "session.update"}, {"session", session}});
    const auto answer = c.read();
    EXPECT_TRUE(answer);
    return answer ? *answer : json();
}

TEST_F(FakeRealtime, ReasoningModelStartsAtLowEffortAndTakesReasoningAndParallelToolCalls)
{
    start();
    client c(fake_->port());
    ASSERT_FALSE(c.connect("/v1/realtime?model=gpt-realtime-2.1", ga_headers()));
    const auto created = c.read();
    ASSERT_TRUE(created);
    EXPECT_EQ((*created)["session"]["reasoning"], json({{"effort", "low"}}));
    const auto updated = session_update_answer(c, {{"type", "realtime"},
                                                   {"reasoning", {{"effort", "high"}}},
                                                   {"parallel_tool_calls", false}});
    EXPECT_EQ(updated["type"], "session.updated");
    EXPECT_EQ(updated["session"]["reasoning"]["effort"], "high");
    EXPECT_EQ(updated["session"]["parallel_tool_calls"], false);

    const auto bad =
        session_update_answer(c, {{"type", "realtime"}, {"reasoning", {{"effort", "none"}}}});
    EXPECT_EQ(bad["type"], "error");
    EXPECT_EQ(bad["error"]["code"], "invalid_value");
    EXPECT_EQ(bad["error"]["param"], "session.reasoning.effort");
}

TEST_F(FakeRealtime, ModelWithoutReasoningRefusesReasoningFields)
{
    start();
    for (const std::string model :
         {"gpt-realtime", "gpt-realtime-2025-08-28", "gpt-realtime-mini"}) {
        client c(fake_->port());
        ASSERT_FALSE(c.connect("/v1/realtime?model=" + model, ga_headers()));
        const auto created = c.read();
        ASSERT_TRUE(created);
        EXPECT_FALSE((*created)["session"].contains("reasoning")) << model;
        for (const auto& [field, value] :
             {std::pair<std::string, json>{"reasoning", {{"effort", "low"}}},
              std::pair<std::string, json>{"parallel_tool_calls", true}}) {
            const auto error = session_update_answer(c, {{"type", "realtime"}, {field, value}});
            EXPECT_EQ(error["type"], "error") << model << " " << field;
            EXPECT_EQ(error["error"]["code"], "unsupported_parameter");
            EXPECT_EQ(error["error"]["param"], "session." + field);
        }
    }
}

TEST_F(FakeRealtime, BetaSessionDoesNotKnowReasoning)
{
    start();
    auto c = open(beta_headers(), "/v1/realtime?model=gpt-realtime-2.1");
    const auto error = session_update_answer(*c, {{"reasoning", {{"effort", "low"}}}});
    EXPECT_EQ(error["type"], "error");
    EXPECT_EQ(error["error"]["code"], "unknown_parameter");
}

TEST_F(FakeRealtime, SubprotocolRealtimeIsSelectedOnlyWhenOffered)
{
    start();
    client offered(fake_->port());
    // The browser's way: key in a subprotocol, no Authorization header.
    ASSERT_FALSE(offered.connect(
        "/v1/realtime?model=gpt-realtime",
        {{"Sec-WebSocket-Protocol", "realtime, openai-insecure-api-key.sk-fake-test-key"}}));
    EXPECT_EQ(offered.response[http::field::sec_websocket_protocol], "realtime");

    client plain(fake_->port());
    ASSERT_FALSE(plain.connect("/v1/realtime?model=gpt-realtime", ga_headers()));
    EXPECT_EQ(plain.response.count(http::field::sec_websocket_protocol), 0U);
}

// ---------------------------------------------------------------- refused upgrades

json body_of(const client& c)
{
    return json::parse(c.response.body(), nullptr, false);
}

TEST_F(FakeRealtime, UpgradeWithoutKeyIsRefusedWith401AndAnOpenAIErrorBody)
{
    start();
    client c(fake_->port());
    EXPECT_EQ(c.connect("/v1/realtime?model=gpt-realtime", {}), websocket::error::upgrade_declined);
    EXPECT_EQ(c.response.result(), http::status::unauthorized);
    EXPECT_EQ(c.response[http::field::content_type], "application/json");
    const auto body = body_of(c);
    ASSERT_TRUE(body.is_object()) << c.response.body();
    EXPECT_EQ(body["error"]["type"], "invalid_request_error");
    EXPECT_NE(body["error"]["message"].get<std::string>().find("didn't provide an API key"),
              std::string::npos);
    EXPECT_TRUE(body["error"].contains("code"));
    EXPECT_TRUE(body["error"].contains("param"));
    EXPECT_EQ(fake_->upgrade_attempts(), 1);
    EXPECT_TRUE(fake_->connections().empty());
}

TEST_F(FakeRealtime, UpgradeWithAWrongKeyIsRefusedAsInvalidApiKeyWithTheKeyMasked)
{
    const std::string wrong_key =
        std::string("sk-") + "wrong-key-0123456789"; // made here, not a literal key
    start();
    client c(fake_->port());
    EXPECT_EQ(c.connect("/v1/realtime?model=gpt-realtime", ga_headers(wrong_key)),
              websocket::error::upgrade_declined);
    EXPECT_EQ(c.response.result(), http::status::unauthorized);
    const auto body = body_of(c);
    EXPECT_EQ(body["error"]["code"], "invalid_api_key");
    EXPECT_EQ(c.response.body().find(wrong_key), std::string::npos);
}

TEST_F(FakeRealtime, RejectUnauthorizedRefusesEvenTheRightKey)
{
    start({.fault = realtime_fault::reject_unauthorized});
    client c(fake_->port());
    EXPECT_EQ(c.connect("/v1/realtime?model=gpt-realtime", ga_headers()),
              websocket::error::upgrade_declined);
    EXPECT_EQ(c.response.result(), http::status::unauthorized);
    EXPECT_EQ(body_of(c)["error"]["code"], "invalid_api_key");
}

TEST_F(FakeRealtime, RefuseFirstNRefusesExactlyNThenAccepts)
{
    start({.fault = realtime_fault::refuse_first_n, .refuse_count = 2});
    for (int i = 0; i < 2; ++i) {
        client refused(fake_->port());
        EXPECT_EQ(refused.connect("/v1/realtime?model=gpt-realtime", ga_headers()),
                  websocket::error::upgrade_declined);
        EXPECT_EQ(refused.response.result(), http::status::service_unavailable);
        EXPECT_EQ(body_of(refused)["error"]["type"], "server_error");
    }
    auto third = open();
    auto fourth = open();
    EXPECT_EQ(fake_->upgrade_attempts(), 4);
    EXPECT_EQ(fake_->connections().size(), 2U);
}

TEST_F(FakeRealtime, SetFaultRefuseFirstNTakesItsCount)
{
    start();
    fake_->set_fault(realtime_fault::refuse_first_n, 1);
    client refused(fake_->port());
    EXPECT_EQ(refused.connect("/v1/realtime?model=gpt-realtime", ga_headers()),
              websocket::error::upgrade_declined);
    auto accepted = open();
    EXPECT_EQ(fake_->upgrade_attempts(), 2);
}

TEST_F(FakeRealtime, WrongPathIsRefusedWith404InvalidUrl)
{
    start();
    client c(fake_->port());
    EXPECT_EQ(c.connect("/v1/realtimes?model=gpt-realtime", ga_headers()),
              websocket::error::upgrade_declined);
    EXPECT_EQ(c.response.result(), http::status::not_found);
    EXPECT_EQ(body_of(c)["error"]["message"], "Invalid URL (GET /v1/realtimes)");
}

TEST_F(FakeRealtime, MissingModelIsRefusedWith400NamingTheParameter)
{
    start();
    client c(fake_->port());
    EXPECT_EQ(c.connect("/v1/realtime", ga_headers()), websocket::error::upgrade_declined);
    EXPECT_EQ(c.response.result(), http::status::bad_request);
    EXPECT_EQ(body_of(c)["error"]["param"], "model");
}

TEST_F(FakeRealtime, StallHandshakeNeverAnswersTheUpgrade)
{
    start({.fault = realtime_fault::stall_handshake});
    client c(fake_->port());
    // A short wait is enough here: a late answer would make this pass wrongly, never fail.
    EXPECT_EQ(c.connect("/v1/realtime?model=gpt-realtime", ga_headers(), 300ms),
              net::error::timed_out);
    EXPECT_TRUE(fake_->wait_until([&](const auto&) { return fake_->upgrade_attempts() == 1; }));
    EXPECT_TRUE(fake_->connections().empty());
}

// ---------------------------------------------------------------- input audio

TEST_F(FakeRealtime, InputAudioIsRecordedExactly)
{
    start();
    auto c = open();
    const auto samples = ramp(7201);
    const auto bytes = pcm16_to_bytes(samples);
    // An odd split puts one sample across two appends.
    const std::size_t split = 4801;
    c->send(json{{"type", "input_audio_buffer.append"},
                 {"audio", base64_of(std::span(bytes).first(split))}});
    c->send(json{{"type", "input_audio_buffer.append"},
                 {"audio", base64_of(std::span(bytes).subspan(split))}});
    c->send(json{{"type", "input_audio_buffer.commit"}});
    const auto committed = c->read();
    ASSERT_TRUE(committed);
    EXPECT_EQ((*committed)["type"], "input_audio_buffer.committed");
    EXPECT_EQ(c->read_until("conversation.item.added")["item"]["role"], "user");

    ASSERT_TRUE(fake_->wait_until([&](const auto& conns) {
        return conns.size() == 1 && conns[0].input_audio_bytes == bytes.size();
    }));
    const auto recorded = fake_->connections()[0];
    EXPECT_EQ(recorded.input_audio, samples);
    EXPECT_EQ(recorded.client_events.size(), 3U);
    EXPECT_EQ(recorded.target, "/v1/realtime?model=gpt-realtime");
    EXPECT_EQ(recorded.authorization, "Bearer sk-fake-test-key");
}

TEST_F(FakeRealtime, AG711SessionRecordsItsInputAsSentAndSpeaksG711)
{
    start({.response_audio = ramp(24000)}); // one second at 24 kHz
    auto c = open();
    const json pcmu = {{"type", "audio/pcmu"}};
    const auto updated = session_update_answer(
        *c, {{"type", "realtime"},
             {"audio", {{"input", {{"format", pcmu}}}, {"output", {{"format", pcmu}}}}}});
    EXPECT_EQ(updated["type"], "session.updated");
    // The format is replaced, not merged: no rate is left over from audio/pcm's.
    EXPECT_EQ(updated["session"]["audio"]["output"]["format"], pcmu);
    std::vector<std::uint8_t> bytes(800); // 100 ms of G.711: enough to commit
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(i * 13);
    c->send(json{{"type", "input_audio_buffer.append"}, {"audio", base64_of(bytes)}});
    c->send(json{{"type", "input_audio_buffer.commit"}});
    EXPECT_EQ(c->read_until("input_audio_buffer.committed")["type"],
              "input_audio_buffer.committed");
    c->send(json{{"type", "response.create"}});
    const auto seen =
        collect(*c, "response.output_audio.delta", "response.output_audio_transcript.delta");
    ASSERT_TRUE(seen.ended_cleanly);
    EXPECT_EQ(seen.audio.size(), 8000u); // one second of 8 kHz G.711
    EXPECT_EQ(seen.events.back()["response"]["audio"]["output"]["format"], pcmu);
    const auto recorded = fake_->connections()[0];
    EXPECT_EQ(recorded.input_format, "audio/pcmu");
    EXPECT_EQ(recorded.input_bytes, bytes);
    EXPECT_EQ(recorded.input_audio.size(), 800u); // decoded, a sample a byte
    EXPECT_EQ(recorded.output_audio, seen.audio);
}

TEST_F(FakeRealtime, AnAudioFormatTheApiDoesNotTakeIsAnInvalidValueError)
{
    start();
    auto c = open();
    const auto error = session_update_answer(
        *c, {{"type", "realtime"}, {"audio", {{"input", {{"format", {{"type", "audio/opus"}}}}}}}});
    EXPECT_EQ(error["type"], "error");
    EXPECT_EQ(error["error"]["code"], "invalid_value");
    EXPECT_EQ(error["error"]["param"], "session.audio.input.format.type");
    const auto rate = session_update_answer(
        *c, {{"type", "realtime"},
             {"audio", {{"output", {{"format", {{"type", "audio/pcm"}, {"rate", 16000}}}}}}}});
    EXPECT_EQ(rate["error"]["param"], "session.audio.output.format.rate");
}

TEST_F(FakeRealtime, CommitOfLessThan100MsIsAnErrorAsInTheApi)
{
    start();
    auto c = open();
    const auto bytes = pcm16_to_bytes(ramp(2399)); // 99.96 ms
    c->send(json{{"type", "input_audio_buffer.append"}, {"audio", base64_of(bytes)}});
    c->send(json{{"type", "input_audio_buffer.commit"}, {"event_id", "evt_commit"}});
    const auto error = c->read();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["type"], "error");
    EXPECT_EQ((*error)["error"]["code"], "input_audio_buffer_commit_empty");
    EXPECT_EQ((*error)["error"]["event_id"], "evt_commit");
}

TEST_F(FakeRealtime, BadBase64GetsAnErrorEventNamingTheClientEvent)
{
    start();
    auto c = open();
    c->send(json{
        {"type", "input_audio_buffer.append"}, {"event_id", "evt_7"}, {"audio", "not base64!"}});
    const auto error = c->read();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["type"], "error");
    EXPECT_EQ((*error)["error"]["type"], "invalid_request_error");
    EXPECT_EQ((*error)["error"]["code"], "invalid_value");
    EXPECT_EQ((*error)["error"]["param"], "audio");
    EXPECT_EQ((*error)["error"]["event_id"], "evt_7");
    EXPECT_EQ(fake_->connections()[0].input_audio_bytes, 0U);
}

// ---------------------------------------------------------------- faults and errors

TEST_F(FakeRealtime, CloseMidResponseDropsTheConnectionAfterTheConfiguredDeltas)
{
    start({.fault = realtime_fault::close_mid_response, .close_after_deltas = 3});
    auto c = open();
    c->send(json{{"type", "response.create"}});
    const auto seen =
        collect(*c, "response.output_audio.delta", "response.output_audio_transcript.delta");
    EXPECT_FALSE(seen.ended_cleanly);
    EXPECT_EQ(seen.audio_deltas, 3);
    // A TCP drop, not a close frame (which would read as websocket::error::closed).
    EXPECT_TRUE(c->last_error);
    EXPECT_NE(c->last_error, websocket::error::closed);
    EXPECT_NE(c->last_error, net::error::timed_out);
    EXPECT_TRUE(
        fake_->wait_until([](const auto& conns) { return !conns.empty() && conns[0].closed; }));
}

TEST_F(FakeRealtime, SetFaultCloseMidResponseAppliesToTheNextResponse)
{
    start();
    auto c = open();
    fake_->set_fault(realtime_fault::close_mid_response, 1);
    c->send(json{{"type", "response.create"}});
    const auto seen =
        collect(*c, "response.output_audio.delta", "response.output_audio_transcript.delta");
    EXPECT_FALSE(seen.ended_cleanly);
    EXPECT_EQ(seen.audio_deltas, 1);
}

TEST_F(FakeRealtime, ErrorOnResponseAnswersWithAServerErrorEvent)
{
    start({.fault = realtime_fault::error_on_response});
    auto c = open();
    c->send(json{{"type", "response.create"}, {"event_id", "evt_42"}});
    const auto error = c->read();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["type"], "error");
    EXPECT_EQ((*error)["error"]["type"], "server_error");
    EXPECT_EQ((*error)["error"]["event_id"], "evt_42");
    // No response was started, and the session goes on.
    c->send(json{{"type", "session.update"}, {"session", {{"type", "realtime"}}}});
    const auto next = c->read();
    ASSERT_TRUE(next);
    EXPECT_EQ((*next)["type"], "session.updated");
}

TEST_F(FakeRealtime, MalformedJsonGetsAnErrorEventAndTheSessionStaysOpen)
{
    start();
    auto c = open();
    c->send(std::string(R"({"type": "session.update",)"));
    const auto error = c->read();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["type"], "error");
    EXPECT_TRUE((*error)["event_id"].get<std::string>().starts_with("event_"));
    EXPECT_EQ((*error)["error"]["type"], "invalid_request_error");
    EXPECT_TRUE((*error)["error"]["event_id"].is_null());
    EXPECT_TRUE((*error)["error"]["param"].is_null());

    c->send(json{{"type", "session.update"},
                 {"session", {{"type", "realtime"}, {"instructions", "Still here."}}}});
    const auto updated = c->read();
    ASSERT_TRUE(updated);
    EXPECT_EQ((*updated)["type"], "session.updated");
    EXPECT_EQ((*updated)["session"]["instructions"], "Still here.");
    EXPECT_FALSE(fake_->connections()[0].closed);
}

TEST_F(FakeRealtime, UnknownEventTypeIsAnInvalidValueError)
{
    start();
    auto c = open();
    c->send(json{{"type", "response.explode"}});
    const auto error = c->read();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["error"]["code"], "invalid_value");
    EXPECT_EQ((*error)["error"]["param"], "type");
}

// ---------------------------------------------------------------- conversation items

TEST_F(FakeRealtime, TruncateAnswersWithTheAudioEndMsAndRefusesPastTheEnd)
{
    start(); // 1.0 s of response audio
    auto c = open();
    c->send(json{{"type", "response.create"}});
    const auto seen =
        collect(*c, "response.output_audio.delta", "response.output_audio_transcript.delta");
    ASSERT_TRUE(seen.ended_cleanly);
    const auto item_id = seen.events[1]["item"]["id"].get<std::string>();

    c->send(json{{"type", "conversation.item.truncate"},
                 {"item_id", item_id},
                 {"content_index", 0},
                 {"audio_end_ms", 250}});
    const auto truncated = c->read();
    ASSERT_TRUE(truncated);
    EXPECT_EQ((*truncated)["type"], "conversation.item.truncated");
    EXPECT_EQ((*truncated)["item_id"], item_id);
    EXPECT_EQ((*truncated)["content_index"], 0);
    EXPECT_EQ((*truncated)["audio_end_ms"], 250);

    c->send(json{{"type", "conversation.item.truncate"},
                 {"item_id", item_id},
                 {"content_index", 0},
                 {"audio_end_ms", 5000}});
    const auto error = c->read();
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["type"], "error");
    EXPECT_EQ((*error)["error"]["param"], "audio_end_ms");
}

TEST_F(FakeRealtime, ItemCreateIsAnsweredAddedThenDoneInGaAndCreatedInBeta)
{
    start();
    const json create = {{"type", "conversation.item.create"},
                         {"item",
                          {{"type", "message"},
                           {"role", "user"},
                           {"content", {{{"type", "input_text"}, {"text", "hello"}}}}}}};
    auto ga = open();
    ga->send(create);
    const auto added = ga->read();
    const auto done = ga->read();
    ASSERT_TRUE(added && done);
    EXPECT_EQ((*added)["type"], "conversation.item.added");
    EXPECT_EQ((*done)["type"], "conversation.item.done");
    EXPECT_EQ((*added)["item"]["content"][0]["text"], "hello");
    EXPECT_EQ((*added)["item"]["object"], "realtime.item");

    auto beta = open(beta_headers());
    beta->send(create);
    const auto created = beta->read();
    ASSERT_TRUE(created);
    EXPECT_EQ((*created)["type"], "conversation.item.created");
}

// ---------------------------------------------------------------- pushes and closes

TEST_F(FakeRealtime, SendToAllPushesTheEventAsIs)
{
    start();
    auto a = open();
    auto b = open();
    const std::string event =
        R"({"type":"rate_limits.updated","event_id":"event_x","rate_limits":[]})";
    fake_->send_to_all(event);
    for (auto* c : {a.get(), b.get()}) {
        const auto got = c->read();
        ASSERT_TRUE(got);
        EXPECT_EQ(*got, json::parse(event));
    }
}

TEST_F(FakeRealtime, CloseAllEndsEverySessionWithANormalCloseFrame)
{
    start();
    auto c = open();
    fake_->close_all();
    EXPECT_FALSE(c->read());
    EXPECT_EQ(c->last_error, websocket::error::closed);
    EXPECT_EQ(c->close_reason().code, websocket::close_code::normal);
    EXPECT_TRUE(
        fake_->wait_until([](const auto& conns) { return !conns.empty() && conns[0].closed; }));
}

TEST_F(FakeRealtime, ClientCloseIsRecorded)
{
    start();
    {
        auto c = open();
    } // the client's socket closes without a close frame
    EXPECT_TRUE(
        fake_->wait_until([](const auto& conns) { return !conns.empty() && conns[0].closed; }));
}

TEST_F(FakeRealtime, DestructorStopsWithConnectionsStillOpen)
{
    start();
    // One connection that never sends its upgrade request, one open session.
    net::io_context ioc;
    tcp::socket silent(ioc);
    silent.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), fake_->port()));
    auto open_session = open();
    fake_.reset(); // must return: every connection is closed and the thread joined
    EXPECT_FALSE(open_session->read());
    EXPECT_NE(open_session->last_error, net::error::timed_out);
}

} // namespace
} // namespace donna::fakes
