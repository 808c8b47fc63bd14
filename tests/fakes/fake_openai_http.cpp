// fake_openai_http.cpp: the fake's listener and its connections. A connection reads HTTP/1.1
// requests one after another (keep-alive), records each, and answers it as the OpenAI API
// would: an error body, a chat.completion, or a chunked server-sent-event stream. Everything
// runs on the fake's one I/O thread; what tests read sits behind one mutex.
//
// Sections: [ids and errors] [validation] [answers] [connection] [fake_openai_http]
#include "fake_openai_http.hpp"

#include "openai_error.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>

namespace donna::fakes {

std::string fake_openai_default_key()
{
    return std::string("sk-") + "fake-http-test-key";
}

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
// Insertion order keeps "id" and "object" first, as the API writes them.
using json = nlohmann::ordered_json;

constexpr std::size_t request_body_limit = std::size_t{1024} * 1024;
constexpr std::string_view server_name = "donna-fake-openai";
constexpr std::string_view completions_path = "/v1/chat/completions";

class connection;

// ---------------------------------------------------------------- [ids and errors]

// What the connections and the public API share. The mutex guards the block under it; the
// rest is touched on the I/O thread only.
struct shared_state {
    explicit shared_state(fake_openai_http_options o)
        : options(std::move(o)), fault(options.fault), fault_count(options.fault_count)
    {}

    fake_openai_http_options options; // read-only once constructed

    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    openai_http_fault fault;
    int fault_count;
    int accepted = 0;
    std::vector<recorded_request> requests;

    // I/O thread only.
    bool stopping = false;
    std::vector<std::weak_ptr<connection>> connections;
    std::mt19937_64 random{std::random_device{}()};
    std::uint64_t serial = 0;

    // OpenAI-looking ids ("chatcmpl-" + 29 base62 characters). The serial part makes them
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
        for (int i = 0; i < 21; ++i)
            id += digits[pick(random)];
        return id;
    }
};

