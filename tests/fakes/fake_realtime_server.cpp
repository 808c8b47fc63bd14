// fake_realtime_server.cpp: the fake's listener and its sessions. A session reads the HTTP
// upgrade, refuses it as OpenAI would or accepts it, then answers client events with the
// Realtime API's server events. Everything runs on the fake's one I/O thread; what tests read
// (the recorded connections, the counters) sits behind one mutex.
//
// Sections: [ids and errors] [session: upgrade] [session: events] [session: writes]
// [fake_realtime_server]
#include "fake_realtime_server.hpp"

#include "loopback_server.hpp"
#include "openai_error.hpp"

#include "audio/base64.hpp"
#include "audio/pcm16.hpp"
#include "net/websocket_channel.hpp"
#include "protocol/realtime_server_events.hpp"

extern "C" {
#include <spandsp/telephony.h>
// g711.h's inline coders use top_bit() without including where it lives.
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
}

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <initializer_list>
#include <map>
#include <mutex>
#include <numbers>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <utility>

namespace donna::fakes {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
// Insertion order keeps "type" and "event_id" first, as the API writes them.
using json = nlohmann::ordered_json;

// The session's audio formats (GA RealtimeAudioFormats; beta's names in brackets):
// audio/pcm (pcm16), PCM16 mono at 24 kHz, the API's only PCM rate; audio/pcmu (g711_ulaw)
// and audio/pcma (g711_alaw), G.711 at 8 kHz, a byte a sample.
enum class wire_audio_format { pcm, pcmu, pcma };

std::size_t bytes_per_ms(wire_audio_format format)
{
    return format == wire_audio_format::pcm ? 48 : 8;
}

std::optional<wire_audio_format> audio_format_named(std::string_view name)
{
    if (name == "audio/pcm" || name == "pcm16")
        return wire_audio_format::pcm;
    if (name == "audio/pcmu" || name == "g711_ulaw")
        return wire_audio_format::pcmu;
    if (name == "audio/pcma" || name == "g711_alaw")
        return wire_audio_format::pcma;
    return std::nullopt;
}

std::string_view ga_name(wire_audio_format format)
{
    switch (format) {
    case wire_audio_format::pcmu:
        return "audio/pcmu";
    case wire_audio_format::pcma:
        return "audio/pcma";
    case wire_audio_format::pcm:
        break;
    }
    return "audio/pcm";
}

// G.711 by spandsp's coders: what the API's G.711 is, written by someone else.
std::vector<std::int16_t> g711_decode(wire_audio_format format, std::span<const std::uint8_t> bytes)
{
    std::vector<std::int16_t> samples;
    samples.reserve(bytes.size());
    for (const auto b : bytes)
        samples.push_back(format == wire_audio_format::pcmu ? ulaw_to_linear(b)
                                                            : alaw_to_linear(b));
    return samples;
}

// 24 kHz PCM16 as the API would speak it in G.711: down to 8 kHz (each three samples'
// mean, a crude low-pass that is plenty for a fake), then encoded.
std::vector<std::uint8_t> g711_from_pcm24k(wire_audio_format format,
                                           std::span<const std::int16_t> pcm24k)
{
    std::vector<std::uint8_t> out;
    out.reserve(pcm24k.size() / 3);
    for (std::size_t i = 0; i + 3 <= pcm24k.size(); i += 3) {
        const int mean = (int{pcm24k[i]} + pcm24k[i + 1] + pcm24k[i + 2]) / 3;
        const auto sample = static_cast<std::int16_t>(mean);
        out.push_back(format == wire_audio_format::pcmu ? linear_to_ulaw(sample)
                                                        : linear_to_alaw(sample));
    }
    return out;
}

// input_audio_buffer.commit refuses less than 100 ms (input_audio_buffer_commit_empty).
constexpr std::size_t min_commit_ms = 100;
constexpr std::size_t request_body_limit = std::size_t{64} * 1024;
constexpr std::string_view server_name = "donna-fake-openai";

class session;

// ---------------------------------------------------------------- [ids and errors]

// What the sessions and the public API share. The mutex guards the block under it; the rest
// is touched on the I/O thread only.
struct shared_state {
    explicit shared_state(fake_realtime_options o)
        : options(std::move(o)),
          fault(options.fault),
          refuse_left(options.refuse_count),
          close_after_deltas(options.close_after_deltas)
    {}

    fake_realtime_options options; // read-only once constructed

    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    realtime_fault fault;
    int refuse_left;
    int close_after_deltas;
    int attempts = 0;
    std::uint64_t version = 0; // bumped on every change to `connections`
    std::deque<std::vector<fake_function_call>> scripted_calls; // one entry per response
    bool hold_next = false;
    std::vector<recorded_connection> connections;

    // I/O thread only.
    std::vector<std::weak_ptr<session>> sessions;
    std::mt19937_64 random{std::random_device{}()};
    std::uint64_t serial = 0;

    // OpenAI-looking ids ("event_" + 22 base62 characters). The serial part makes them
    // unique within this server; the random part keeps clients from relying on an order.
    std::string make_id(std::string_view prefix)
    {
        static constexpr std::string_view digits =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        std::string id(prefix);
        std::uint64_t n = ++serial;
        for (int i = 0; i < 8; ++i) {
            id += digits[n % digits.size()];
            n /= digits.size();
        }
        std::uniform_int_distribution<std::size_t> pick(0, digits.size() - 1);
        for (int i = 0; i < 14; ++i)
            id += digits[pick(random)];
        return id;
    }

