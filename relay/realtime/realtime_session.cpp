// realtime_session.cpp: the proxy loop: accept, open the upstream, relay both ways with the
// policy, the audio budget and the optional Opus bridges; close both sides together. DONNA's
// own donna.persona and donna.chat.message events are handled here, before the policy (which
// refuses other donna.*): a typed chat message goes to the text chat (chat/chat_service), its
// reply streams back as donna.chat.delta events and one donna.chat.message.
//
// DONNA's actions: the relay offers the model its tools in the first session.update (never
// shown to the client: session.created/updated reach it without session.tools), carries out
// the model's function calls (realtime/realtime_tool_calls) with chat/chat_actions, answers
// each with a function_call_output item and asks for the response to go on. A visitor who
// leaves while a response is under way does not lose what they asked for: the upstream is
// kept until that response is done (at most tool_linger), its calls are carried out, and
// only then closed.
#include "realtime/realtime_session.hpp"

#include "audio/opus_bridge.hpp"
#include "chat/chat_actions.hpp"
#include "chat/chat_reply_event.hpp"
#include "chat/chat_service.hpp"
#include "chat/chat_tools.hpp"
#include "core/unix_time.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "policy/client_policy.hpp"
#include "policy/recipient_policy.hpp"
#include "protocol/donna_events.hpp"
#include "protocol/json_fields.hpp"
#include "protocol/realtime_events.hpp"
#include "realtime/audio_budget.hpp"
#include "realtime/realtime_tool_calls.hpp"
#include "realtime/realtime_usage.hpp"
#include "realtime/upstream.hpp"
#include "realtime/voice_actions.hpp"
#include "settings/live_settings.hpp"
#include "upstream/usage_meter.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <variant>
#include <vector>

namespace donna::relay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;

// What a slow client may have queued before the relay gives up on it (about 3 minutes of
// 24 kHz PCM16 audio as base64 JSON).
constexpr std::size_t max_queued_to_client = std::size_t{16} << 20;

// The "code" of a Realtime error event (refusals are rare: parsing one is cheap).
std::string error_code_of(const std::string& error_event)
{
    const auto event = nlohmann::json::parse(error_event, nullptr, false);
    if (event.is_object() && event.contains("error") && event["error"].is_object() &&
        event["error"].contains("code") && event["error"]["code"].is_string())
        return event["error"]["code"].get<std::string>();
    return "unknown";
}

constexpr std::size_t hard_limit_factor = 4;

// How long the upstream is kept after the visitor left mid-response, for the response's
// function calls to arrive (a response rarely takes more than a few seconds).
constexpr auto tool_linger = std::chrono::seconds(15);

struct outgoing {
    std::string data;
    bool binary = false;
};