// "sk-fake-wrong-key-123" -> "sk-fake-*********-123", the way the API echoes a wrong key.
std::string masked(std::string_view key)
{
    if (key.size() <= 12)
        return std::string(key.size(), '*');
    return std::string(key.substr(0, 8)) + std::string(key.size() - 12, '*') +
           std::string(key.substr(key.size() - 4));
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::ranges::transform(out, out.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Each piece carries its leading space, as the API's content deltas do.
std::vector<std::string> split_words(const std::string& text)
{
    std::vector<std::string> pieces;
    std::size_t start = 0;
    while (start < text.size()) {
        auto next = text.find(' ', start + 1);
        if (next == std::string::npos)
            next = text.size();
        pieces.push_back(text.substr(start, next - start));
        start = next;
    }
    return pieces;
}

std::int64_t count_words(std::string_view text)
{
    std::istringstream in{std::string(text)};
    std::int64_t n = 0;
    for (std::string word; in >> word;)
        ++n;
    return n;
}

// ---------------------------------------------------------------- [validation]

// A chat completions request the fake accepted.
struct chat_request {
    std::string model;
    bool stream = false;
    bool include_usage = false;
    std::int64_t prompt_tokens = 0;
};

constexpr std::array<std::string_view, 6> roles = {"system",   "assistant", "user",
                                                   "function", "tool",      "developer"};

std::optional<api_error> check_message(const json& message, std::size_t index, std::int64_t& tokens)
{
    const std::string at = "messages[" + std::to_string(index) + "]";
    if (!message.is_object())
        return wrong_type(at, "an object", message);
    const auto role = message.find("role");
    if (role == message.end())
        return missing(at + ".role");
    if (!role->is_string())
        return wrong_type(at + ".role", "a string", *role);
    const auto role_name = role->get<std::string>();
    if (std::ranges::find(roles, role_name) == roles.end())
        return api_error{.code = "invalid_value",
                         .message = "Invalid value: '" + role_name +
                                    "'. Supported values are: 'system', 'assistant', 'user', "
                                    "'function', 'tool', and 'developer'.",
                         .param = at + ".role"};
    const auto content = message.find("content");
    // Only an assistant turn that carries tool calls may go without content.
    if (content == message.end() || content->is_null()) {
        if (role_name == "assistant" && message.contains("tool_calls"))
            return std::nullopt;
        return missing(at + ".content");
    }
    if (content->is_string())
        tokens += count_words(content->get<std::string>());
    else if (!content->is_array())
        return wrong_type(at + ".content", "one of a string or array of objects", *content);
    tokens += 4; // the per-message framing the real tokenizer adds
    return std::nullopt;
}

std::optional<api_error> parse_chat(const std::string& body, chat_request& out)
{
    const json request = json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object())
        return api_error{.message = "We could not parse the JSON body of your request. (HINT: "
                                    "This likely means you aren't using your HTTP library "
                                    "correctly. The OpenAI API expects a JSON payload, but what "
                                    "was sent was not valid JSON.)"};
    const auto model = request.find("model");
    if (model == request.end() || !model->is_string() || model->get<std::string>().empty())
        return api_error{.message = "you must provide a model parameter"};
    out.model = model->get<std::string>();

    const auto messages = request.find("messages");
    if (messages == request.end())
        return missing("messages");
    if (!messages->is_array())
        return wrong_type("messages", "an array of objects", *messages);
    if (messages->empty())
        return api_error{.code = "empty_array",
                         .message = "Invalid 'messages': empty array. Expected an array with "
                                    "minimum length 1, but got an empty array instead.",
                         .param = "messages"};
    out.prompt_tokens = 3; // the reply's priming
    for (std::size_t i = 0; i < messages->size(); ++i)
        if (auto bad = check_message((*messages)[i], i, out.prompt_tokens))
            return bad;

    if (const auto stream = request.find("stream"); stream != request.end() && !stream->is_null()) {
        if (!stream->is_boolean())
            return wrong_type("stream", "a boolean", *stream);
        out.stream = stream->get<bool>();
    }
    if (const auto options = request.find("stream_options");
        options != request.end() && !options->is_null()) {
        if (!out.stream)
            return api_error{.message = "The 'stream_options' parameter is only allowed when "
                                        "'stream' is enabled.",
                             .param = "stream_options"};
        if (!options->is_object())
            return wrong_type("stream_options", "an object", *options);
        const auto usage = options->find("include_usage");
        if (usage != options->end() && !usage->is_null()) {
            if (!usage->is_boolean())
                return wrong_type("stream_options.include_usage", "a boolean", *usage);
            out.include_usage = usage->get<bool>();
        }
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- [answers]

json usage_object(std::int64_t prompt, std::int64_t completion)
{
    return {{"prompt_tokens", prompt},
            {"completion_tokens", completion},
            {"total_tokens", prompt + completion},
            {"prompt_tokens_details", {{"cached_tokens", 0}, {"audio_tokens", 0}}},
            {"completion_tokens_details",
             {{"reasoning_tokens", 0},
              {"audio_tokens", 0},
              {"accepted_prediction_tokens", 0},
              {"rejected_prediction_tokens", 0}}}};
}

std::int64_t now_seconds()
{
    return static_cast<std::int64_t>(std::time(nullptr));
}

json completion_object(const chat_request& req, const std::string& id, const std::string& reply)
{
    const auto words = static_cast<std::int64_t>(split_words(reply).size());
    return {{"id", id},
            {"object", "chat.completion"},
            {"created", now_seconds()},
            {"model", req.model},
            {"choices", json::array({{{"index", 0},
                                      {"message",
                                       {{"role", "assistant"},
                                        {"content", reply},
                                        {"refusal", nullptr},
                                        {"annotations", json::array()}}},
                                      {"logprobs", nullptr},
                                      {"finish_reason", "stop"}}})},
            {"usage", usage_object(req.prompt_tokens, words)},
            {"service_tier", "default"},
            {"system_fingerprint", "fp_donnafake"}};
}

// The stream's events, each a whole "data: ...\n\n" line, in the order the API sends them.
std::vector<std::string> stream_events(const chat_request& req, const std::string& id,
                                       const std::string& reply)
{
    const auto created = now_seconds();
    const auto chunk = [&](json choices) {
        json c = {{"id", id},
                  {"object", "chat.completion.chunk"},
                  {"created", created},
                  {"model", req.model},
                  {"service_tier", "default"},
                  {"system_fingerprint", "fp_donnafake"},
                  {"choices", std::move(choices)}};
        if (req.include_usage)
            c["usage"] = nullptr; // every chunk but the last says so when usage is asked for
        return c;
    };
    const auto choice = [](json delta, json finish) {
        return json::array({{{"index", 0},
                             {"delta", std::move(delta)},
                             {"logprobs", nullptr},
                             {"finish_reason", std::move(finish)}}});
    };
    const auto event = [](const json& data) {
        return "data: " + data.dump() + "\n\n";
    };

    const auto words = split_words(reply);
    std::vector<std::string> events;
    events.reserve(words.size() + 4);
    events.push_back(event(
        chunk(choice({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr))));
    for (const auto& word : words)
        events.push_back(event(chunk(choice({{"content", word}}, nullptr))));
    events.push_back(event(chunk(choice(json::object(), "stop"))));
    if (req.include_usage) {
        auto last = chunk(json::array());
        last["usage"] = usage_object(req.prompt_tokens, static_cast<std::int64_t>(words.size()));
        events.push_back(event(last));
    }
    events.emplace_back("data: [DONE]\n\n");
    return events;
}

// ---------------------------------------------------------------- [connection]

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(tcp::socket socket, shared_state& state, int number)
        : socket_(std::move(socket)), state_(state), number_(number)
    {}

    void run() { read_request(); }

    // Cuts the TCP connection; every pending operation completes with an error.
    void shutdown()
    {
        beast::error_code ignored;
        socket_.close(ignored);
    }

private:
    void read_request()
    {
        parser_.emplace();
        parser_->body_limit(request_body_limit);
        http::async_read(socket_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_request(ec);
                         });
    }

    void on_request(beast::error_code ec)
    {
        if (ec)
            return end(); // the peer went away (or sent what HTTP/1.1 cannot parse)
        request_ = parser_->release();
        parser_.reset();
        record();

        const std::string method(request_.method_string());
        const std::string target(request_.target());
        const std::string path = target.substr(0, target.find('?'));
        if (path != completions_path || request_.method() != http::verb::post)
            return send_error(http::status::not_found,
                              {.message = "Invalid URL (" + method + " " + path + ")"});
        if (auto refused = check_key())
            return send_error(http::status::unauthorized, *refused);

        openai_http_fault fault = openai_http_fault::none;
        int count = 0;
        {
            const std::lock_guard lock(state_.mutex);
            fault = state_.fault;
            count = state_.fault_count;
            const bool counted = fault == openai_http_fault::status_429_with_retry_after ||
                                 fault == openai_http_fault::status_500;
            if (counted && state_.fault_count > 0)
                --state_.fault_count;
            else if (counted)
                fault = openai_http_fault::none; // used up: answer normally from now on
        }
        if (fault == openai_http_fault::status_429_with_retry_after)
            return send_rate_limited();
        if (fault == openai_http_fault::status_500)
            return send_error(http::status::internal_server_error,
                              {.type = "server_error",
                               .message = "The server had an error while processing your "
                                          "request. Sorry about that!"});

        chat_request chat;
        if (auto bad = parse_chat(request_.body(), chat))
            return send_error(http::status::bad_request, *bad);
        if (fault == openai_http_fault::stall_stream && !chat.stream)
            return stall();
        if (fault == openai_http_fault::reset_mid_stream && !chat.stream)
            return end();

        const auto id = state_.make_id("chatcmpl-");
        if (!chat.stream) {
            auto res = make_response<http::string_body>(http::status::ok);
            res->set(http::field::content_type, "application/json");
            res->body() = completion_object(chat, id, state_.options.reply_text).dump();
            return send(res);
        }
        events_ = stream_events(chat, id, state_.options.reply_text);
        stall_after_ =
            fault == openai_http_fault::stall_stream ? std::optional<std::size_t>(1) : std::nullopt;
        reset_after_ =
            fault == openai_http_fault::reset_mid_stream
                ? std::optional<std::size_t>(static_cast<std::size_t>(std::max(count, 0)))
                : std::nullopt;
        start_stream();
    }

    void record()
    {
        recorded_request r;
        r.method = std::string(request_.method_string());
        r.target = std::string(request_.target());
        for (const auto& field : request_) {
            auto& value = r.headers[lower(field.name_string())];
            if (!value.empty())
                value += ", ";
            value += std::string(field.value());
        }
        r.body = request_.body();
        r.connection = number_;
        {
            const std::lock_guard lock(state_.mutex);
            state_.requests.push_back(std::move(r));
        }
        state_.changed.notify_all();
    }

    std::optional<api_error> check_key() const
    {
        const std::string_view authorization = request_[http::field::authorization];
        if (!authorization.starts_with("Bearer ") || authorization.size() == 7)
            return api_error{.message =
                                 "You didn't provide an API key. You need to provide your API "
                                 "key in an Authorization header using Bearer auth (i.e. "
                                 "Authorization: Bearer YOUR_KEY), or as the password field "
                                 "(with blank username) if you're accessing the API from your "
                                 "browser and are prompted for a username and password. You can "
                                 "obtain an API key from "
                                 "https://platform.openai.com/account/api-keys."};
        const auto given = authorization.substr(7);
        if (given != state_.options.api_key)
            return api_error{.code = "invalid_api_key",
                             .message = "Incorrect API key provided: " + masked(given) +
                                        ". You can find your API key at "
                                        "https://platform.openai.com/account/api-keys."};
        return std::nullopt;
    }

    template <class Body>
    std::shared_ptr<http::response<Body>> make_response(http::status status)
    {
        auto res = std::make_shared<http::response<Body>>(status, request_.version());
        res->set(http::field::server, server_name);
        res->set("x-request-id", state_.make_id("req_"));
        res->set("openai-processing-ms", "1");
        res->keep_alive(request_.keep_alive());
        return res;
    }

    void send_error(http::status status, const api_error& error,
                    const std::vector<std::pair<std::string, std::string>>& extra = {})
    {
        auto res = make_response<http::string_body>(status);
        res->set(http::field::content_type, "application/json");
        for (const auto& [name, value] : extra)
            res->set(name, value);
        res->body() = error_body(error).dump();
        send(res);
    }

    void send_rate_limited()
    {
        const auto seconds = std::to_string(std::max(state_.options.retry_after_seconds, 0));
        send_error(http::status::too_many_requests,
                   {.type = "requests",
                    .code = "rate_limit_exceeded",
                    .message = "Rate limit reached for requests on requests per min (RPM): "
                               "Limit 60, Used 60, Requested 1. Please try again in " +
                               seconds + "s."},
                   {{"retry-after", seconds},
                    {"x-ratelimit-limit-requests", "60"},
                    {"x-ratelimit-remaining-requests", "0"},
                    {"x-ratelimit-reset-requests", seconds + "s"}});
    }

    void send(const std::shared_ptr<http::response<http::string_body>>& res)
    {
        res->prepare_payload();
        http::async_write(socket_, *res,
                          [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                              if (ec)
                                  return self->end();
                              self->next(res->keep_alive());
                          });
    }

    // After a whole answer: the next request on this connection, or its end.
    void next(bool keep_alive)
    {
        if (keep_alive)
            return read_request();
        beast::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
    }

    void start_stream()
    {
        stream_head_ = make_response<http::empty_body>(http::status::ok);
        stream_head_->set(http::field::content_type, "text/event-stream; charset=utf-8");
        stream_head_->chunked(true);
        serializer_.emplace(*stream_head_);
        http::async_write_header(socket_, *serializer_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     if (!ec)
                                         self->write_event(0);
                                 });
    }

    // One event per HTTP chunk, so that a test can see exactly where a fault cut the stream.
    void write_event(std::size_t index)
    {
        if (reset_after_ && index == *reset_after_)
            return end();
        if (stall_after_ && index == *stall_after_)
            return stall();
        if (index == events_.size()) {
            net::async_write(socket_, http::make_chunk_last(),
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                 if (!ec)
                                     self->next(self->stream_head_->keep_alive());
                             });
            return;
        }
        net::async_write(socket_, http::make_chunk(net::buffer(events_[index])),
                         [self = shared_from_this(), index](beast::error_code ec, std::size_t) {
                             if (!ec)
                                 self->write_event(index + 1);
                         });
    }

    // Keeps the connection open and silent until the peer (or the destructor) closes it.
    void stall()
    {
        socket_.async_read_some(net::buffer(stall_buffer_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (!ec)
                                        self->stall();
                                });
    }

    // Closes in order (FIN, not RST), so that the peer still reads all that was sent.
    void end()
    {
        beast::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    tcp::socket socket_;
    shared_state& state_;
    int number_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::request<http::string_body> request_;
    std::vector<std::string> events_;
    std::optional<std::size_t> stall_after_;
    std::optional<std::size_t> reset_after_;
    std::shared_ptr<http::response<http::empty_body>> stream_head_;
    std::optional<http::response_serializer<http::empty_body>> serializer_;
    std::array<char, 1024> stall_buffer_{};
};

} // namespace

