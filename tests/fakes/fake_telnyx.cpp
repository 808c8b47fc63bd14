// fake_telnyx.cpp: the REST handler (messages, calls), the events it makes, and the webhook
// deliverer.
#include "fake_telnyx.hpp"

#include "audio/base64.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace donna::fakes {
namespace {

using tjson = nlohmann::json;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::string_view calls_prefix = "/v2/calls/";

std::int64_t unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "2026-12-07T15:10:55.123456Z", `offset` after now.
std::string iso8601_at(std::int64_t micros)
{
    const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06lldZ",
                  static_cast<long long>(micros % 1'000'000));
    return std::string(text) + fraction;
}

std::int64_t now_micros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string iso8601(std::chrono::milliseconds offset = std::chrono::milliseconds(0))
{
    return iso8601_at(now_micros() + offset.count() * 1000);
}

bool is_e164(const std::string& number)
{
    return number.size() >= 8 && number.size() <= 16 && number[0] == '+' && number[1] != '0' &&
           std::all_of(number.begin() + 1, number.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

bool is_idempotency_key(const std::string& key)
{
    return !key.empty() && key.size() <= 255 && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':' || c == '-';
    });
}

tjson error_item(std::string code, std::string title, std::string detail, std::string pointer = "")
{
    tjson e = {
        {"code", std::move(code)}, {"title", std::move(title)}, {"detail", std::move(detail)}};
    if (!pointer.empty())
        e["source"] = {{"pointer", std::move(pointer)}};
    return e;
}

http_answer json_answer(int status, const tjson& body)
{
    return {
        .status = status, .headers = {{"content-type", "application/json"}}, .body = body.dump()};
}

http_answer errors_answer(int status, tjson item)
{
    return json_answer(status, {{"errors", tjson::array({std::move(item)})}});
}