    template <class F>
    void update(std::size_t index, F&& change)
    {
        {
            const std::lock_guard lock(mutex);
            std::forward<F>(change)(connections[index]);
            ++version;
        }
        changed.notify_all();
    }
};

using outcome = std::optional<api_error>;

outcome read_string(const json& object, const std::string& key, std::string& out,
                    const std::string& path = "")
{
    const auto it = object.find(key);
    const auto param = path.empty() ? key : path + "." + key;
    if (it == object.end())
        return missing(param);
    if (!it->is_string())
        return wrong_type(param, "a string", *it);
    out = it->get<std::string>();
    return std::nullopt;
}

// The reasoning Realtime models (gpt-realtime-2, -2.1, -2.1-mini...; not the dated
// "gpt-realtime-2025-08-28", which is gpt-realtime): only they take session.reasoning and
// session.parallel_tool_calls (openai-python types/realtime/realtime_session_create_request.py:
// "Only supported by reasoning Realtime models such as gpt-realtime-2").
bool reasoning_realtime_model(std::string_view model)
{
    constexpr std::string_view family = "gpt-realtime-2";
    if (!model.starts_with(family))
        return false;
    const auto rest = model.substr(family.size());
    return rest.empty() || rest.front() == '.' || rest.front() == '-';
}

// session.reasoning and session.parallel_tool_calls of a GA session.update.
outcome check_reasoning_fields(const json& session, std::string_view model)
{
    for (const char* field : {"reasoning", "parallel_tool_calls"}) {
        const auto it = session.find(field);
        if (it == session.end())
            continue;
        const std::string param = std::string("session.") + field;
        if (!reasoning_realtime_model(model))
            return api_error{.code = "unsupported_parameter",
                             .message = "Unsupported parameter: '" + param +
                                        "' is not supported "
                                        "with this model.",
                             .param = param};
        if (std::string_view(field) == "parallel_tool_calls") {
            if (!it->is_boolean())
                return wrong_type(param, "a boolean", *it);
            continue;
        }
        if (it->is_null())
            continue;
        if (!it->is_object())
            return wrong_type(param, "an object", *it);
        const auto effort = it->find("effort");
        if (effort == it->end() || effort->is_null())
            continue;
        constexpr std::array<std::string_view, 5> efforts = {"minimal", "low", "medium", "high",
                                                             "xhigh"};
        if (!effort->is_string() ||
            std::find(efforts.begin(), efforts.end(), effort->get<std::string>()) == efforts.end())
            return invalid_value(param + ".effort",
                                 "Invalid value for 'session.reasoning.effort': expected one of "
                                 "'minimal', 'low', 'medium', 'high' or 'xhigh'.");
    }
    return std::nullopt;
}

outcome read_non_negative(const json& object, const std::string& key, std::int64_t& out)
{
    const auto it = object.find(key);
    if (it == object.end())
        return missing(key);
    if (!it->is_number_integer())
        return wrong_type(key, "an integer", *it);
    out = it->get<std::int64_t>();
    if (out < 0)
        return api_error{.code = "integer_below_min_value",
                         .message = "Invalid '" + key +
                                    "': integer below minimum value. Expected a value >= 0, "
                                    "but got " +
                                    std::to_string(out) + " instead.",
                         .param = key};
    return std::nullopt;
}

const json* find_path(const json& object, std::initializer_list<const char*> keys)
{
    const json* at = &object;
    for (const char* key : keys) {
        if (!at->is_object())
            return nullptr;
        const auto it = at->find(key);
        if (it == at->end())
            return nullptr;
        at = &*it;
    }
    return at;
}

// session.update semantics: only the fields present change; objects merge field by field and
// anything else (null included: it turns turn_detection off) replaces.
void merge_into(json& target, const json& patch)
{
    for (const auto& [key, value] : patch.items()) {
        auto it = target.find(key);
        // An audio format is one of several shapes ({type, rate} or {type}): it is replaced.
        if (it != target.end() && it->is_object() && value.is_object() && key != "format")
            merge_into(*it, value);
        else
            target[key] = value;
    }
}

bool contains_token(std::string_view list, std::string_view token)
{
    while (!list.empty()) {
        const auto comma = list.find(',');
        auto item = list.substr(0, comma);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ')
            item.remove_suffix(1);
        if (item == token)
            return true;
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::vector<std::int16_t> default_tone()
{
    std::vector<std::int16_t> tone(24000);
    for (std::size_t n = 0; n < tone.size(); ++n) {
        const double phase = 2.0 * std::numbers::pi * 440.0 * static_cast<double>(n) / 24000.0;
        tone[n] = static_cast<std::int16_t>(std::lround(8000.0 * std::sin(phase)));
    }
    return tone;
}

// ---------------------------------------------------------------- [session: upgrade]

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket socket, shared_state& state) : stream_(std::move(socket)), state_(state) {}

    void run()
    {
        parser_.emplace();
        parser_->body_limit(request_body_limit);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_request(ec);
                         });
    }

    // Queues a text frame, if the session is open and not closing.
    void push_text(std::string text)
    {
        if (open_)
            enqueue({action::text, std::move(text)});
    }

    void close_normal()
    {
        if (open_)
            enqueue({action::close, {}});
    }

    // Cuts the TCP connection; every pending operation completes with an error.
    void shutdown()
    {
        beast::error_code ignored;
        (ws_ ? ws_->tcp() : stream_).socket().close(ignored);
    }