// ---------------------------------------------------------------- [fake_openai_http]

struct fake_openai_http::impl {
    explicit impl(fake_openai_http_options options) : state(std::move(options)) {}

    void do_accept()
    {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || state.stopping)
                return;
            if (!ec) {
                int number = 0;
                {
                    const std::lock_guard lock(state.mutex);
                    number = ++state.accepted;
                }
                state.changed.notify_all();
                auto c = std::make_shared<connection>(std::move(socket), state, number);
                std::erase_if(state.connections, [](const auto& w) { return w.expired(); });
                state.connections.push_back(c);
                c->run();
            }
            do_accept();
        });
    }

    // Declared first so that it outlives everything the I/O objects' handlers could touch.
    shared_state state;
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(ioc);
    std::uint16_t port = 0;
    std::thread thread;
};

fake_openai_http::fake_openai_http(fake_openai_http_options options)
    : impl_(std::make_unique<impl>(std::move(options)))
{}

fake_openai_http::~fake_openai_http()
{
    if (!impl_->thread.joinable())
        return;
    // Close everything on the I/O thread, then let run() return once the handlers have
    // drained, so that no connection outlives the state it records into.
    try {
        net::post(impl_->ioc, [s = impl_.get()] {
            s->state.stopping = true;
            beast::error_code ignored;
            s->acceptor.close(ignored);
            for (const auto& weak : s->state.connections)
                if (auto p = weak.lock())
                    p->shutdown();
            s->state.connections.clear();
        });
    } catch (...) {
        // The orderly shutdown could not even be queued (no memory): stop hard instead.
        try {
            impl_->ioc.stop();
        } catch (...) {
        }
    }
    impl_->work.reset();
    try {
        impl_->thread.join();
    } catch (...) {
        // join() throws only for a thread that is not joinable or is this one: neither here.
    }
}