std::string string_field(const tjson& body, const char* name)
{
    const auto it = body.find(name);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

std::string fake_telnyx_default_key()
{
    return std::string("KEY") + "0123456789ABCDEF" + "_fake_telnyx";
}

// ---------------------------------------------------------------- [webhooks]

struct fake_telnyx::webhooks {
    webhooks(const fake_telnyx_options& o) : options(o)
    {
        thread = std::thread([this] { run(); });
    }
    ~webhooks()
    {
        {
            const std::lock_guard lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        thread.join();
    }
    webhooks(const webhooks&) = delete;
    webhooks& operator=(const webhooks&) = delete;

    void add(std::string body)
    {
        {
            const std::lock_guard lock(mutex);
            pending.push_back(std::move(body));
            ++made;
        }
        wake.notify_all();
    }

    void run()
    {
        std::mt19937 random(std::random_device{}());
        std::unique_lock lock(mutex);
        while (!stopping) {
            if (pending.empty() || url.empty()) {
                wake.wait(lock);
                continue;
            }
            if (options.webhook_delay.count() > 0) {
                wake.wait_for(lock, options.webhook_delay, [&] { return stopping; });
                if (stopping || pending.empty() || url.empty())
                    continue;
            }
            std::size_t index = 0;
            if (options.reorder_webhooks)
                index = std::uniform_int_distribution<std::size_t>(0, pending.size() - 1)(random);
            const std::string body = pending[index];
            const std::string target = url;
            lock.unlock();
            const bool answered = post(target, body);
            lock.lock();
            ++attempts;
            if (answered) {
                // Only this thread removes; others append, so the index still names the body.
                pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(index));
                delivered.push_back(body);
                ++answered_count;
                wake.notify_all();
            } else {
                wake.wait_for(lock, options.retry_interval, [&] { return stopping; });
            }
        }
    }

    // One signed POST; true when the answer was 2xx.
    bool post(const std::string& target, const std::string& body) const
    {
        const auto parsed = boost::urls::parse_uri(target);
        if (!parsed)
            return false;
        try {
            boost::asio::io_context ioc;
            beast::tcp_stream stream(ioc);
            stream.expires_after(std::chrono::seconds(5));
            boost::asio::ip::tcp::resolver resolver(ioc);
            const auto port =
                parsed->port().empty() ? std::string("80") : std::string(parsed->port());
            stream.connect(resolver.resolve(std::string(parsed->host()), port));
            http::request<http::string_body> req{http::verb::post,
                                                 std::string(parsed->encoded_target()), 11};
            req.set(http::field::host, std::string(parsed->host()) + ":" + port);
            req.set(http::field::user_agent, "telnyx-webhooks");
            for (const auto& [name, value] : signer->headers(body, unix_now()))
                req.set(name, value);
            req.body() = body;
            req.prepare_payload();
            http::write(stream, req);
            beast::flat_buffer buffer;
            http::response<http::string_body> res;
            http::read(stream, buffer, res);
            beast::error_code ignored;
            stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
            return res.result_int() >= 200 && res.result_int() < 300;
        } catch (const std::exception&) {
            return false; // refused, reset, timed out: tried again later
        }
    }

    const fake_telnyx_options& options;
    const telnyx_webhook_signer* signer = nullptr;
    mutable std::mutex mutex;
    mutable std::condition_variable wake;
    std::string url;
    std::deque<std::string> pending;
    std::vector<std::string> delivered;
    int made = 0;
    int answered_count = 0;
    int attempts = 0;
    bool stopping = false;
    std::thread thread;
};

// ---------------------------------------------------------------- [api]

struct fake_telnyx::api : http_handler {
    explicit api(fake_telnyx_options o) : options(std::move(o)) {}

    std::optional<http_answer> admit(const recorded_request& request) override
    {
        const auto path = request.path();
        const bool messages = path == "/v2/messages";
        const bool dial = path == "/v2/calls";
        const bool call = path.starts_with(calls_prefix) && path.size() > calls_prefix.size();
        if (!messages && !dial && !call)
            return not_found();
        const bool status = call && path.find('/', calls_prefix.size()) == std::string::npos;
        if (request.method != (status ? "GET" : "POST"))
            return errors_answer(
                405, error_item("10015", "Bad Request", "The request method is not allowed here."));
        const auto auth = request.headers.find("authorization");
        if (auth == request.headers.end() || auth->second != "Bearer " + options.api_key)
            return errors_answer(401, error_item("10009", "Authentication failed",
                                                 "The required authentication headers were "
                                                 "either invalid or not included in the "
                                                 "request."));
        return std::nullopt;
    }

    http_answer rate_limited(int retry_after_seconds) override
    {
        auto a = errors_answer(429, error_item("10011", "Too many requests",
                                               "You have exceeded the maximum number of "
                                               "allowed requests."));
        a.headers.emplace_back("retry-after", std::to_string(retry_after_seconds));
        return a;
    }

    http_answer server_error() override
    {
        return errors_answer(
            500, error_item("10007", "Unexpected error", "An unexpected error occured."));
    }

    http_answer answer(const recorded_request& request) override
    {
        const auto path = request.path();
        const std::lock_guard lock(mutex);
        if (path == "/v2/messages")
            return send_message(request);
        if (path == "/v2/calls")
            return dial(request);
        const auto rest = path.substr(calls_prefix.size());
        const auto slash = rest.find('/');
        if (slash == std::string::npos)
            return call_status(rest);
        constexpr std::string_view actions = "/actions/";
        if (rest.compare(slash, actions.size(), actions) != 0)
            return not_found();
        return command(request, rest.substr(0, slash), rest.substr(slash + actions.size()));
    }

    static http_answer not_found()
    {
        return errors_answer(404, error_item("10005", "Resource not found",
                                             "The requested resource or URL could not be found."));
    }

    static std::optional<tjson> body_of(const recorded_request& request)
    {
        auto body = tjson::parse(request.body, nullptr, false);
        if (!body.is_object())
            return std::nullopt;
        return body;
    }

    static http_answer bad_body()
    {
        return errors_answer(400, error_item("10015", "Bad Request",
                                             "The request failed because it was not "
                                             "well-formed."));
    }

    // ---- messages

    http_answer send_message(const recorded_request& request)
    {
        const auto key_header = request.headers.find("idempotency-key");
        const std::string key = key_header == request.headers.end() ? "" : key_header->second;
        if (key_header != request.headers.end() && !is_idempotency_key(key))
            return errors_answer(422, error_item("10015", "Bad Request",
                                                 "Idempotency-Key must be 1 to 255 letters, "
                                                 "digits, '-', '_' or ':'."));
        if (!key.empty()) {
            const auto seen = by_key.find(key);
            if (seen != by_key.end()) {
                if (seen->second.first != request.body)
                    return errors_answer(422, error_item("10015", "Bad Request",
                                                         "The Idempotency-Key was used with a "
                                                         "different request."));
                ++key_answers[key];
                return seen->second.second; // the first answer again; nothing is sent
            }
        }
        const auto body = body_of(request);
        if (!body)
            return bad_body();
        fake_text text;
        text.to = string_field(*body, "to");
        text.from = string_field(*body, "from");
        text.messaging_profile_id = string_field(*body, "messaging_profile_id");
        text.text = string_field(*body, "text");
        text.idempotency_key = key;
        const auto type = string_field(*body, "type");
        if (text.to.empty())
            return errors_answer(422, error_item("10004", "Missing required parameter",
                                                 "The 'to' parameter is required.", "/to"));
        if (!is_e164(text.to))
            return errors_answer(422,
                                 error_item("10016", "Phone number must be in +E.164 format",
                                            "The 'to' parameter must be in +E.164 format.", "/to"));
        if (text.from.empty() && text.messaging_profile_id.empty())
            return errors_answer(422, error_item("10004", "Missing required parameter",
                                                 "Either 'from' or 'messaging_profile_id' is "
                                                 "required.",
                                                 "/from"));
        if (!text.from.empty() && !is_e164(text.from))
            return errors_answer(422, error_item("10016", "Phone number must be in +E.164 format",
                                                 "The 'from' parameter must be in +E.164 format.",
                                                 "/from"));
        if (const auto media = body->find("media_urls"); media != body->end()) {
            if (!media->is_array() || media->empty() || media->size() > 10)
                return errors_answer(422,
                                     error_item("10003", "Invalid URL",
                                                "media_urls holds 1 to 10 URLs.", "/media_urls"));
            for (const auto& url : *media) {
                const auto u = url.is_string() ? url.get<std::string>() : std::string();
                if (!u.starts_with("https://") && !u.starts_with("http://"))
                    return errors_answer(422, error_item("10003", "Invalid URL",
                                                         "The URL provided was invalid.",
                                                         "/media_urls"));
                text.media_urls.push_back(u);
            }
        }
        const bool mms = type == "MMS" || !text.media_urls.empty();
        if (mms && text.media_urls.empty())
            return errors_answer(422, error_item("10004", "Missing required parameter",
                                                 "An MMS needs media_urls.", "/media_urls"));
        if (!mms && text.text.empty())
            return errors_answer(422,
                                 error_item("10004", "Missing required parameter",
                                            "The 'text' parameter is required for SMS.", "/text"));
        text.id = telnyx_webhook_signer::new_id();
        const auto message = message_json(text, mms ? "MMS" : "SMS", "queued", tjson::array());
        auto answered = json_answer(200, {{"data", message}});
        texts.push_back(text);
        if (!key.empty()) {
            by_key[key] = {request.body, answered};
            ++key_answers[key];
        }
        const bool fails = failing.count(text.to) != 0;
        event("message.sent", message_json(text, mms ? "MMS" : "SMS", "sent", tjson::array()));
        event("message.finalized",
              message_json(text, mms ? "MMS" : "SMS", fails ? "delivery_failed" : "delivered",
                           fails ? tjson::array({error_item("40001", "Not routable",
                                                            "The destination number is either a "
                                                            "landline or a non-routable wireless "
                                                            "number.")})
                                 : tjson::array()),
              std::chrono::seconds(1));
        return answered;
    }

    static tjson message_json(const fake_text& t, const char* type, const char* status,
                              tjson errors)
    {
        tjson media = tjson::array();
        for (const auto& url : t.media_urls)
            media.push_back({{"url", url}, {"content_type", nullptr}, {"size", nullptr}});
        return {
            {"record_type", "message"},
            {"direction", "outbound"},
            {"id", t.id},
            {"type", type},
            {"messaging_profile_id",
             t.messaging_profile_id.empty() ? tjson(nullptr) : tjson(t.messaging_profile_id)},
            {"from", {{"phone_number", t.from}, {"carrier", "TELNYX LLC"}, {"line_type", "VoIP"}}},
            {"to", tjson::array({{{"phone_number", t.to},
                                  {"status", status},
                                  {"carrier", "T-MOBILE USA, INC."},
                                  {"line_type", "Wireless"}}})},
            {"cc", tjson::array()},
            {"text", t.text},
            {"media", media},
            {"encoding", "GSM-7"},
            {"parts", 1},
            {"tags", tjson::array()},
            {"cost", nullptr},
            {"errors", std::move(errors)}};
    }

    // ---- calls

    http_answer dial(const recorded_request& request)
    {
        const auto body = body_of(request);
        if (!body)
            return bad_body();
        if (string_field(*body, "connection_id") != options.connection_id)
            return errors_answer(422, error_item("10005", "Resource not found",
                                                 "The connection_id does not name a Call "
                                                 "Control application of this account.",
                                                 "/connection_id"));
        fake_call call;
        call.to = string_field(*body, "to");
        call.from = string_field(*body, "from");
        for (const auto* pointer : {"/to", "/from"}) {
            const auto& number = pointer[1] == 't' ? call.to : call.from;
            if (!is_e164(number))
                return errors_answer(422,
                                     error_item("10016", "Phone number must be in +E.164 format",
                                                "The number must be in +E.164 format.", pointer));
        }
        call.client_state = string_field(*body, "client_state");
        if (!call.client_state.empty() && !base64_decode(call.client_state))
            return errors_answer(422, error_item("10015", "Bad Request",
                                                 "client_state must be base64.", "/client_state"));
        call.call_control_id = "v3:" + server->make_id("", 40);
        call.call_leg_id = telnyx_webhook_signer::new_id();
        call.call_session_id = telnyx_webhook_signer::new_id();
        call.state = "dialing";
        calls.push_back(call);
        tjson data = call_json(call, "outgoing");
        data["is_alive"] = false;
        data["record_type"] = "call";
        event("call.initiated", call_payload(call, "outgoing", "bridging"));
        return json_answer(200, {{"data", data}});
    }

    fake_call* find_call(const std::string& id)
    {
        const auto it = std::find_if(calls.begin(), calls.end(),
                                     [&](const fake_call& c) { return c.call_control_id == id; });
        return it == calls.end() ? nullptr : &*it;
    }

    http_answer call_status(const std::string& id)
    {
        auto* call = find_call(id);
        if (call == nullptr)
            return not_found();
        tjson data = call_json(*call, "outgoing");
        data["is_alive"] = call->state != "hangup";
        data["record_type"] = "call";
        data["call_duration"] = 0;
        return json_answer(200, {{"data", data}});
    }

    http_answer command(const recorded_request& request, const std::string& id,
                        const std::string& action)
    {
        auto* call = find_call(id);
        if (call == nullptr)
            return not_found();
        const auto body = body_of(request);
        if (!body)
            return bad_body();
        static const std::set<std::string> known = {
            "answer", "hangup",          "transfer",       "record_start", "record_stop", "speak",
            "gather", "streaming_start", "streaming_stop", "reject",       "bridge"};
        if (known.count(action) == 0)
            return not_found();
        if (call->state == "hangup")
            return errors_answer(422, error_item("90018", "Call has already ended",
                                                 "This call is no longer active and can't "
                                                 "receive commands."));
        const auto command_id = string_field(*body, "command_id");
        if (!command_id.empty() && !commands_seen[id].insert(command_id).second)
            return json_answer(200, {{"data", {{"result", "ok"}}}}); // seen: ignored
        if (auto state = string_field(*body, "client_state"); !state.empty()) {
            if (!base64_decode(state))
                return errors_answer(422,
                                     error_item("10015", "Bad Request",
                                                "client_state must be base64.", "/client_state"));
            call->client_state = state;
        }
        if (action == "transfer") {
            const auto to = string_field(*body, "to");
            if (to.empty())
                return errors_answer(422, error_item("10004", "Missing required parameter",
                                                     "The 'to' parameter is required.", "/to"));
            if (auto refused = transfer(*call, *body, to))
                return *refused;
        } else if (action == "record_start") {
            const auto format = string_field(*body, "format");
            const auto channels = string_field(*body, "channels");
            if ((format != "mp3" && format != "wav") ||
                (channels != "single" && channels != "dual"))
                return errors_answer(422, error_item("10015", "Bad Request",
                                                     "format (mp3|wav) and channels "
                                                     "(single|dual) are required.",
                                                     "/format"));
            call->recording = true;
            recording_format[id] = format;
        } else if (action == "record_stop") {
            if (call->recording) {
                call->recording = false;
                const auto format = recording_format[id];
                tjson payload = {
                    {"call_leg_id", call->call_leg_id},
                    {"call_session_id", call->call_session_id},
                    {"connection_id", options.connection_id},
                    {"client_state", call->client_state},
                    {"channels", "single"},
                    {"recording_started_at", iso8601(std::chrono::seconds(-5))},
                    {"recording_ended_at", iso8601()},
                    {"recording_urls",
                     {{format, "https://recordings.example/" + call->call_leg_id + "." + format}}},
                    {"public_recording_urls", tjson::object()}};
                event("call.recording.saved", payload);
            }
        } else if (action == "hangup") {
            end_call(*call, "caller");
        } else if (action == "reject") {
            end_call(*call, "callee", "call_rejected");
        } else if (action == "streaming_start") {
            if (auto refused = start_stream(*call, *body))
                return *refused;
        } else if (action == "answer") {
            call->state = "answered";
            event("call.answered", call_payload(*call, "incoming", "answered"));
        }
        call->commands.push_back(action);
        return json_answer(200, {{"data", {{"result", "ok"}}}});
    }

    // transfer's optional fields, checked, then the person answers (call.bridged) or the new
    // leg rings out (transfer_end_cause).
    std::optional<http_answer> transfer(fake_call& call, const tjson& body, const std::string& to)
    {
        const auto bad = [](const char* what, const char* pointer) {
            return errors_answer(422, error_item("10015", "Bad Request", what, pointer));
        };
        int timeout = 0;
        if (const auto it = body.find("timeout_secs"); it != body.end()) {
            if (!it->is_number_integer() || it->get<int>() < 5 || it->get<int>() > 600)
                return bad("timeout_secs must be 5 to 600.", "/timeout_secs");
            timeout = it->get<int>();
        }
        const auto leg_state = string_field(body, "target_leg_client_state");
        if (!leg_state.empty() && !base64_decode(leg_state))
            return bad("target_leg_client_state must be base64.", "/target_leg_client_state");
        const auto audio = string_field(body, "audio_url");
        if (!audio.empty() && !audio.starts_with("http://") && !audio.starts_with("https://"))
            return bad("audio_url must be an http(s) URL.", "/audio_url");
        call.transferred_to = to;
        call.transfer_audio_url = audio;
        call.transfer_target_client_state = leg_state;
        call.transfer_timeout_secs = timeout;
        if (transfer_end_cause.empty()) {
            call.state = "bridged";
            auto payload = call_payload(call, "outgoing", "bridged");
            payload["to"] = to;
            event("call.bridged", payload);
            return std::nullopt;
        }
        fake_call leg;
        leg.from = call.to;
        leg.to = to;
        leg.call_control_id = "v3:" + server->make_id("", 40);
        leg.call_leg_id = telnyx_webhook_signer::new_id();
        leg.call_session_id = call.call_session_id; // one phone call, two legs
        leg.client_state = leg_state;
        leg.state = "dialing";
        event("call.initiated", call_payload(leg, "outgoing", "bridging"));
        end_call(leg, "callee", transfer_end_cause.c_str());
        calls.push_back(leg);
        return std::nullopt;
    }

    // streaming_start's fields, checked as Telnyx's API lists them.
    std::optional<http_answer> start_stream(fake_call& call, const tjson& body)
    {
        static const std::set<std::string> codecs = {"PCMU", "PCMA",   "G722",
                                                     "OPUS", "AMR-WB", "L16"};
        const auto url = string_field(body, "stream_url");
        if (!url.starts_with("ws://") && !url.starts_with("wss://"))
            return errors_answer(422, error_item("10015", "Bad Request",
                                                 "stream_url must be a ws:// or wss:// URL.",
                                                 "/stream_url"));
        const auto codec = string_field(body, "stream_codec");
        const auto back = string_field(body, "stream_bidirectional_codec");
        const auto mode = string_field(body, "stream_bidirectional_mode");
        if ((!codec.empty() && codec != "default" && codecs.count(codec) == 0) ||
            (!back.empty() && codecs.count(back) == 0) ||
            (!mode.empty() && mode != "mp3" && mode != "rtp"))
            return errors_answer(
                422, error_item("10015", "Bad Request", "Unknown codec or bidirectional mode."));
        int rate = 0;
        if (const auto it = body.find("stream_bidirectional_sampling_rate"); it != body.end()) {
            static const std::set<int> rates = {8000, 16000, 22050, 24000, 48000};
            if (!it->is_number_integer() || rates.count(it->get<int>()) == 0)
                return errors_answer(422, error_item("10015", "Bad Request",
                                                     "Unsupported sampling rate.",
                                                     "/stream_bidirectional_sampling_rate"));
            rate = it->get<int>();
        }
        call.stream_url = url;
        call.stream_auth_token = string_field(body, "stream_auth_token");
        call.stream_codec = codec;
        call.stream_bidirectional_mode = mode.empty() ? "mp3" : mode; // Telnyx's default
        call.stream_bidirectional_codec = back.empty() ? "PCMU" : back;
        call.stream_sampling_rate = rate == 0 ? 8000 : rate;
        ++call.streams;
        auto payload = call_payload(call, "incoming", "answered");
        payload["stream_url"] = url;
        event("streaming.started", payload);
        return std::nullopt;
    }

    void end_call(fake_call& call, const char* source, const char* cause = "normal_clearing")
    {
        call.state = "hangup";
        call.hangup_cause = cause;
        auto payload = call_payload(call, "outgoing", "hangup");
        payload["hangup_cause"] = cause;
        payload["hangup_source"] = source;
        payload["sip_hangup_cause"] = "200";
        event("call.hangup", payload);
    }

    tjson call_json(const fake_call& call, const char*) const
    {
        tjson data = {{"call_control_id", call.call_control_id},
                      {"call_leg_id", call.call_leg_id},
                      {"call_session_id", call.call_session_id}};
        if (!call.client_state.empty())
            data["client_state"] = call.client_state;
        return data;
    }

    tjson call_payload(const fake_call& call, const char* direction, const char* state) const
    {
        tjson payload = call_json(call, direction);
        payload["connection_id"] = options.connection_id;
        payload["from"] = call.from;
        payload["to"] = call.to;
        payload["direction"] = direction;
        payload["state"] = state;
        payload["start_time"] = iso8601();
        if (!payload.contains("client_state"))
            payload["client_state"] = nullptr;
        return payload;
    }

    // Queues a signed event (`later`: its occurred_at that much after now).
    std::string event(const std::string& type, const tjson& payload,
                      std::chrono::milliseconds later = std::chrono::milliseconds(0))
    {
        // Events the fake makes one after another occur at least a millisecond apart, as a
        // call's events at Telnyx do (a receiver orders them by occurred_at).
        auto at = now_micros() + later.count() * 1000;
        if (later.count() == 0) {
            at = std::max(at, last_occurred_micros + 1000);
            last_occurred_micros = at;
        }
        auto body = signer.event(type, iso8601_at(at), payload, telnyx_webhook_signer::new_id());
        hooks->add(body);
        return body;
    }

    fake_telnyx_options options;
    telnyx_webhook_signer signer;
    webhooks* hooks = nullptr;
    std::int64_t last_occurred_micros = 0; // the api's mutex
    mutable std::mutex mutex;
    std::vector<fake_text> texts;
    std::map<std::string, std::pair<std::string, http_answer>> by_key;
    std::map<std::string, int> key_answers;
    std::set<std::string> failing;
    std::deque<fake_call> calls; // a deque: a call found stays put while a transfer adds a leg
    std::map<std::string, std::set<std::string>> commands_seen;
    std::map<std::string, std::string> recording_format;
    std::string transfer_end_cause; // transfers_end()
};

// ---------------------------------------------------------------- [fake_telnyx]

fake_telnyx::fake_telnyx(const fake_telnyx_options& options)
    : fake_http_server(std::make_unique<api>(options),
                       {.name = "donna-fake-telnyx",
                        .tls = false,
                        .fault = options.fault,
                        .fault_count = options.fault_count,
                        .retry_after_seconds = options.retry_after_seconds,
                        .chunk_interval = std::chrono::milliseconds(0)}),
      api_(static_cast<api&>(handler()))
{
    webhooks_ = std::make_unique<webhooks>(api_.options);
    webhooks_->signer = &api_.signer;
    api_.hooks = webhooks_.get();
}

fake_telnyx::~fake_telnyx()
{
    webhooks_.reset();
}

std::string fake_telnyx::base_url() const
{
    return origin() + "/v2";
}

const std::string& fake_telnyx::api_key() const
{
    return api_.options.api_key;
}

const std::string& fake_telnyx::connection_id() const
{
    return api_.options.connection_id;
}

const telnyx_webhook_signer& fake_telnyx::signer() const
{
    return api_.signer;
}

void fake_telnyx::deliver_webhooks_to(const std::string& url)
{
    {
        const std::lock_guard lock(webhooks_->mutex);
        webhooks_->url = url;
    }
    webhooks_->wake.notify_all();
}

void fake_telnyx::fail_delivery_to(const std::string& number)
{
    const std::lock_guard lock(api_.mutex);
    api_.failing.insert(number);
}

std::vector<fake_text> fake_telnyx::texts() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.texts;
}