private:
    enum class action { text, close, drop };
    struct outgoing {
        action what;
        std::string text;
    };

    bool beta() const { return beta_; }

    void on_request(beast::error_code ec)
    {
        if (ec)
            return; // the peer went away before asking anything
        request_ = parser_->release();
        parser_.reset();

        const auto parsed = boost::urls::parse_origin_form(request_.target());
        const std::string path = parsed ? std::string(parsed->path()) : "";
        if (!websocket::is_upgrade(request_)) {
            if (path != "/v1/realtime")
                return reject(http::status::not_found, invalid_url(path));
            return reject(http::status::bad_request,
                          {.message = "This endpoint only accepts WebSocket connections."});
        }

        realtime_fault fault = realtime_fault::none;
        bool refuse = false;
        {
            const std::lock_guard lock(state_.mutex);
            ++state_.attempts;
            fault = state_.fault;
            if (fault == realtime_fault::refuse_first_n && state_.refuse_left > 0) {
                --state_.refuse_left;
                refuse = true;
            }
        }
        state_.changed.notify_all();

        if (fault == realtime_fault::stall_handshake)
            return stall();
        if (refuse)
            return reject(
                http::status::service_unavailable,
                {.type = "server_error", .message = "The server is overloaded or not ready yet."});
        if (path != "/v1/realtime")
            return reject(http::status::not_found, invalid_url(path));
        if (auto refused = check_key(fault))
            return reject(http::status::unauthorized, *refused);
        const auto model = parsed->params().find("model");
        if (model == parsed->params().end() || !(*model).has_value || (*model).value.empty())
            return reject(http::status::bad_request, missing("model"));
        accept((*model).value);
    }

    static api_error invalid_url(const std::string& path)
    {
        return {.message = "Invalid URL (GET " + path + ")"};
    }

    outcome check_key(realtime_fault fault) const
    {
        const std::string& key = state_.options.api_key;
        const std::string_view authorization = request_[http::field::authorization];
        const std::string_view protocols = request_[http::field::sec_websocket_protocol];
        std::string given;
        if (authorization.starts_with("Bearer "))
            given = std::string(authorization.substr(7));
        else if (contains_token(protocols, "openai-insecure-api-key." + key))
            given = key; // the browser's way: the key rides in a subprotocol
        if (given.empty())
            return no_api_key();
        if (given != key || fault == realtime_fault::reject_unauthorized)
            return incorrect_api_key(given);
        return std::nullopt;
    }

    void reject(http::status status, const api_error& error)
    {
        auto res = std::make_shared<http::response<http::string_body>>(status, request_.version());
        res->set(http::field::server, server_name);
        res->set(http::field::content_type, "application/json");
        res->set("x-request-id", state_.make_id("req_"));
        res->keep_alive(false);
        res->body() = error_body(error).dump();
        res->prepare_payload();
        http::async_write(stream_, *res,
                          [self = shared_from_this(), res](beast::error_code, std::size_t) {
                              beast::error_code ignored;
                              self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          });
    }

    // Holds the connection without ever answering, until the client gives up.
    void stall()
    {
        stream_.async_read_some(net::buffer(stall_buffer_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (!ec)
                                        self->stall();
                                });
    }

    void accept(std::string model)
    {
        model_ = std::move(model);
        const std::string_view protocols = request_[http::field::sec_websocket_protocol];
        const std::string_view beta_header = request_["OpenAI-Beta"];
        beta_ = beta_header.find("realtime=v1") != std::string_view::npos ||
                contains_token(protocols, "openai-beta.realtime-v1");
        const bool offered_realtime = contains_token(protocols, "realtime");
        ws_ = donna::relay::make_websocket_channel(std::move(stream_));
        ws_->set_option(
            websocket::stream_base::decorator([offered_realtime](websocket::response_type& res) {
                res.set(http::field::server, server_name);
                if (offered_realtime)
                    res.set(http::field::sec_websocket_protocol, "realtime");
            }));
        ws_->async_accept(
            request_, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    }

    void on_accept(beast::error_code ec)
    {
        if (ec)
            return;
        recorded_connection record;
        record.target = std::string(request_.target());
        record.authorization = std::string(request_[http::field::authorization]);
        record.openai_beta = std::string(request_["OpenAI-Beta"]);
        {
            const std::lock_guard lock(state_.mutex);
            record_ = state_.connections.size();
            state_.connections.push_back(std::move(record));
            ++state_.version;
        }
        state_.changed.notify_all();
        open_ = true;
        conversation_id_ = state_.make_id("conv_");
        session_ = initial_session();
        auto created = event("session.created");
        created["session"] = session_;
        push(created);
        do_read();
    }

    json initial_session()
    {
        const auto expires_at = static_cast<std::int64_t>(std::time(nullptr)) + 3600;
        const std::string instructions =
            "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI.";
        if (beta())
            return {{"id", state_.make_id("sess_")},
                    {"object", "realtime.session"},
                    {"expires_at", expires_at},
                    {"model", model_},
                    {"modalities", {"audio", "text"}},
                    {"instructions", instructions},
                    {"voice", "alloy"},
                    {"input_audio_format", "pcm16"},
                    {"output_audio_format", "pcm16"},
                    {"input_audio_transcription", nullptr},
                    {"input_audio_noise_reduction", nullptr},
                    {"turn_detection",
                     {{"type", "server_vad"},
                      {"threshold", 0.5},
                      {"prefix_padding_ms", 300},
                      {"silence_duration_ms", 200},
                      {"create_response", true},
                      {"interrupt_response", true}}},
                    {"tools", json::array()},
                    {"tool_choice", "auto"},
                    {"temperature", 0.8},
                    {"max_response_output_tokens", "inf"},
                    {"speed", 1.0},
                    {"tracing", nullptr}};
        const json pcm = {{"type", "audio/pcm"}, {"rate", 24000}};
        json created = {{"type", "realtime"},
                        {"object", "realtime.session"},
                        {"id", state_.make_id("sess_")},
                        {"model", model_},
                        {"output_modalities", {"audio"}},
                        {"instructions", instructions},
                        {"tools", json::array()},
                        {"tool_choice", "auto"},
                        {"max_output_tokens", "inf"},
                        {"tracing", nullptr},
                        {"truncation", "auto"},
                        {"prompt", nullptr},
                        {"expires_at", expires_at},
                        {"audio",
                         {{"input",
                           {{"format", pcm},
                            {"transcription", nullptr},
                            {"noise_reduction", nullptr},
                            {"turn_detection",
                             {{"type", "server_vad"},
                              {"threshold", 0.5},
                              {"prefix_padding_ms", 300},
                              {"silence_duration_ms", 200},
                              {"idle_timeout_ms", nullptr},
                              {"create_response", true},
                              {"interrupt_response", true}}}}},
                          {"output", {{"format", pcm}, {"voice", "marin"}, {"speed", 1.0}}}}},
                        {"include", nullptr}};
        if (reasoning_realtime_model(model_))
            created["reasoning"] = {{"effort", "low"}}; // the OpenAPI spec's default
        return created;
    }

    // The session's audio formats as its updates left them.
    wire_audio_format input_format() const
    {
        const json* type = beta() ? find_path(session_, {"input_audio_format"})
                                  : find_path(session_, {"audio", "input", "format", "type"});
        const auto named = type != nullptr && type->is_string()
                               ? audio_format_named(type->get<std::string>())
                               : std::nullopt;
        return named.value_or(wire_audio_format::pcm);
    }

    wire_audio_format output_format() const
    {
        const json* type = beta() ? find_path(session_, {"output_audio_format"})
                                  : find_path(session_, {"audio", "output", "format", "type"});
        const auto named = type != nullptr && type->is_string()
                               ? audio_format_named(type->get<std::string>())
                               : std::nullopt;
        return named.value_or(wire_audio_format::pcm);
    }

    json output_format_object() const
    {
        const auto format = output_format();
        if (format == wire_audio_format::pcm)
            return {{"type", "audio/pcm"}, {"rate", 24000}};
        return {{"type", ga_name(format)}};
    }

    std::string beta_output_format() const
    {
        switch (output_format()) {
        case wire_audio_format::pcmu:
            return "g711_ulaw";
        case wire_audio_format::pcma:
            return "g711_alaw";
        case wire_audio_format::pcm:
            break;
        }
        return "pcm16";
    }

    // A session.update's audio formats, as the API checks them: GA's are objects whose type
    // is audio/pcm (at rate 24000), audio/pcmu or audio/pcma; beta's are the names pcm16,
    // g711_ulaw and g711_alaw.
    outcome check_audio_formats(const json& update) const
    {
        if (beta()) {
            for (const char* field : {"input_audio_format", "output_audio_format"}) {
                const auto it = update.find(field);
                if (it == update.end())
                    continue;
                const std::string param = std::string("session.") + field;
                if (!it->is_string())
                    return wrong_type(param, "a string", *it);
                if (!audio_format_named(it->get<std::string>()) ||
                    it->get<std::string>().starts_with("audio/"))
                    return invalid_value(param, "Invalid value: '" + it->get<std::string>() +
                                                    "'. Supported values are: 'pcm16', "
                                                    "'g711_ulaw', and 'g711_alaw'.");
            }
            return std::nullopt;
        }
        for (const char* way : {"input", "output"}) {
            const json* format = find_path(update, {"audio", way, "format"});
            if (format == nullptr)
                continue;
            const std::string param = std::string("session.audio.") + way + ".format";
            if (!format->is_object())
                return wrong_type(param, "an object", *format);
            const auto type = format->find("type");
            if (type == format->end())
                return missing(param + ".type");
            const auto named =
                type->is_string() ? audio_format_named(type->get<std::string>()) : std::nullopt;
            if (!named || !type->get<std::string>().starts_with("audio/"))
                return invalid_value(param + ".type",
                                     "Invalid value: " + type->dump() +
                                         ". Supported values are: 'audio/pcm', 'audio/pcmu', "
                                         "and 'audio/pcma'.");
            const auto rate = format->find("rate");
            if (*named == wire_audio_format::pcm && rate != format->end() &&
                (!rate->is_number_integer() || rate->get<int>() != 24000))
                return invalid_value(param + ".rate", "Invalid value: " + rate->dump() +
                                                          ". Supported values are: 24000.");
        }
        return std::nullopt;
    }

    // ------------------------------------------------------------ [session: events]

    void do_read()
    {
        ws_->async_read(
            read_buffer_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec)
    {
        if (ec) {
            open_ = false;
            state_.update(record_, [](recorded_connection& c) { c.closed = true; });
            return;
        }
        const bool text = !ws_->got_binary();
        std::string frame = beast::buffers_to_string(read_buffer_.data());
        read_buffer_.consume(read_buffer_.size());
        if (text) {
            // A handler bug must not take the I/O thread down: report it as the API would.
            try {
                handle(frame);
            } catch (const std::exception& e) {
                send_error({.type = "server_error",
                            .message = std::string("fake_realtime_server: ") + e.what()},
                           std::nullopt);
            }
        } else {
            send_error({.code = "invalid_value",
                        .message = "Binary frames are not supported: send JSON events as text."},
                       std::nullopt);
        }
        do_read();
    }

    json event(std::string_view type)
    {
        return {{"type", type}, {"event_id", state_.make_id("event_")}};
    }

    void push(const json& e)
    {
        // replace: a client's invalid UTF-8 echoed back must not throw.
        auto text = e.dump(-1, ' ', false, json::error_handler_t::replace);
        if (holding_)
            held_.push_back(std::move(text));
        else
            push_text(std::move(text));
    }

public:
    // Sends what a held response kept back (hold_next_response), in order.
    void release_held()
    {
        holding_ = false;
        auto held = std::move(held_);
        held_.clear();
        for (auto& text : held)
            push_text(std::move(text));
    }

private:
    void send_error(const api_error& error, const std::optional<std::string>& client_event_id)
    {
        auto e = event("error");
        e["error"] = {{"type", error.type},
                      {"code", optional_string(error.code)},
                      {"message", error.message},
                      {"param", optional_string(error.param)},
                      {"event_id", optional_string(client_event_id)}};
        push(e);
    }

    void handle(const std::string& text)
    {
        state_.update(record_,
                      [&text](recorded_connection& c) { c.client_events.push_back(text); });
        const auto doc = json::parse(text, nullptr, false);
        if (doc.is_discarded())
            return send_error({.code = "invalid_json",
                               .message = "The server could not parse the event: it is not "
                                          "valid JSON."},
                              std::nullopt);
        if (!doc.is_object())
            return send_error(wrong_type("event", "an object", doc), std::nullopt);
        std::optional<std::string> client_id;
        if (const auto id = doc.find("event_id"); id != doc.end() && id->is_string())
            client_id = id->get<std::string>();
        std::string type;
        if (auto bad = read_string(doc, "type", type))
            return send_error(*bad, client_id);
        if (auto bad = dispatch(type, doc))
            send_error(*bad, client_id);
    }

    outcome dispatch(const std::string& type, const json& e)
    {
        if (type == "session.update")
            return on_session_update(e);
        if (type == "input_audio_buffer.append")
            return on_append(e);
        if (type == "input_audio_buffer.commit")
            return on_commit();
        if (type == "input_audio_buffer.clear") {
            pending_bytes_ = 0;
            push(event("input_audio_buffer.cleared"));
            return std::nullopt;
        }
        if (type == "conversation.item.create")
            return on_item_create(e);
        if (type == "conversation.item.delete" || type == "conversation.item.retrieve")
            return on_item_lookup(type, e);
        if (type == "conversation.item.truncate")
            return on_truncate(e);
        if (type == "response.create")
            return on_response_create(e);
        if (type == "response.cancel")
            // Responses are sent whole at once, so none is ever active when this arrives.
            return api_error{.code = "response_cancel_not_active",
                             .message = "Cancellation failed: no active response found."};
        if (type == "output_audio_buffer.clear")
            return api_error{.code = "invalid_value",
                             .message = "output_audio_buffer.clear is only supported for WebRTC "
                                        "connections."};
        return invalid_value("type",
                             "Invalid value: '" + type +
                                 "'. Supported values are: 'session.update', "
                                 "'input_audio_buffer.append', 'input_audio_buffer.commit', "
                                 "'input_audio_buffer.clear', 'output_audio_buffer.clear', "
                                 "'conversation.item.create', 'conversation.item.delete', "
                                 "'conversation.item.retrieve', 'conversation.item.truncate', "
                                 "'response.create', and 'response.cancel'.");
    }

    outcome on_session_update(const json& e)
    {
        const auto s = e.find("session");
        if (s == e.end())
            return missing("session");
        if (!s->is_object())
            return wrong_type("session", "an object", *s);
        if (!beta()) {
            // GA requires the session kind on every update (beta clients never sent one).
            std::string kind;
            if (auto bad = read_string(*s, "type", kind, "session"))
                return bad;
            if (kind != "realtime")
                return invalid_value("session.type", "Invalid value: '" + kind +
                                                         "'. This fake supports only "
                                                         "'realtime' sessions.");
            if (auto bad = check_reasoning_fields(*s, model_))
                return bad;
        } else {
            for (const char* field : {"reasoning", "parallel_tool_calls"})
                if (s->contains(field))
                    return api_error{.code = "unknown_parameter",
                                     .message =
                                         std::string("Unknown parameter: 'session.") + field + "'.",
                                     .param = std::string("session.") + field};
        }
        if (auto bad = check_audio_formats(*s))
            return bad;
        json patch = *s;
        patch.erase("id");
        patch.erase("object");
        merge_into(session_, patch);
        auto updated = event("session.updated");
        updated["session"] = session_;
        push(updated);
        return std::nullopt;
    }

    outcome on_append(const json& e)
    {
        std::string audio;
        if (auto bad = read_string(e, "audio", audio))
            return bad;
        auto bytes = base64_decode(audio);
        if (!bytes)
            return invalid_value("audio", "Invalid 'audio': expected base64-encoded audio (" +
                                              bytes.error().message + ").");
        pending_bytes_ += bytes->size();
        const auto format = input_format();
        state_.update(record_, [&](recorded_connection& c) {
            c.input_audio_bytes += bytes->size();
            c.input_format = std::string(ga_name(format));
            c.input_bytes.insert(c.input_bytes.end(), bytes->begin(), bytes->end());
            if (format != wire_audio_format::pcm) {
                const auto samples = g711_decode(format, *bytes);
                c.input_audio.insert(c.input_audio.end(), samples.begin(), samples.end());
                return;
            }
            // A sample may straddle two appends: carry its first byte over.
            std::vector<std::uint8_t> joined = std::move(carry_);
            joined.insert(joined.end(), bytes->begin(), bytes->end());
            const auto samples = pcm16_from_bytes(joined);
            c.input_audio.insert(c.input_audio.end(), samples.begin(), samples.end());
            carry_.clear();
            if (joined.size() % 2 != 0)
                carry_.push_back(joined.back());
        });
        return std::nullopt;
    }

    outcome on_commit()
    {
        const auto per_ms = bytes_per_ms(input_format());
        if (pending_bytes_ < min_commit_ms * per_ms) {
            const double ms = static_cast<double>(pending_bytes_) / static_cast<double>(per_ms);
            std::array<char, 32> shown{};
            std::snprintf(shown.data(), shown.size(), "%.2f", ms);
            return api_error{.code = "input_audio_buffer_commit_empty",
                             .message = "Error committing input audio buffer: buffer too small. "
                                        "Expected at least 100ms of audio, but buffer only has " +
                                        std::string(shown.data()) + "ms of audio."};
        }
        const auto item_id = state_.make_id("item_");
        const json previous = previous_item();
        push(audio_committed(state_.make_id("event_"), item_id, previous_id(previous)));
        const json item = user_audio_item(item_id);
        announce_item(item, previous);
        items_[item_id] = item;
        audio_ms_[item_id] = static_cast<std::int64_t>(pending_bytes_ / per_ms);
        last_item_id_ = item_id;
        committed_ms_ += pending_bytes_ / per_ms;
        pending_bytes_ = 0;
        return std::nullopt;
    }

    json previous_item() const
    {
        return last_item_id_.empty() ? json(nullptr) : json(last_item_id_);
    }

    static std::optional<std::string> previous_id(const json& previous)
    {
        return previous.is_string() ? std::optional(previous.get<std::string>()) : std::nullopt;
    }

    // A new item in the conversation: GA says added then done, beta said created.
    void announce_item(const json& item, const json& previous)
    {
        for (const auto& e :
             item_announcements(item, previous_id(previous), beta() ? dialect::beta : dialect::ga,
                                [this] { return state_.make_id("event_"); }))
            push(e);
    }

    outcome on_item_create(const json& e)
    {
        const auto given = e.find("item");
        if (given == e.end())
            return missing("item");
        if (!given->is_object())
            return wrong_type("item", "an object", *given);
        std::string kind;
        if (auto bad = read_string(*given, "type", kind, "item"))
            return bad;
        if (kind == "function_call_output") {
            std::string call_id;
            if (auto bad = read_string(*given, "call_id", call_id, "item"))
                return bad;
            const bool answers_a_call =
                std::any_of(items_.begin(), items_.end(), [&](const auto& i) {
                    return i.second.value("type", "") == "function_call" &&
                           i.second.value("call_id", "") == call_id;
                });
            if (!answers_a_call)
                return invalid_value("item.call_id", "Invalid 'item.call_id': no function call "
                                                     "in the conversation has call_id '" +
                                                         call_id + "'.");
        }
        json previous = previous_item();
        bool at_end = true;
        if (const auto p = e.find("previous_item_id"); p != e.end() && !p->is_null()) {
            if (!p->is_string())
                return wrong_type("previous_item_id", "a string", *p);
            const auto id = p->get<std::string>();
            if (id != "root" && !items_.contains(id))
                return invalid_value("previous_item_id", "Invalid 'previous_item_id': no "
                                                         "conversation item has id '" +
                                                             id + "'.");
            previous = id == "root" ? json(nullptr) : json(id);
            at_end = false;
        }
        json item = *given;
        std::string id;
        if (const auto i = item.find("id"); i != item.end() && i->is_string())
            id = i->get<std::string>();
        else
            id = state_.make_id("item_");
        item["id"] = id;
        item["object"] = "realtime.item";
        if (!item.contains("status"))
            item["status"] = "completed";
        announce_item(item, previous);
        items_[id] = item;
        audio_ms_[id] = 0;
        if (at_end)
            last_item_id_ = id;
        return std::nullopt;
    }

    outcome on_item_lookup(const std::string& type, const json& e)
    {
        std::string id;
        if (auto bad = read_string(e, "item_id", id))
            return bad;
        const auto it = items_.find(id);
        if (it == items_.end())
            return invalid_value("item_id",
                                 "Invalid 'item_id': no conversation item has id '" + id + "'.");
        if (type == "conversation.item.retrieve") {
            auto retrieved = event("conversation.item.retrieved");
            retrieved["item"] = it->second;
            push(retrieved);
            return std::nullopt;
        }
        items_.erase(it);
        audio_ms_.erase(id);
        if (last_item_id_ == id)
            last_item_id_.clear();
        auto deleted = event("conversation.item.deleted");
        deleted["item_id"] = id;
        push(deleted);
        return std::nullopt;
    }

    outcome on_truncate(const json& e)
    {
        std::string id;
        std::int64_t content_index = 0;
        std::int64_t audio_end_ms = 0;
        if (auto bad = read_string(e, "item_id", id))
            return bad;
        if (auto bad = read_non_negative(e, "content_index", content_index))
            return bad;
        if (auto bad = read_non_negative(e, "audio_end_ms", audio_end_ms))
            return bad;
        const auto it = items_.find(id);
        if (it == items_.end())
            return invalid_value("item_id",
                                 "Invalid 'item_id': no conversation item has id '" + id + "'.");
        if (it->second.value("role", "") != "assistant")
            return invalid_value("item_id", "Only assistant messages can be truncated.");
        if (audio_end_ms > audio_ms_[id])
            return invalid_value("audio_end_ms", "Audio content of " +
                                                     std::to_string(audio_ms_[id]) +
                                                     "ms is already shorter than " +
                                                     std::to_string(audio_end_ms) + "ms");
        audio_ms_[id] = audio_end_ms;
        push(item_truncated(state_.make_id("event_"), id, static_cast<std::int32_t>(content_index),
                            audio_end_ms));
        return std::nullopt;
    }

    outcome on_response_create(const json& e)
    {
        realtime_fault fault = realtime_fault::none;
        int close_after = 0;
        {
            const std::lock_guard lock(state_.mutex);
            fault = state_.fault;
            close_after = state_.close_after_deltas;
        }
        if (fault == realtime_fault::error_on_response)
            return api_error{.type = "server_error",
                             .code = "server_error",
                             .message = "The server had an error while processing your "
                                        "request. Sorry about that!"};
        const json* params = nullptr;
        if (const auto r = e.find("response"); r != e.end()) {
            if (!r->is_object())
                return wrong_type("response", "an object", *r);
            params = &*r;
        }
        const char* modalities_key = beta() ? "modalities" : "output_modalities";
        const json* modalities = params ? find_path(*params, {modalities_key}) : nullptr;
        if (!modalities)
            modalities = find_path(session_, {modalities_key});
        const bool text_only =
            modalities && modalities->is_array() &&
            std::find(modalities->begin(), modalities->end(), "audio") == modalities->end();
        std::vector<fake_function_call> calls;
        bool hold = false;
        {
            const std::lock_guard lock(state_.mutex);
            if (!state_.scripted_calls.empty()) {
                calls = std::move(state_.scripted_calls.front());
                state_.scripted_calls.pop_front();
            }
            hold = std::exchange(state_.hold_next, false);
        }
        const bool choice_none = params && params->value("tool_choice", json()) == "none";
        if (!calls.empty() && !choice_none && declared(calls))
            return stream_function_calls(calls, hold);
        stream_response(text_only,
                        fault == realtime_fault::close_mid_response
                            ? std::optional<int>(close_after)
                            : std::nullopt,
                        hold);
        return std::nullopt;
    }

    // Whether the session declared every function the script calls (a model calls no other).
    bool declared(const std::vector<fake_function_call>& calls) const
    {
        const json* tools = find_path(session_, {"tools"});
        if (!tools || !tools->is_array())
            return false;
        return std::all_of(calls.begin(), calls.end(), [&](const fake_function_call& call) {
            return std::any_of(tools->begin(), tools->end(), [&](const json& tool) {
                return tool.is_object() && tool.value("type", "") == "function" &&
                       tool.value("name", "") == call.name;
            });
        });
    }

    // A response that calls functions instead of speaking (see the header).
    outcome stream_function_calls(const std::vector<fake_function_call>& calls, bool hold)
    {
        const auto response_id = state_.make_id("resp_");
        auto created = event("response.created");
        created["response"] = response_object(response_id, "in_progress", json::array(), nullptr);
        push(created);
        holding_ = hold;
        json output = json::array();
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const auto& call = calls[i];
            const json previous = previous_item();
            const auto item_id = state_.make_id("item_");
            const auto call_id = state_.make_id("call_");
            json item = {{"id", item_id},           {"object", "realtime.item"},
                         {"type", "function_call"}, {"status", "in_progress"},
                         {"name", call.name},       {"call_id", call_id},
                         {"arguments", ""}};
            auto added = event("response.output_item.added");
            added["response_id"] = response_id;
            added["output_index"] = i;
            added["item"] = item;
            push(added);
            // The arguments stream in two pieces, as a model writes them.
            const auto half = call.arguments.size() / 2;
            for (const auto& piece :
                 {call.arguments.substr(0, half), call.arguments.substr(half)}) {
                auto delta = event("response.function_call_arguments.delta");
                delta["response_id"] = response_id;
                delta["item_id"] = item_id;
                delta["output_index"] = i;
                delta["call_id"] = call_id;
                delta["delta"] = piece;
                push(delta);
            }
            auto done = event("response.function_call_arguments.done");
            done["response_id"] = response_id;
            done["item_id"] = item_id;
            done["output_index"] = i;
            done["call_id"] = call_id;
            if (!beta())
                done["name"] = call.name; // GA only: beta named it in output_item.added
            done["arguments"] = call.arguments;
            push(done);
            item["status"] = "completed";
            item["arguments"] = call.arguments;
            auto item_done = event("response.output_item.done");
            item_done["response_id"] = response_id;
            item_done["output_index"] = i;
            item_done["item"] = item;
            push(item_done);
            announce_item(item, previous);
            items_[item_id] = item;
            audio_ms_[item_id] = 0;
            last_item_id_ = item_id;
            output.push_back(item);
        }
        const json usage = {{"total_tokens", 20},
                            {"input_tokens", 10},
                            {"output_tokens", 10},
                            {"input_token_details",
                             {{"text_tokens", 10},
                              {"audio_tokens", 0},
                              {"image_tokens", 0},
                              {"cached_tokens", 0},
                              {"cached_tokens_details",
                               {{"text_tokens", 0}, {"audio_tokens", 0}, {"image_tokens", 0}}}}},
                            {"output_token_details", {{"text_tokens", 10}, {"audio_tokens", 0}}}};
        auto done = event("response.done");
        done["response"] = response_object(response_id, "completed", std::move(output), usage);
        push(done);
        return std::nullopt;
    }

    json response_object(const std::string& id, std::string_view status, json output,
                         json usage) const
    {
        const json* voice = beta() ? find_path(session_, {"voice"})
                                   : find_path(session_, {"audio", "output", "voice"});
        const json voice_value = voice ? *voice : json("alloy");
        if (beta())
            return {{"object", "realtime.response"},
                    {"id", id},
                    {"status", status},
                    {"status_details", nullptr},
                    {"output", std::move(output)},
                    {"conversation_id", conversation_id_},
                    {"modalities", {"text", "audio"}},
                    {"voice", voice_value},
                    {"output_audio_format", beta_output_format()},
                    {"temperature", 0.8},
                    {"max_output_tokens", "inf"},
                    {"usage", std::move(usage)},
                    {"metadata", nullptr}};
        return {
            {"object", "realtime.response"},
            {"id", id},
            {"status", status},
            {"status_details", nullptr},
            {"output", std::move(output)},
            {"conversation_id", conversation_id_},
            {"output_modalities", {"audio"}},
            {"max_output_tokens", "inf"},
            {"audio", {{"output", {{"format", output_format_object()}, {"voice", voice_value}}}}},
            {"usage", std::move(usage)},
            {"metadata", nullptr}};
    }

    // The whole response at once: the API streams faster than real time too, and a fake
    // that paced itself would only slow the tests down.
    void stream_response(bool text_only, std::optional<int> drop_after_deltas, bool hold)
    {
        const auto response_id = state_.make_id("resp_");
        const auto item_id = state_.make_id("item_");
        const json previous = previous_item();
        const std::string& text = state_.options.response_text;

        auto created = event("response.created");
        created["response"] = response_object(response_id, "in_progress", json::array(), nullptr);
        push(created);
        holding_ = hold;
        const assistant_message reply(beta() ? dialect::beta : dialect::ga, response_id, item_id,
                                      text_only, [this] { return state_.make_id("event_"); });
        push(reply.output_item_added());
        push(reply.conversation_item_added(previous_id(previous)));
        push(reply.content_part_added());

        // The response's audio in the session's output format; deltas of the same length in
        // time whatever the format (delta_bytes is counted in PCM16 at 24 kHz).
        const auto format = output_format();
        const auto audio = format == wire_audio_format::pcm
                               ? pcm16_to_bytes(state_.options.response_audio)
                               : g711_from_pcm24k(format, state_.options.response_audio);
        const auto per_ms = bytes_per_ms(format);
        const std::size_t step = std::max<std::size_t>(
            1, state_.options.delta_bytes / bytes_per_ms(wire_audio_format::pcm) * per_ms);
        const std::size_t chunks = text_only ? 0 : (audio.size() + step - 1) / step;
        const auto words = split_words(text);
        int deltas_sent = 0;
        auto drop_now = [&] {
            if (!drop_after_deltas || deltas_sent < *drop_after_deltas)
                return false;
            enqueue({action::drop, {}});
            return true;
        };
        if (!text_only && drop_now())
            return;
        for (std::size_t i = 0; i < std::max(chunks, words.size()); ++i) {
            if (i < words.size())
                push(reply.transcript_delta(words[i]));
            if (i < chunks) {
                const std::size_t begin = i * step;
                const std::size_t size = std::min(step, audio.size() - begin);
                const auto piece = std::span(audio).subspan(begin, size);
                push(reply.audio_delta(base64_encode(piece)));
                state_.update(record_, [&](recorded_connection& c) {
                    c.output_audio.insert(c.output_audio.end(), piece.begin(), piece.end());
                });
                ++deltas_sent;
                if (drop_now())
                    return;
            }
        }

        if (!text_only)
            push(reply.audio_done());
        push(reply.transcript_done(text));
        push(reply.content_part_done(text));
        push(reply.output_item_done(text));
        if (auto done = reply.conversation_item_done(previous_id(previous), text))
            push(*done);
        const json item = reply.item_completed(text);

        // Token counts are plausible, not the API's: about 10 audio tokens a second.
        const auto output_audio_ms =
            static_cast<std::int64_t>(chunks == 0 ? 0 : audio.size() / per_ms);
        const auto audio_tokens = output_audio_ms / 100;
        const auto text_tokens = static_cast<std::int64_t>(words.size());
        const auto input_audio_tokens = static_cast<std::int64_t>(committed_ms_ / 100);
        const json usage = {{"total_tokens", input_audio_tokens + audio_tokens + text_tokens},
                            {"input_tokens", input_audio_tokens},
                            {"output_tokens", audio_tokens + text_tokens},
                            {"input_token_details",
                             {{"text_tokens", 0},
                              {"audio_tokens", input_audio_tokens},
                              {"image_tokens", 0},
                              {"cached_tokens", 0},
                              {"cached_tokens_details",
                               {{"text_tokens", 0}, {"audio_tokens", 0}, {"image_tokens", 0}}}}},
                            {"output_token_details",
                             {{"text_tokens", text_tokens}, {"audio_tokens", audio_tokens}}}};
        auto done = event("response.done");
        done["response"] = response_object(response_id, "completed", json::array({item}), usage);
        push(done);

        items_[item_id] = item;
        audio_ms_[item_id] = output_audio_ms;
        last_item_id_ = item_id;
    }

    // ------------------------------------------------------------ [session: writes]

    // One write at a time on the websocket; a close or a drop ends the queue.
    void enqueue(outgoing next)
    {
        if (finishing_)
            return;
        finishing_ = next.what != action::text;
        queue_.push_back(std::move(next));
        if (queue_.size() == 1)
            do_write();
    }

    void do_write()
    {
        auto& front = queue_.front();
        switch (front.what) {
        case action::text:
            ws_->async_write(net::buffer(front.text), /*binary=*/false,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                 self->on_write(ec);
                             });
            return;
        case action::close:
            ws_->async_close(
                websocket::close_code::normal,
                [self = shared_from_this()](beast::error_code ec) { self->on_write(ec); });
            return;
        case action::drop:
            queue_.clear();
            shutdown();
            return;
        }
    }

    void on_write(beast::error_code ec)
    {
        if (ec) {
            finishing_ = true;
            queue_.clear();
            return;
        }
        queue_.pop_front();
        if (!queue_.empty())
            do_write();
    }

    beast::tcp_stream stream_; // until the upgrade, then inside ws_
    std::unique_ptr<donna::relay::websocket_channel> ws_;
    shared_state& state_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::request<http::string_body> request_;
    std::array<char, 1024> stall_buffer_{};

    bool open_ = false;      // upgraded and not yet ended
    bool finishing_ = false; // a close or drop is queued: nothing more is sent
    bool beta_ = false;
    std::size_t record_ = 0; // index into state_.connections
    std::string model_;
    std::string conversation_id_;
    json session_;
    beast::flat_buffer read_buffer_;
    std::deque<outgoing> queue_;

    std::size_t pending_bytes_ = 0; // uncommitted input audio
    std::vector<std::uint8_t> carry_;
    std::size_t committed_ms_ = 0;
    std::map<std::string, json> items_;            // the conversation, by item id
    bool holding_ = false;                         // a held response (hold_next_response)
    std::vector<std::string> held_;                // what it kept back
    std::map<std::string, std::int64_t> audio_ms_; // bounds conversation.item.truncate
    std::string last_item_id_;
};

} // namespace