status fake_openai_http::start()
{
    if (impl_->thread.joinable())
        return make_error(errc::io_error, "fake_openai_http::start called twice");
    auto& acceptor = impl_->acceptor;
    const tcp::endpoint endpoint{net::ip::make_address_v4("127.0.0.1"), 0};
    beast::error_code ec;
    if (acceptor.open(endpoint.protocol(), ec) || acceptor.bind(endpoint, ec) ||
        acceptor.listen(net::socket_base::max_listen_connections, ec))
        return make_error(errc::io_error,
                          "fake_openai_http cannot listen on 127.0.0.1: " + ec.message());
    impl_->port = acceptor.local_endpoint(ec).port();
    if (ec)
        return make_error(errc::io_error, "fake_openai_http cannot read its port: " + ec.message());
    impl_->do_accept();
    impl_->thread = std::thread([s = impl_.get()] {
        // Handlers catch what they can; this only keeps a stray exception from ending the
        // thread (and with it every connection) silently.
        for (;;) {
            try {
                s->ioc.run();
                return;
            } catch (...) {
            }
        }
    });
    return ok();
}

std::uint16_t fake_openai_http::port() const
{
    return impl_->port;
}

std::string fake_openai_http::base_url() const
{
    return "http://127.0.0.1:" + std::to_string(impl_->port) + "/v1";
}

void fake_openai_http::set_fault(openai_http_fault f, int count)
{
    const std::lock_guard lock(impl_->state.mutex);
    impl_->state.fault = f;
    impl_->state.fault_count = count;
}

std::vector<recorded_request> fake_openai_http::requests() const
{
    const std::lock_guard lock(impl_->state.mutex);
    return impl_->state.requests;
}

int fake_openai_http::accepted_connections() const
{
    const std::lock_guard lock(impl_->state.mutex);
    return impl_->state.accepted;
}

bool fake_openai_http::wait_until(
    const std::function<bool(const std::vector<recorded_request>&)>& pred,
    std::chrono::milliseconds timeout) const
{
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    auto& state = impl_->state;
    std::unique_lock lock(state.mutex);
    for (;;) {
        const auto snapshot = state.requests;
        const auto seen = snapshot.size();
        // pred runs unlocked: it may call requests() or accepted_connections() itself.
        lock.unlock();
        if (pred(snapshot))
            return true;
        lock.lock();
        const auto now = clock::now();
        if (now >= deadline)
            return false;
        state.changed.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(50)),
                                 [&] { return state.requests.size() != seen; });
    }
}

} // namespace donna::fakes