int fake_telnyx::texts_sent() const
{
    const std::lock_guard lock(api_.mutex);
    return static_cast<int>(api_.texts.size());
}

int fake_telnyx::answers_for_key(const std::string& idempotency_key) const
{
    const std::lock_guard lock(api_.mutex);
    const auto it = api_.key_answers.find(idempotency_key);
    return it == api_.key_answers.end() ? 0 : it->second;
}

std::string fake_telnyx::receive_text(const std::string& from, const std::string& to,
                                      const std::string& text)
{
    const auto id = telnyx_webhook_signer::new_id();
    const tjson payload = {
        {"record_type", "message"},
        {"direction", "inbound"},
        {"id", id},
        {"type", "SMS"},
        {"from",
         {{"phone_number", from}, {"carrier", "T-MOBILE USA, INC."}, {"line_type", "Wireless"}}},
        {"to", tjson::array({{{"phone_number", to}, {"status", "webhook_delivered"}}})},
        {"text", text},
        {"media", tjson::array()},
        {"encoding", "GSM-7"},
        {"parts", 1},
        {"received_at", iso8601()},
        {"errors", tjson::array()}};
    const std::lock_guard lock(api_.mutex);
    const auto body = api_.event("message.received", payload);
    return tjson::parse(body)["data"]["id"].get<std::string>();
}