// ---------------------------------------------------------------- [fake_realtime_server]

struct fake_realtime_server::impl {
    explicit impl(fake_realtime_options options) : state(std::move(options)) {}

    void on_accept(tcp::socket socket)
    {
        auto s = std::make_shared<session>(std::move(socket), state);
        std::erase_if(state.sessions, [](const auto& w) { return w.expired(); });
        state.sessions.push_back(s);
        s->run();
    }

    template <class F>
    void for_each_session(F f)
    {
        net::post(io.context(), [this, f = std::move(f)] {
            for (const auto& weak : state.sessions)
                if (auto s = weak.lock())
                    f(*s);
        });
    }

    // Declared first so that it outlives everything the I/O objects' handlers could touch.
    shared_state state;
    loopback_server io;
};

fake_realtime_server::fake_realtime_server(fake_realtime_options options)
{
    if (options.response_audio.empty())
        options.response_audio = default_tone();
    if (options.delta_bytes == 0)
        options.delta_bytes = 4800;
    impl_ = std::make_unique<impl>(std::move(options));
}

fake_realtime_server::~fake_realtime_server()
{
    impl_->io.stop([s = impl_.get()] {
        for (const auto& weak : s->state.sessions)
            if (auto p = weak.lock())
                p->shutdown();
        s->state.sessions.clear();
    });
}