class realtime_session final : public drainable,
                               public std::enable_shared_from_this<realtime_session> {
public:
    realtime_session(std::unique_ptr<websocket_channel> client, realtime_grant grant,
                     const realtime_deps& deps)
        : deps_(deps),
          ws_(std::move(client)),
          grant_(std::move(grant)),
          metrics_(deps_.metrics),
          budget_(cfg().max_audio_seconds_per_session, cfg().max_audio_seconds_per_minute),
          shutdown_timer_(ws_->get_executor()),
          linger_timer_(ws_->get_executor())
    {}

    void run(const websocket_channel::upgrade_request& upgrade)
    {
        ws_->tcp().expires_never();
        ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        // Messages up to 4x the limit are read and refused with an error event (the session
        // goes on); only beyond that does Beast close with 1009, unread bytes and all.
        ws_->read_message_max(cfg().max_message_bytes * hard_limit_factor);
        ws_->set_option(websocket::stream_base::decorator(
            [protocol = grant_.subprotocol](websocket::response_type& res) {
                res.set(http::field::server, "donna-relay");
                if (!protocol.empty())
                    res.set(http::field::sec_websocket_protocol, protocol);
            }));
        ws_->async_accept(
            upgrade, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    }

    void begin_shutdown() override
    {
        net::dispatch(ws_->get_executor(), [self = shared_from_this()] {
            if (self->closing_)
                return;
            // Most of the drain window for the conversation to finish, the rest to say why
            // and close cleanly before the relay stops.
            const auto grace = std::chrono::milliseconds(self->cfg().shutdown_grace_ms);
            self->shutdown_timer_.expires_after(grace * 3 / 4);
            self->shutdown_timer_.async_wait([self](beast::error_code ec) {
                if (ec)
                    return;
                self->fail_session("relay_shutting_down",
                                   "the relay is restarting; reconnect in a moment",
                                   websocket::close_code::going_away);
            });
        });
    }

private:
    const config& cfg() const { return grant_.settings->cfg; }

    void on_accept(beast::error_code ec)
    {
        if (ec) {
            metrics_.error("websocket_handshake_failed").inc();
            return;
        }
        metrics_.sessions_total.inc();
        metrics_.sessions_active.add(1);
        counted_ = true;
        deps_.log.info("realtime", "session started: site " + grant_.claims.site + ", persona " +
                                       grant_.claims.persona + ", " +
                                       (grant_.spelling == dialect::beta ? "beta" : "GA") +
                                       (grant_.opus_output ? ", Opus output" : ""));
        grant_.lease->attach(weak_from_this());
        policy_.emplace(grant_.settings->personas.get(grant_.persona), grant_.spelling,
                        upstream_models());
        if (grant_.opus_output) {
            auto bridge = opus_output_bridge::create();
            if (bridge)
                opus_out_.emplace(std::move(*bridge));
        }
        start_upstream();
        read_next();
    }

    // The models the session's upstream is asked to use: OpenAI's from the settings; the
    // demo transcribes by itself and does not reason.
    realtime_model_settings upstream_models() const
    {
        if (cfg().realtime() != realtime_mode::openai)
            return {};
        return {.model = cfg().openai_realtime_model,
                .transcription_model = cfg().transcription_model,
                .transcription_language = cfg().transcription_language,
                .tools = offers_tools() ? realtime_tools_json() : nlohmann::json(nullptr),
                .tools_instructions = std::string(actions_instructions())};
    }

    // DONNA's actions are offered to OpenAI's model (the demo does not call tools), unless
    // DONNA_CHAT_TOOLS=0 or there is nowhere to keep what they do.
    bool offers_tools() const { return voice_actions_offered(cfg(), deps_.actions); }

    void start_upstream()
    {
        const auto executor = ws_->get_executor();
        switch (cfg().realtime()) {
        case realtime_mode::off:
            return fail_session("upstream_not_configured",
                                "voice is off: OPENAI_API_KEY is not set on the relay (an "
                                "operator can set it, or DONNA_DEMO=1 for the local demo)",
                                websocket::close_code::try_again_later);
        case realtime_mode::openai:
            upstream_ = make_openai_upstream(executor, grant_.settings, grant_.spelling, deps_);
            break;
        case realtime_mode::demo:
            upstream_ = make_demo_upstream(executor, grant_.greeting, grant_.spelling, deps_);
            break;
        }
        // The Realtime API's first event is session.created: the relay's own events (a refused
        // field of an early session.update, a status) wait behind it, as clients expect.
        holding_ = true;
        std::weak_ptr<realtime_session> weak = shared_from_this();
        upstream_->start(upstream_callbacks{[weak] {
                                                if (auto self = weak.lock())
                                                    self->on_upstream_open();
                                            },
                                            [weak](std::string text) {
                                                if (auto self = weak.lock())
                                                    self->on_upstream_event(std::move(text));
                                            },
                                            [weak](const upstream_failure& failure) {
                                                if (auto self = weak.lock())
                                                    self->fail_session(
                                                        failure.code, failure.message,
                                                        websocket::close_code::internal_error);
                                            }});
        // First in the upstream's queue, ahead of anything the client sends.
        upstream_->send(policy_->initial_session_update());
        if (auto transcription = policy_->transcription_update(); !transcription.empty())
            upstream_->send(std::move(transcription));
    }

    void on_upstream_open()
    {
        upstream_open_ = true;
        if (grant_.donna_client)
            send_status(connection_state::connected);
    }

    void on_upstream_event(std::string text)
    {
        metrics_.messages_upstream_to_client.inc();
        metrics_.bytes_upstream_to_client.inc(static_cast<double>(text.size()));
        // One look at the type decides what else reads the event: audio deltas, most of the
        // traffic, are passed over by all of it.
        const auto type = peek_event_type(text);
        const std::string_view kind = type ? *type : std::string_view();
        if (kind == "response.done" && cfg().realtime() == realtime_mode::openai) {
            if (const auto used = response_done_usage(text))
                deps_.usage.tokens("openai", cfg().openai_realtime_model, *used);
        }
        if (offers_tools() && (kind == "session.created" || kind == "session.updated"))
            text = without_tools(text);
        // Read before forwarding: the text is moved to the client's queue.
        const auto calls = tool_calls_.on_upstream_event(kind, text);
        if (kind == "conversation.item.input_audio_transcription.completed")
            hear_transcript(text);
        if (!client_gone_) {
            const bool first = holding_;
            holding_ = false;
            forward_upstream_event(std::move(text));
            if (first)
                release_held();
        }
        carry_out(calls);
    }

    // The visitor's words, for the recipient policy: a transcript of what they said...
    void hear_transcript(const std::string& text)
    {
        const auto event = nlohmann::json::parse(text, nullptr, false);
        if (event.is_object() && event.contains("transcript") && event["transcript"].is_string())
            heard_.heard(event["transcript"].get_ref<const std::string&>());
    }

    // ...and what they typed: a user message item's input_text parts.
    void hear_typed(const std::string& text)
    {
        const auto event = nlohmann::json::parse(text, nullptr, false);
        if (!event.is_object() || !event.contains("item") || !event["item"].is_object())
            return;
        const auto& item = event["item"];
        if (item.value("role", "") != "user" || !item.contains("content") ||
            !item["content"].is_array())
            return;
        for (const auto& part : item["content"])
            if (part.is_object() && part.value("type", "") == "input_text" &&
                part.contains("text") && part["text"].is_string())
                heard_.heard(part["text"].get_ref<const std::string&>());
    }

    // A session event as the client may see it: without the tools the relay set.
    static std::string without_tools(const std::string& text)
    {
        auto event = nlohmann::json::parse(text, nullptr, false);
        if (!event.is_object() || !event.contains("session") || !event["session"].is_object())
            return text;
        auto& session = event["session"];
        if (!session.contains("tools"))
            return text;
        session.erase("tools");
        return dump_json(event);
    }

    // The model's calls, carried out with the text chat's executor; each answered upstream,
    // then the response asked to go on (not once the visitor has left: nobody would hear it).
    void carry_out(const realtime_tool_calls::step& step)
    {
        if (!upstream_ || (step.ready.empty() && !step.response_finished))
            return; // nearly every event: nothing called, no response ended
        if (!step.ready.empty()) {
            const chat_action_context context{.site = grant_.claims.site,
                                              .conversation = grant_.claims.token_id,
                                              .channel = action_channel::voice,
                                              .now_unix = unix_now(),
                                              .where = cfg().sites.find(grant_.claims.site),
                                              .heard = &heard_,
                                              .email_sender = !cfg().smtp_host.empty(),
                                              .sms_sender = cfg().texting_configured()};
            answer_tool_calls(tool_calls_, step.ready, context,
                              {deps_.actions, metrics_, deps_.log}, nullptr,
                              [this](std::string event) { upstream_->send(std::move(event)); });
        }
        if (client_gone_) {
            if (step.response_finished && !tool_calls_.response_in_progress())
                stop_lingering();
            return;
        }
        if (step.continue_response)
            upstream_->send(continue_response_event(tool_calls_.tools_final()));
    }

    void forward_upstream_event(std::string text)
    {
        if (opus_out_) {
            auto converted = opus_out_->on_server_event(text);
            if (converted) {
                queue_to_client({std::move(converted->event_text), false});
                for (auto& frame : converted->frames)
                    queue_to_client({std::string(frame.begin(), frame.end()), true});
                return;
            }
            metrics_.error("opus_encode_failed").inc();
        }
        queue_to_client({std::move(text), false});
    }

    void read_next()
    {
        ws_->async_read(read_buffer_,
                        [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            self->on_read(ec, bytes);
                        });
    }

    void on_read(beast::error_code ec, std::size_t bytes)
    {
        if (ec) {
            if (ec == websocket::error::message_too_big)
                metrics_.error("message_too_big").inc();
            return end_session();
        }
        if (bytes > cfg().max_message_bytes) {
            read_buffer_.consume(read_buffer_.size());
            metrics_.error("donna_message_too_large").inc();
            send_error("donna_message_too_large",
                       "a message of " + std::to_string(bytes) + " bytes is over the limit of " +
                           std::to_string(cfg().max_message_bytes) +
                           " bytes and was not forwarded; send audio in smaller appends");
            return read_next();
        }
        metrics_.messages_client_to_upstream.inc();
        metrics_.bytes_client_to_upstream.inc(static_cast<double>(bytes));
        auto text = beast::buffers_to_string(read_buffer_.data());
        read_buffer_.consume(read_buffer_.size());
        if (ws_->got_binary())
            on_client_binary(text);
        else
            on_client_text(text);
        if (!closing_)
            read_next();
    }

    void on_client_text(const std::string& text)
    {
        // One scan for the type serves the routing here and the audio check below (an
        // append's forward_text is the text itself).
        const auto type = peek_event_type(text);
        if (type && *type == donna_persona::type_name)
            return switch_persona(text);
        if (type && *type == donna_chat_message::type_name)
            return chat_message(text);
        auto decision = policy_->filter(text);
        if (!decision.error_event.empty()) {
            metrics_.error(error_code_of(decision.error_event)).inc();
            queue_to_client({std::move(decision.error_event), false});
        }
        switch (decision.action) {
        case client_event_action::refuse:
            return;
        case client_event_action::connect_realtime:
            // The seed's clients ask for the upstream explicitly; it is opened at accept.
            return send_status(upstream_open_ ? connection_state::connected
                                              : connection_state::connecting);
        case client_event_action::forward:
            break;
        }
        if (type && *type == "input_audio_buffer.append" &&
            !admit_audio(pcm16_seconds_in_append(decision.forward_text)))
            return;
        if (type && (*type == "conversation.item.create" || *type == "response.create"))
            tool_calls_.visitor_turn();
        if (type && *type == "conversation.item.create")
            hear_typed(decision.forward_text);
        if (upstream_)
            upstream_->send(std::move(decision.forward_text));
    }

    // {"type":"donna.persona","persona":"sales"}: the persona's instructions go upstream
    // (in the session's snapshot of the catalog) and the client gets the event back as the
    // confirmation. A bad event is an error event; the session keeps its persona and goes on.
    void switch_persona(const std::string& text)
    {
        const auto event = parse_donna_event(text);
        if (!event)
            return refuse_persona(event.error());
        const auto persona = std::get<donna_persona>(*event).persona;
        if (upstream_)
            upstream_->send(policy_->persona_switch_update(grant_.settings->personas.get(persona)));
        grant_.persona = persona;
        deps_.log.info("realtime", "persona switched to " + std::string(to_string(persona)));
        queue_to_client({serialize(donna_event(donna_persona{persona})), false});
    }

    // {"type":"donna.chat.message","id":"m1","role":"user","text":"..."}: one chat turn with
    // the session's persona; the reply's id is "<id>-reply".
    void chat_message(const std::string& text)
    {
        const auto event = parse_donna_event(text);
        const auto* message = event ? std::get_if<donna_chat_message>(&*event) : nullptr;
        if (!message || message->role != chat_role::user) {
            const std::string code = event ? "invalid_request" : to_string(event.error().code);
            metrics_.error(code).inc();
            return send_error(code, event ? "donna.chat.message from a client must have role "
                                            "\"user\""
                                          : "donna.chat.message refused: " + event.error().message);
        }
        const std::string reply_id = message->id + "-reply";
        std::weak_ptr<realtime_session> weak = shared_from_this();
        chat_turn_events events;
        events.executor = ws_->get_executor(); // the turn's answers come to this strand
        events.on_delta = [weak, reply_id](std::string_view delta) {
            if (auto self = weak.lock())
                self->queue_to_client(
                    {serialize(donna_event(donna_chat_delta{reply_id, std::string(delta)})),
                     false});
        };
        events.on_done = [weak, reply_id,
                          persona = grant_.persona](const chat_turn_outcome& outcome) {
            auto self = weak.lock();
            if (!self)
                return;
            if (!outcome.error_code.empty())
                self->send_error(outcome.error_code, outcome.error_message);
            if (outcome.error_code.empty() || outcome.fallback)
                self->queue_to_client(
                    {dump_json(chat_reply_event(reply_id, persona, outcome)), false});
        };
        auto call =
            deps_.chat.start_turn(grant_.settings,
                                  chat_turn_request{.conversation_id = grant_.claims.token_id,
                                                    .visitor_key = grant_.claims.token_id,
                                                    .persona = grant_.persona,
                                                    .text = message->text,
                                                    .site = grant_.claims.site,
                                                    .user_id = grant_.claims.user_id},
                                  std::move(events));
        if (!call)
            return;
        // Finished calls ignore cancel(); keeping the last few bounds the list.
        if (chat_calls_.size() >= 8)
            chat_calls_.erase(chat_calls_.begin());
        chat_calls_.push_back(std::move(call));
    }

    void refuse_persona(const error& e)
    {
        // An unknown name is the one mistake a working client can make (a stale list of
        // personas); the other codes say the event itself is malformed.
        const std::string code =
            e.code == errc::out_of_range ? "unknown_persona" : std::string(to_string(e.code));
        metrics_.error(code).inc();
        send_error(code, "donna.persona refused: " + e.message + "; the session keeps the " +
                             std::string(to_string(grant_.persona)) + " persona");
    }

    void on_client_binary(const std::string& frame)
    {
        if (!opus_in_) {
            auto bridge = opus_input_bridge::create();
            if (!bridge) {
                metrics_.error("codec_error").inc();
                return send_error("codec_error", bridge.error().message);
            }
            opus_in_.emplace(std::move(*bridge));
        }
        const double before = opus_in_->seconds_decoded();
        auto append = opus_in_->on_frame(
            std::span(reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size()));
        if (!append) {
            metrics_.error("invalid_audio_frame").inc();
            return send_error("invalid_audio_frame", append.error().message);
        }
        if (!admit_audio(opus_in_->seconds_decoded() - before))
            return;
        if (upstream_)
            upstream_->send(std::move(*append));
    }

    bool admit_audio(double seconds)
    {
        const auto verdict = budget_.admit(seconds, std::chrono::steady_clock::now());
        if (verdict.admitted) {
            metrics_.audio_seconds_in.inc(seconds);
            audio_refused_ = false;
            return true;
        }
        metrics_.error("donna_audio_limit").inc();
        // One error per refusal streak, not one per 20 ms frame.
        if (!audio_refused_)
            send_error("donna_audio_limit", verdict.message);
        audio_refused_ = true;
        return false;
    }

    void send_error(std::string_view code, std::string_view message)
    {
        queue_to_client({policy_ ? policy_->error_event(code, message)
                                 : client_policy::standalone_error_event(code, message),
                         false});
    }

    void send_status(connection_state state)
    {
        queue_to_client({serialize(donna_event(donna_status{state, {}})), false});
    }

    // Tells the client why, then closes both sides (after the queued events are written).
    void fail_session(std::string_view code, std::string_view message, websocket::close_code how)
    {
        if (closing_)
            return;
        metrics_.error(code).inc();
        // Upstream messages are quoted to the client: never let one carry a credential.
        const auto safe = deps_.log.redact(message);
        deps_.log.warn("realtime", "session ended: " + std::string(code) + ": " + safe);
        holding_ = false;
        release_held();
        send_error(code, safe);
        if (upstream_)
            upstream_->close();
        closing_ = true;
        close_code_ = how;
        if (!writing_)
            write_next();
    }

    void end_session()
    {
        closing_ = true;
        for (auto& call : chat_calls_)
            call->cancel();
        chat_calls_.clear();
        shutdown_timer_.cancel();
        if (upstream_ && upstream_open_ && offers_tools() && tool_calls_.response_in_progress() &&
            !client_gone_) {
            // The visitor left while DONNA was answering: what they asked for may still be
            // in that answer. The timer keeps the session alive until it is done.
            client_gone_ = true;
            metrics_.realtime_lingering.add(1);
            lingering_ = true;
            linger_timer_.expires_after(tool_linger);
            linger_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
                if (!ec)
                    self->stop_lingering();
            });
            return;
        }
        client_gone_ = true;
        stop_lingering();
    }

    void stop_lingering()
    {
        if (lingering_) {
            lingering_ = false;
            metrics_.realtime_lingering.add(-1);
        }
        linger_timer_.cancel();
        if (upstream_) {
            upstream_->close();
            upstream_.reset();
        }
    }

    void release_held()
    {
        auto held = std::move(held_);
        held_.clear();
        held_bytes_ = 0;
        for (auto& message : held)
            queue_to_client(std::move(message));
    }

    void queue_to_client(outgoing message)
    {
        if (closed_)
            return;
        if (holding_) {
            held_bytes_ += message.data.size();
            held_.push_back(std::move(message));
            if (held_bytes_ > max_queued_to_client) { // no upstream event yet: stop waiting
                holding_ = false;
                release_held();
            }
            return;
        }
        queued_bytes_ += message.data.size();
        if (queued_bytes_ > max_queued_to_client) {
            metrics_.error("client_too_slow").inc();
            // The frame being written must outlive its write; drop everything after it.
            queue_.resize(writing_ && !queue_.empty() ? 1 : 0);
            queued_bytes_ = queue_.empty() ? 0 : queue_.front().data.size();
            closing_ = true;
            close_code_ = websocket::close_code::policy_error;
            if (upstream_)
                upstream_->close();
            if (!writing_)
                write_next();
            return;
        }
        queue_.push_back(std::move(message));
        if (!writing_)
            write_next();
    }

    void write_next()
    {
        if (queue_.empty()) {
            if (closing_ && close_code_ && !closed_) {
                closed_ = true;
                writing_ = true;
                ws_->async_close(*close_code_, [self = shared_from_this()](beast::error_code) {
                    self->writing_ = false;
                });
            }
            return;
        }
        writing_ = true;
        ws_->async_write(net::buffer(queue_.front().data), queue_.front().binary,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->writing_ = false;
                             self->queued_bytes_ -= self->queue_.front().data.size();
                             self->queue_.pop_front();
                             if (ec)
                                 return self->end_session();
                             self->write_next();
                         });
    }