std::vector<fake_call> fake_telnyx::calls() const
{
    const std::lock_guard lock(api_.mutex);
    return {api_.calls.begin(), api_.calls.end()};
}

void fake_telnyx::answer_call(const std::string& call_control_id)
{
    const std::lock_guard lock(api_.mutex);
    if (auto* call = api_.find_call(call_control_id); call != nullptr && call->state == "dialing") {
        call->state = "answered";
        api_.event("call.answered", api_.call_payload(*call, "outgoing", "answered"));
    }
}

void fake_telnyx::hang_up_call(const std::string& call_control_id)
{
    const std::lock_guard lock(api_.mutex);
    if (auto* call = api_.find_call(call_control_id); call != nullptr && call->state != "hangup")
        api_.end_call(*call, "callee");
}

void fake_telnyx::transfers_end(const std::string& hangup_cause)
{
    const std::lock_guard lock(api_.mutex);
    api_.transfer_end_cause = hangup_cause;
}

std::string fake_telnyx::call_in(const std::string& from, const std::string& to,
                                 const std::string& offered_codecs)
{
    const std::lock_guard lock(api_.mutex);
    fake_call call;
    call.from = from;
    call.to = to;
    call.offered_codecs = offered_codecs;
    call.call_control_id = "v3:" + make_id("", 40);
    call.call_leg_id = telnyx_webhook_signer::new_id();
    call.call_session_id = telnyx_webhook_signer::new_id();
    call.state = "dialing";
    api_.calls.push_back(call);
    auto payload = api_.call_payload(call, "incoming", "parked");
    if (!offered_codecs.empty())
        payload["offered_codecs"] = offered_codecs;
    api_.event("call.initiated", payload);
    return call.call_control_id;
}