status fake_realtime_server::start()
{
    return impl_->io.start("fake_realtime_server", [s = impl_.get()](tcp::socket socket) {
        s->on_accept(std::move(socket));
    });
}

std::uint16_t fake_realtime_server::port() const
{
    return impl_->io.port();
}

std::string fake_realtime_server::base_url() const
{
    return "http://127.0.0.1:" + std::to_string(impl_->io.port()) + "/v1";
}

void fake_realtime_server::set_fault(realtime_fault f, int count)
{
    const std::lock_guard lock(impl_->state.mutex);
    impl_->state.fault = f;
    if (f == realtime_fault::refuse_first_n)
        impl_->state.refuse_left = count;
    if (f == realtime_fault::close_mid_response && count > 0)
        impl_->state.close_after_deltas = count;
}

std::vector<recorded_connection> fake_realtime_server::connections() const
{
    const std::lock_guard lock(impl_->state.mutex);
    return impl_->state.connections;
}

int fake_realtime_server::upgrade_attempts() const
{
    const std::lock_guard lock(impl_->state.mutex);
    return impl_->state.attempts;
}

bool fake_realtime_server::wait_until(
    const std::function<bool(const std::vector<recorded_connection>&)>& pred,
    std::chrono::milliseconds timeout) const
{
    auto& state = impl_->state;
    return wait_for_change(
        state.mutex, state.changed, [&] { return state.connections; },
        [&] { return state.version; }, pred, timeout);
}

void fake_realtime_server::script_function_calls(std::vector<fake_function_call> calls)
{
    const std::lock_guard lock(impl_->state.mutex);
    impl_->state.scripted_calls.push_back(std::move(calls));
}

void fake_realtime_server::hold_next_response()
{
    const std::lock_guard lock(impl_->state.mutex);
    impl_->state.hold_next = true;
}

void fake_realtime_server::release_response()
{
    impl_->for_each_session([](session& s) { s.release_held(); });
}

void fake_realtime_server::send_to_all(const std::string& server_event_json)
{
    impl_->for_each_session([server_event_json](session& s) { s.push_text(server_event_json); });
}

void fake_realtime_server::close_all()
{
    impl_->for_each_session([](session& s) { s.close_normal(); });
}

} // namespace donna::fakes