public:
    ~realtime_session() override
    {
        if (counted_)
            metrics_.sessions_active.add(-1);
        if (lingering_)
            metrics_.realtime_lingering.add(-1);
        if (upstream_)
            upstream_->close();
    }

private:
    realtime_deps deps_;
    std::unique_ptr<websocket_channel> ws_;
    realtime_grant grant_;
    relay_metrics& metrics_;
    audio_budget budget_;
    net::steady_timer shutdown_timer_;
    net::steady_timer linger_timer_; // keeps the session while lingering (tool_linger)
    realtime_tool_calls tool_calls_;
    visitor_contacts heard_; // what the visitor typed or said (transcripts), for the policy
    std::optional<client_policy> policy_;
    std::optional<opus_input_bridge> opus_in_;
    std::optional<opus_output_bridge> opus_out_;
    std::shared_ptr<upstream_link> upstream_;
    std::vector<std::shared_ptr<upstream_call>> chat_calls_; // cancelled if the visitor leaves
    beast::flat_buffer read_buffer_;
    std::deque<outgoing> queue_;
    std::size_t queued_bytes_ = 0;
    // The relay's own events while the upstream's first event has not come (holding_).
    std::vector<outgoing> held_;
    std::size_t held_bytes_ = 0;
    bool holding_ = false;
    std::optional<websocket::close_code> close_code_;
    bool writing_ = false, closing_ = false, closed_ = false, upstream_open_ = false;
    bool counted_ = false, audio_refused_ = false;
    bool client_gone_ = false, lingering_ = false;
};

} // namespace

void run_realtime_session(std::unique_ptr<websocket_channel> client,
                          const websocket_channel::upgrade_request& upgrade, realtime_grant grant,
                          const realtime_deps& deps)
{
    std::make_shared<realtime_session>(std::move(client), std::move(grant), deps)->run(upgrade);
}

} // namespace donna::relay