std::optional<fake_call> fake_telnyx::wait_stream(const std::string& call_control_id,
                                                  std::chrono::milliseconds timeout) const
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        {
            const std::lock_guard lock(api_.mutex);
            if (const auto* call = api_.find_call(call_control_id);
                call != nullptr && !call->stream_url.empty())
                return *call;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5)); // polls the fake's own state
    }
}

std::string fake_telnyx::send_event(const std::string& type, const nlohmann::json& payload)
{
    const std::lock_guard lock(api_.mutex);
    return api_.event(type, payload);
}

int fake_telnyx::webhooks_made() const
{
    const std::lock_guard lock(webhooks_->mutex);
    return webhooks_->made;
}

int fake_telnyx::webhooks_answered() const
{
    const std::lock_guard lock(webhooks_->mutex);
    return webhooks_->answered_count;
}

int fake_telnyx::webhook_attempts() const
{
    const std::lock_guard lock(webhooks_->mutex);
    return webhooks_->attempts;
}

bool fake_telnyx::wait_webhooks_answered(std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(webhooks_->mutex);
    return webhooks_->wake.wait_for(lock, timeout, [&] {
        return webhooks_->pending.empty() && webhooks_->answered_count >= webhooks_->made;
    });
}

void fake_telnyx::redeliver_all()
{
    std::vector<std::string> again;
    {
        const std::lock_guard lock(webhooks_->mutex);
        again = webhooks_->delivered;
    }
    for (auto& body : again)
        webhooks_->add(std::move(body));
}

} // namespace donna::fakes
