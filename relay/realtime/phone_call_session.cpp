// phone_call_session.cpp: the bridge loop: read Telnyx's frames, open the Realtime session at
// the stream's start, carry audio both ways (paced out, ordered in), barge-in by marks, and
// close both sides together.
#include "realtime/phone_call_session.hpp"

#include "audio/base64.hpp"
#include "audio/phone_audio_bridge.hpp"
#include "chat/chat_tools.hpp"
#include "core/unix_time.hpp"
#include "demo/speech_synth.hpp"
#include "log/log.hpp"
#include "metrics/relay_metrics.hpp"
#include "policy/client_policy.hpp"
#include "policy/recipient_policy.hpp"
#include "protocol/json_fields.hpp"
#include "providers/telnyx/telnyx_media.hpp"
#include "realtime/phone_tools.hpp"
#include "realtime/realtime_tool_calls.hpp"
#include "realtime/realtime_usage.hpp"
#include "realtime/voice_actions.hpp"
#include "settings/live_settings.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <deque>
#include <map>

namespace donna::relay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using json = nlohmann::json;

constexpr auto frame_period = std::chrono::milliseconds(phone_frame_ms);
// The caller's frames arrive out of order at most a little: a missing one is waited for while
// this many later ones are held (60 ms), then concealed.
constexpr std::size_t reorder_window = 3;
// When the pacing clock has fallen this far behind (the strand was busy), it starts afresh
// rather than sending a burst to catch up.
constexpr auto pacing_slack = std::chrono::milliseconds(100);

// What the caller hears when the relay ends the call itself. When the Realtime session fails,
// the caller is put through to the staff if the site has a number, else the staff are asked
// to call back (when the caller's number is known and the request was stored), else only
// the apology.
constexpr std::string_view apology_line =
    "I'm sorry, I'm having trouble on my side. Please call again in a few minutes. Goodbye.";
constexpr std::string_view apology_transfer_line =
    "I'm sorry, I'm having trouble on my side. Let me put you through to someone who can help.";
constexpr std::string_view apology_callback_line =
    "I'm sorry, I'm having trouble on my side. I have asked the team to call you back at this "
    "number. Goodbye.";
constexpr std::string_view goodbye_line =
    "I'm sorry, I have to end the call now. Please call back in a minute. Goodbye.";
constexpr std::string_view hand_off_line = "One moment, please. I'm putting you through.";
// The mark after those last words: once it is echoed, the call is hung up (or put through).
constexpr std::string_view goodbye_mark = "donna-goodbye";
// The conversation DONNA's actions on a call belong to (chat/chat_actions): the call's.
constexpr std::string_view conversation_prefix = "phone-call-";
// After transfer_call or end_call, the words DONNA says with it have this long to play before
// the session acts anyway (a reply that never ends, marks that never come back).
constexpr auto words_with_action_limit = std::chrono::seconds(20);

// What the first response is asked to say: the greeting; when the person DONNA put the
// caller through to did not answer, that news; outside business hours, for a site that takes
// messages then, that it is closed.
std::string greeting_instructions(const phone_call_grant& grant)
{
    const auto& after_transfer = grant.after_transfer;
    const auto& greeting = grant.greeting;
    if (grant.closed && grant.closed_takes_messages && after_transfer.empty())
        return "You have just answered a phone call outside the business's opening hours. Say "
               "in one or two short sentences that the office is closed and when it opens, and "
               "offer to take a message or arrange a callback.";
    if (!after_transfer.empty())
        return std::string("You tried to put the caller through to a person at the business, "
                           "but ") +
               (after_transfer == "busy" ? "the line was busy" : "nobody answered") +
               ". Tell the caller so in one short sentence, and offer to take a message or "
               "arrange a callback.";
    if (greeting.empty())
        return "You have just answered a phone call. Greet the caller in one short sentence "
               "and ask how you can help.";
    return "You have just answered a phone call. Greet the caller with exactly these words: \"" +
           greeting + "\"";
}

// One frame or mark of DONNA's, waiting for its turn to go to Telnyx.
struct paced_item {
    std::string text;
    bool mark = false; // marks go right after the frame before them, not on a tick of their own
};

// One of DONNA's marks: after the audio of `item` up to `audio_end_ms` has been sent.
struct sent_mark {
    std::string item_id;
    std::int64_t audio_end_ms = 0;
};

class phone_call_session final : public drainable,
                                 public std::enable_shared_from_this<phone_call_session> {
public:
    phone_call_session(std::unique_ptr<websocket_channel> media, phone_call_grant grant,
                       const realtime_deps& deps)
        : deps_(deps),
          ws_(std::move(media)),
          grant_(std::move(grant)),
          pacer_(ws_->get_executor()),
          shutdown_timer_(ws_->get_executor()),
          action_timer_(ws_->get_executor())
    {
        if (!grant_.caller_number.empty())
            contacts_.heard(grant_.caller_number); // caller id: DONNA may text them back
    }

    ~phone_call_session() override
    {
        if (counted_)
            active_gauge().add(-1);
        if (upstream_)
            upstream_->close();
    }

    phone_call_session(const phone_call_session&) = delete;
    phone_call_session& operator=(const phone_call_session&) = delete;

    void run(const websocket_channel::upgrade_request& upgrade)
    {
        ws_->tcp().expires_never();
        ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_->read_message_max(telnyx_media_frame_max);
        ws_->set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "donna-relay"); }));
        ws_->async_accept(
            upgrade, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    }

    // SIGTERM: DONNA finishes the sentence she is saying (no new reply starts: the caller's
    // audio no longer goes upstream), says goodbye and hangs up, within ¾ of the drain window.
    void begin_shutdown() override
    {
        net::dispatch(ws_->get_executor(), [self = shared_from_this()] {
            if (self->ended_ || self->draining_)
                return;
            self->draining_ = true;
            const auto grace = std::chrono::milliseconds(self->cfg().shutdown_grace_ms);
            self->shutdown_timer_.expires_after(grace * 3 / 4);
            self->shutdown_timer_.async_wait([self](beast::error_code ec) {
                if (!ec)
                    self->hang_up_and_end("the relay is restarting");
            });
            if (!self->bridge_)
                return self->hang_up_and_end("the relay is restarting");
            self->goodbye_when_quiet();
        });
    }

private:
    const config& cfg() const { return grant_.settings->cfg; }

    gauge& active_gauge()
    {
        return deps_.metrics.registry.get_gauge("donna_phone_calls_active",
                                                "Phone calls whose audio DONNA is bridging now");
    }

    void count(std::string_view name, std::string_view help)
    {
        deps_.metrics.registry.get_counter(name, help).inc();
    }

    std::string who() const { return "call #" + std::to_string(grant_.call_id); }

    void on_accept(beast::error_code ec)
    {
        if (ec) {
            deps_.metrics.error("websocket_handshake_failed").inc();
            return;
        }
        counted_ = true;
        active_gauge().add(1);
        grant_.lease->attach(weak_from_this());
        deps_.log.info("phone", who() + ": media stream open (site " + grant_.site + ")");
        read_next();
    }

    // ------------------------------------------------------------ from Telnyx

    void read_next()
    {
        ws_->async_read(
            read_buffer_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec)
    {
        if (ec) {
            if (ec == websocket::error::message_too_big)
                deps_.metrics.error("phone_media_frame_too_large").inc();
            return end(ec == websocket::error::closed ? "the media stream closed"
                                                      : "the media stream broke: " + ec.message());
        }
        const auto text = beast::buffers_to_string(read_buffer_.data());
        read_buffer_.consume(read_buffer_.size());
        on_frame(text);
        if (!ended_)
            read_next();
    }

    void on_frame(const std::string& text)
    {
        auto frame = parse_telnyx_media_frame(text);
        if (!frame) {
            deps_.metrics.error("phone_media_invalid").inc();
            if (!warned_invalid_) // once a call, not once a frame
                deps_.log.warn("phone",
                               who() + ": unreadable media frame: " + frame.error().message);
            warned_invalid_ = true;
            return;
        }
        switch (frame->kind) {
        case telnyx_media_kind::start:
            return on_start(*frame);
        case telnyx_media_kind::media:
            return on_media(*frame);
        case telnyx_media_kind::mark:
            return on_mark(frame->mark_name);
        case telnyx_media_kind::stop:
            return end("the call's media stream stopped");
        case telnyx_media_kind::error:
            deps_.metrics.error("phone_media_error").inc();
            deps_.log.warn("phone", who() + ": Telnyx reports a media error " + frame->error_code +
                                        " " + frame->error_title + ": " + frame->error_detail);
            return;
        case telnyx_media_kind::dtmf: {
            // A key is one of the sixteen DTMF symbols; anything else is counted as "other".
            const bool key = frame->digit.size() == 1 &&
                             std::string_view("0123456789*#ABCD").find(frame->digit[0]) !=
                                 std::string_view::npos;
            deps_.metrics.registry
                .get_counter("donna_phone_keys_total", "Keys the callers pressed",
                             {{"key", key ? frame->digit : std::string("other")}})
                .inc();
            deps_.log.info("phone", who() + ": the caller pressed " +
                                        (key ? frame->digit : std::string("an unknown key")));
            if (frame->digit == "0")
                return put_through();
            return;
        }
        case telnyx_media_kind::connected:
        case telnyx_media_kind::other:
            return;
        }
    }

    void on_start(const telnyx_media_frame& start)
    {
        if (bridge_)
            return; // one start a stream
        if (!grant_.call_control_id.empty() && start.call_control_id != grant_.call_control_id) {
            deps_.metrics.error("phone_media_wrong_call").inc();
            return end("the stream's start names another call (" + start.call_control_id + ")");
        }
        auto format = phone_audio_format_of(start.encoding, start.sample_rate);
        if (!format) {
            deps_.metrics.error("phone_codec_unsupported").inc();
            return end(format.error().message);
        }
        // The relay asked for the same codec both ways (phone/call_answering).
        auto bridge = phone_audio_bridge::create(
            *format, *format,
            cfg().phone_passes_g711() ? phone_audio_mode::g711 : phone_audio_mode::convert);
        if (!bridge) {
            deps_.metrics.error("codec_error").inc();
            return end(bridge.error().message);
        }
        bridge_.emplace(std::move(*bridge));
        start_sequence_ = std::max<std::int64_t>(start.sequence, 0);
        const bool through = bridge_->session_format() != session_audio::pcm24k;
        deps_.log.info("phone", who() + ": " + start.encoding + " at " +
                                    std::to_string(format->sample_rate) + " Hz" +
                                    (through ? ", passed straight through" : ""));
        start_upstream();
        pacing_next_ = std::chrono::steady_clock::now();
        pace();
    }

    void on_media(const telnyx_media_frame& frame)
    {
        if (!bridge_ || frame.track == "outbound")
            return;
        // media.chunk counts the media frames alone (sequence_number counts every frame of
        // the stream, marks and dtmf too): a gap in it is a lost frame.
        const auto position = frame.chunk >= 0 ? frame.chunk : frame.sequence;
        if (position < 0) // nothing to order by: take it as it comes
            return take_caller_audio(frame.payload_base64);
        if (next_position_ < 0)
            next_position_ = frame.chunk >= 0 ? 1 : start_sequence_ + 1;
        if (position < next_position_)
            return; // late past its turn, or a repeat: already concealed or taken
        held_.emplace(position, frame.payload_base64);
        while (!held_.empty()) {
            const auto first = held_.begin();
            if (first->first == next_position_) {
                take_caller_audio(first->second);
                held_.erase(first);
                ++next_position_;
            } else if (held_.size() > reorder_window) {
                conceal_caller_frame(); // the missing one is not coming
                ++next_position_;
            } else {
                break;
            }
        }
    }

    void take_caller_audio(const std::string& payload_base64)
    {
        auto bytes = base64_decode(payload_base64);
        if (!bytes) {
            deps_.metrics.error("phone_media_invalid").inc();
            return;
        }
        to_upstream_.clear();
        bridge_->from_caller(*bytes, to_upstream_);
        append_upstream();
    }

    void conceal_caller_frame()
    {
        count("donna_phone_frames_concealed_total",
              "Caller frames lost or too late, concealed before reaching the session");
        to_upstream_.clear();
        bridge_->conceal_frame(to_upstream_);
        append_upstream();
    }

    void append_upstream()
    {
        if (!upstream_ || to_upstream_.empty() || draining_ || ending_)
            return;
        std::string event = R"({"type":"input_audio_buffer.append","audio":")";
        event.append(base64_encode(to_upstream_));
        event.append("\"}");
        const auto per_second = session_bytes_per_ms(bridge_->session_format()) * 1000;
        deps_.metrics.audio_seconds_in.inc(static_cast<double>(to_upstream_.size()) /
                                           static_cast<double>(per_second));
        upstream_->send(std::move(event));
    }

    // A mark of ours has come back: the audio before it has played to the caller.
    void on_mark(const std::string& name)
    {
        if (name == goodbye_mark)
            return hang_up_and_end(ending_why_); // the last words have played
        constexpr std::string_view prefix = "donna-";
        if (!name.starts_with(prefix))
            return;
        std::uint64_t number = 0;
        const auto* digits = name.data() + prefix.size();
        const auto [end_of_number, ec] = std::from_chars(digits, name.data() + name.size(), number);
        if (ec != std::errc() || end_of_number != name.data() + name.size())
            return;
        const auto it = marks_.find(number);
        if (it == marks_.end())
            return; // one cleared at a barge-in, echoed back by Telnyx
        heard_ = it->second;
        marks_.erase(marks_.begin(), std::next(it));
        if (draining_)
            goodbye_when_quiet();
        act_after_words(false);
    }

    // ------------------------------------------------------------ the Realtime session

    void start_upstream()
    {
        const auto executor = ws_->get_executor();
        if (cfg().realtime() == realtime_mode::openai)
            upstream_ = make_openai_upstream(executor, grant_.settings, dialect::ga, deps_);
        else
            upstream_ = make_demo_upstream(executor, grant_.greeting, dialect::ga, deps_);
        std::weak_ptr<phone_call_session> weak = shared_from_this();
        upstream_->start(upstream_callbacks{
            [] {},
            [weak](const std::string& text) {
                if (auto self = weak.lock())
                    self->on_upstream_event(text);
            },
            [weak](const upstream_failure& failure) {
                if (auto self = weak.lock()) {
                    self->deps_.metrics.error(failure.code).inc();
                    self->upstream_failed("the Realtime session failed: " + failure.code + ": " +
                                          self->deps_.log.redact(failure.message));
                }
            }});
        const client_policy policy(grant_.settings->personas.get(grant_.persona), dialect::ga,
                                   upstream_models());
        upstream_->send(policy.initial_session_update());
        if (auto transcription = policy.transcription_update(); !transcription.empty())
            upstream_->send(std::move(transcription));
        // DONNA speaks first on the phone.
        upstream_->send(
            dump_json(json{{"type", "response.create"},
                           {"response", {{"instructions", greeting_instructions(grant_)}}}}));
    }

    // OpenAI's models and DONNA's tools (the web's actions and the phone's own); the demo
    // transcribes by itself and calls no tools.
    realtime_model_settings upstream_models() const
    {
        realtime_model_settings models{.model = {},
                                       .transcription_model = cfg().transcription_model,
                                       .transcription_language = cfg().transcription_language,
                                       .tools = nullptr,
                                       .tools_instructions = {},
                                       .context_instructions = call_context()};
        if (cfg().realtime() == realtime_mode::openai)
            models.model = cfg().openai_realtime_model;
        if (bridge_ && bridge_->session_format() != session_audio::pcm24k)
            models.audio_format = realtime_format_type(bridge_->session_format());
        if (offers_tools()) {
            models.tools = realtime_tools_json();
            for (auto& tool : phone_tools_json())
                models.tools.push_back(std::move(tool));
            models.tools_instructions =
                std::string(actions_instructions()) + std::string(phone_tools_instructions());
        }
        return models;
    }

    // What this call needs DONNA to know: the business's hours, and what she remembers of a
    // known caller.
    std::string call_context() const
    {
        std::string context;
        if (!grant_.hours.empty())
            context += " The business's opening hours: " + grant_.hours + "." +
                       (grant_.closed ? " It is closed now: nobody can take a transfer." : "");
        if (!grant_.memory.empty())
            context += " The caller is a known customer. " + grant_.memory;
        return context;
    }

    bool offers_tools() const { return voice_actions_offered(cfg(), deps_.actions); }

    void on_upstream_event(const std::string& text)
    {
        const auto type = peek_event_type(text);
        if (!type)
            return;
        const std::string_view kind = *type;
        if (kind == "response.done" && cfg().realtime() == realtime_mode::openai)
            meter(text);
        if (offers_tools())
            carry_out(tool_calls_.on_upstream_event(kind, text));
        if (kind == "response.output_audio.delta" || kind == "response.audio.delta")
            return on_reply_audio(text);
        if (kind == "response.output_audio.done" || kind == "response.audio.done")
            return on_reply_audio_done();
        if (kind == "input_audio_buffer.speech_started")
            return barge_in();
        if (kind == "conversation.item.input_audio_transcription.completed") {
            hear_caller(text);
            return keep_transcript("caller", text);
        }
        if (kind == "response.output_audio_transcript.done" ||
            kind == "response.audio_transcript.done")
            return keep_transcript("donna", text);
        if (kind == "error")
            deps_.log.warn("phone", who() + ": the Realtime session reports: " +
                                        deps_.log.redact(text.substr(0, 300)));
    }

    void keep_transcript(std::string_view role, const std::string& text)
    {
        if (!grant_.note)
            return;
        const auto event = json::parse(text, nullptr, false);
        if (!event.is_object())
            return;
        const auto words = json_string_member(event, "transcript");
        if (!words.empty())
            grant_.note("transcript", dump_json({{"role", role}, {"text", words}}));
    }

    // What the caller said, for the recipient policy (whom DONNA may write to).
    void hear_caller(const std::string& text)
    {
        const auto event = json::parse(text, nullptr, false);
        if (event.is_object())
            contacts_.heard(json_string_member(event, "transcript"));
    }

    // A response's tokens: metered with the web's sessions (the process-wide budget and
    // donna_upstream_usage_total), and added up for the call's record.
    void meter(const std::string& text)
    {
        const auto used = response_done_usage(text);
        if (!used)
            return;
        deps_.usage.tokens("openai", cfg().openai_realtime_model, *used);
        used_ += *used;
        metered_ = true;
    }

    // The call's Realtime usage and its cost at the relay's prices, kept with its record.
    void keep_usage()
    {
        if (!metered_ || !grant_.note)
            return;
        json detail = {{"model", cfg().openai_realtime_model},
                       {"input_tokens", used_.text_input + used_.cached_text_input +
                                            used_.audio_input + used_.cached_audio_input},
                       {"output_tokens", used_.text_output + used_.audio_output},
                       {"audio_input_tokens", used_.audio_input + used_.cached_audio_input},
                       {"audio_output_tokens", used_.audio_output}};
        const auto cost = deps_.usage.cost_of(cfg().openai_realtime_model, used_);
        detail["cost_usd"] = cost ? json(*cost) : json(nullptr);
        grant_.note("realtime_usage", dump_json(detail));
        metered_ = false;
    }

    // ------------------------------------------------------------ DONNA's tools

    // Where DONNA's actions on this call come from, for chat/chat_actions.
    chat_action_context action_context() const
    {
        return {.site = grant_.site,
                .conversation = std::string(conversation_prefix) + std::to_string(grant_.call_id),
                .channel = action_channel::phone,
                .now_unix = unix_now(),
                .where = cfg().sites.find(grant_.site),
                .heard = &contacts_,
                .email_sender = !cfg().smtp_host.empty(),
                .sms_sender = cfg().texting_configured()};
    }

    // The model's calls, carried out and answered; the response asked to go on after them.
    void carry_out(const realtime_tool_calls::step& step)
    {
        if (!upstream_ || (step.ready.empty() && !step.response_finished))
            return; // nearly every event
        if (!step.ready.empty()) {
            const auto context = action_context();
            const auto done = answer_tool_calls(
                tool_calls_, step.ready, context, {deps_.actions, deps_.metrics, deps_.log},
                [this, &context](const chat_tool_call& call) { return own_tool(call, context); },
                [this](std::string event) { upstream_->send(std::move(event)); });
            for (const auto& call : done)
                keep_tool_call(call.taken);
        }
        if (step.continue_response && upstream_)
            upstream_->send(continue_response_event(tool_calls_.tools_final()));
        else if (step.response_finished && after_words_ != after_words::nothing &&
                 !tool_calls_.response_in_progress())
            words_said(); // the reply with the hand-off line or goodbye is complete
    }

    void keep_tool_call(const chat_action_taken& taken)
    {
        if (!grant_.note)
            return;
        json detail = {{"name", taken.name}, {"status", taken.status}};
        if (taken.id != 0)
            detail["id"] = taken.id;
        if (!taken.error.empty())
            detail["error"] = taken.error;
        grant_.note("tool_call", dump_json(detail));
    }

    // transfer_call and end_call: what the session does itself, once the words that go with
    // it have played. nullopt: not one of the phone's tools.
    std::optional<executed_tool_call> own_tool(const chat_tool_call& call,
                                               const chat_action_context& context)
    {
        const auto tool = phone_tool_named(call.name);
        if (!tool)
            return std::nullopt;
        const auto name = to_string(*tool);
        const auto answer = [&](std::string_view status, std::string_view detail) {
            return session_tool_done(call, name, status, detail, context, deps_.metrics, deps_.log);
        };
        auto args = read_phone_tool_call(*tool, call.arguments);
        if (!args)
            return answer("invalid", "Nothing was done: " + args.error().message +
                                         ". Call the tool again with valid arguments.");
        if (ending_ || after_words_ != after_words::nothing)
            return answer("refused", "The call is already ending.");
        if (*tool == phone_tool::end_call) {
            after_words_ = after_words::hang_up;
            return answer("done", "The call ends once you have said goodbye. Say a short "
                                  "goodbye now, and nothing else.");
        }
        if (grant_.closed)
            return answer("refused",
                          "The office is closed now: nobody can take the call. Tell the caller "
                          "when it opens, and offer to take a message or arrange a callback.");
        if (!staff_reachable())
            return answer("refused",
                          "Nobody at the business can take calls on this line. Tell the caller, "
                          "and offer to take a message or arrange a callback.");
        after_words_ = after_words::transfer;
        transfer_reason_ = args->reason;
        return answer("done", "The caller is put through once you have finished your next "
                              "sentence. Tell them in one short sentence, and nothing else.");
    }

    // The reply that goes with transfer_call or end_call is complete: the session acts once
    // its audio has played (every mark back), or after words_with_action_limit regardless.
    void words_said()
    {
        if (words_said_)
            return;
        words_said_ = true;
        action_timer_.expires_after(words_with_action_limit);
        action_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->act_after_words(true);
        });
        act_after_words(false);
    }

    void act_after_words(bool out_of_time)
    {
        if (!words_said_ || ended_ || ending_ ||
            (!out_of_time && (!paced_.empty() || !marks_.empty())))
            return;
        action_timer_.cancel();
        if (after_words_ == after_words::transfer) {
            count("donna_phone_transfers_total", "Calls put through to a person");
            transfer_to_ = grant_.staff_phone;
            return hang_up_and_end(
                "put through to " + grant_.staff_phone +
                (transfer_reason_.empty() ? "" : " (the caller's reason given)"));
        }
        hang_up_and_end("DONNA ended the call");
    }

    void on_reply_audio(const std::string& text)
    {
        const auto event = json::parse(text, nullptr, false);
        if (!event.is_object() || !bridge_)
            return;
        const auto item = json_string_member(event, "item_id");
        auto bytes = base64_decode(json_string_member(event, "delta"));
        if (!bytes) {
            deps_.metrics.error("invalid_audio").inc();
            return;
        }
        if (item != reply_item_) { // a new reply: its audio counts from zero
            reply_item_ = item;
            reply_framed_ms_ = 0;
        }
        bridge_->to_caller(*bytes);
        frame_reply();
    }

    void on_reply_audio_done()
    {
        if (!bridge_)
            return;
        bridge_->finish();
        frame_reply();
    }

    // The whole frames the bridge holds, queued for pacing; how many.
    int queue_frames()
    {
        int framed = 0;
        while (bridge_->next_frame(frame_)) {
            paced_.push_back({telnyx_media_out(base64_encode(frame_)), false});
            ++framed;
        }
        return framed;
    }

    // A reply's whole frames, queued, and a mark after them.
    void frame_reply()
    {
        const int framed = queue_frames();
        if (framed == 0)
            return;
        reply_framed_ms_ += std::int64_t{framed} * phone_frame_ms;
        ++marks_made_;
        marks_.emplace(marks_made_, sent_mark{reply_item_, reply_framed_ms_});
        paced_.push_back({telnyx_mark_out("donna-" + std::to_string(marks_made_)), true});
    }

    // The caller started speaking: what is queued is dropped at Telnyx and here, and the
    // reply is cut where the caller stopped hearing it.
    void barge_in()
    {
        const bool playing = !paced_.empty() || !marks_.empty();
        if (!playing || reply_item_.empty())
            return;
        count("donna_phone_barge_ins_total", "Replies the caller interrupted");
        paced_.clear();
        marks_.clear(); // Telnyx echoes the queued ones when it clears: they were not heard
        bridge_->clear();
        // Only what is not yet being written is dropped; the clear goes next.
        if (writing_ && !writes_.empty())
            writes_.resize(1);
        else
            writes_.clear();
        write(telnyx_clear_out());
        const auto heard_ms = heard_.item_id == reply_item_ ? heard_.audio_end_ms : 0;
        deps_.log.info("phone", who() + ": the caller interrupted after " +
                                    std::to_string(heard_ms) + " ms of the reply");
        if (upstream_)
            upstream_->send(dump_json(json{{"type", "conversation.item.truncate"},
                                           {"item_id", reply_item_},
                                           {"content_index", 0},
                                           {"audio_end_ms", heard_ms}}));
        reply_item_.clear();
    }

    // ------------------------------------------------------------ to Telnyx, paced

    // One 20 ms frame a tick (marks go as soon as the frame before them has).
    void pace()
    {
        if (ended_)
            return;
        const auto now = std::chrono::steady_clock::now();
        if (now - pacing_next_ > pacing_slack)
            pacing_next_ = now;
        bool sent_frame = false;
        while (!paced_.empty()) {
            const bool is_mark = paced_.front().mark;
            if (!is_mark && sent_frame)
                break;
            write(std::move(paced_.front().text));
            paced_.pop_front();
            sent_frame = sent_frame || !is_mark;
        }
        pacing_next_ += frame_period;
        pacer_.expires_at(pacing_next_);
        pacer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->pace();
        });
    }

    void write(std::string text)
    {
        if (closed_)
            return;
        writes_.push_back(std::move(text));
        if (!writing_)
            write_next();
    }

    void write_next()
    {
        if (writes_.empty()) {
            if (ended_ && !closed_) {
                closed_ = true;
                writing_ = true;
                ws_->async_close(
                    websocket::close_code::normal,
                    [self = shared_from_this()](beast::error_code) { self->writing_ = false; });
            }
            return;
        }
        writing_ = true;
        ws_->async_write(net::buffer(writes_.front()), false,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->writing_ = false;
                             self->writes_.pop_front();
                             if (ec) {
                                 self->closed_ = true; // nothing more can be written
                                 return self->end("the media stream broke: " + ec.message());
                             }
                             self->write_next();
                         });
    }

    // ------------------------------------------------------------ the end

    // The Realtime session failed: DONNA cannot go on, but the caller is not left with
    // nothing. Put through to the staff (not again after a transfer that rang out), or a
    // callback request stored for them, then the apology that says which.
    void upstream_failed(const std::string& why)
    {
        if (ending_ || ended_)
            return;
        if (staff_reachable() && grant_.after_transfer.empty()) {
            count("donna_phone_transfers_total", "Calls put through to a person");
            transfer_to_ = grant_.staff_phone;
            transfer_reason_ = "DONNA could not take this call: her voice service failed.";
            return say_and_hang_up(apology_transfer_line, why + "; put through to the staff");
        }
        if (request_callback())
            return say_and_hang_up(apology_callback_line, why + "; a callback was requested");
        say_and_hang_up(apology_line, why);
    }

    // A callback request for the staff, at the caller's number, as DONNA's request_callback
    // tool would store it; false when it was not stored (no number, no database).
    bool request_callback()
    {
        if (grant_.caller_number.empty())
            return false;
        const auto context = action_context();
        const chat_tool_call call{
            "relay-callback-" + std::to_string(grant_.call_id), "request_callback",
            dump_json({{"name", "The caller at " + grant_.caller_number},
                       {"phone", grant_.caller_number},
                       {"reason", "DONNA's voice failed during the call; please call back."}})};
        const auto done = execute_tool_call(call, context, deps_.actions, deps_.metrics, deps_.log);
        keep_tool_call(done.taken);
        return done.taken.status == "recorded";
    }

    // While draining: once DONNA's current words have played (nothing queued, every mark
    // back), the goodbye.
    void goodbye_when_quiet()
    {
        if (ending_ || !paced_.empty() || !marks_.empty())
            return;
        say_and_hang_up(goodbye_line, "the relay is restarting");
    }

    // DONNA's last words, spoken by the relay itself (espeak-ng: the session may be what
    // failed), then the call is hung up (or put through) once Telnyx says they have played
    // (or, should that mark never come, a little after they would have).
    void say_and_hang_up(std::string_view line, const std::string& why)
    {
        if (ending_ || ended_)
            return;
        ending_ = true;
        ending_why_ = why;
        deps_.log.warn("phone", who() + ": " + why);
        if (upstream_) {
            upstream_->close();
            upstream_.reset();
        }
        auto* voice = deps_.demo_voice ? deps_.demo_voice() : nullptr;
        auto words = voice != nullptr && bridge_ ? voice->synthesize(line)
                                                 : result<std::vector<std::int16_t>>(make_error(
                                                       errc::upstream_unavailable, "no voice"));
        if (!words)
            return hang_up_and_end(why);
        if (!paced_.empty() || !marks_.empty()) { // cut what was playing: the news comes first
            paced_.clear();
            marks_.clear();
            bridge_->clear();
            write(telnyx_clear_out());
        }
        bridge_->speak(*words);
        bridge_->finish();
        queue_frames();
        paced_.push_back({telnyx_mark_out(goodbye_mark), true});
        const auto spoken = std::chrono::milliseconds(words->size() * 1000 / realtime_rate);
        shutdown_timer_.expires_after(spoken + std::chrono::seconds(2));
        shutdown_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->hang_up_and_end(self->ending_why_);
        });
    }

    void hang_up_and_end(const std::string& why)
    {
        if (ended_)
            return;
        if (!transfer_to_.empty() && grant_.transfer) {
            // Kept first: the whisper Telnyx plays to the person reads the reason from it.
            if (grant_.note)
                grant_.note("transfer",
                            dump_json({{"to", transfer_to_}, {"reason", transfer_reason_}}));
            grant_.transfer(transfer_to_);
        } else if (grant_.hang_up)
            grant_.hang_up();
        end(why);
    }

    // A person can take the call: the site has a staff number and the office is open.
    bool staff_reachable() const
    {
        return !grant_.staff_phone.empty() && grant_.transfer && !grant_.closed;
    }

    // The caller pressed 0: a person. DONNA says so, then the call goes to the site's staff
    // number (the first of its staff_phones); with none, DONNA says she will take a message.
    void put_through()
    {
        if (ending_ || ended_ || !bridge_)
            return;
        if (!staff_reachable()) {
            deps_.log.info("phone",
                           who() + (grant_.closed ? ": the office is closed; nobody to put the "
                                                    "caller through to"
                                                  : ": no staff number to put the caller "
                                                    "through to"));
            return;
        }
        count("donna_phone_transfers_total", "Calls put through to a person");
        transfer_to_ = grant_.staff_phone;
        say_and_hang_up(hand_off_line, "put through to " + grant_.staff_phone);
    }

    void end(const std::string& why)
    {
        if (ended_)
            return;
        ended_ = true;
        deps_.log.info("phone", who() + ": ended: " + why);
        keep_usage();
        pacer_.cancel();
        shutdown_timer_.cancel();
        action_timer_.cancel();
        paced_.clear();
        if (upstream_) {
            upstream_->close();
            upstream_.reset();
        }
        // The call may stream again at once (DONNA takes it back after a transfer that rang
        // out): its one-stream lease goes now, not when the last handler lets go.
        grant_.lease.reset();
        if (!writing_)
            write_next(); // closes the stream once what is being written has gone
    }

    realtime_deps deps_;
    std::unique_ptr<websocket_channel> ws_;
    phone_call_grant grant_;
    net::steady_timer pacer_;
    net::steady_timer shutdown_timer_;
    net::steady_timer action_timer_; // words_with_action_limit
    std::shared_ptr<upstream_link> upstream_;
    std::optional<phone_audio_bridge> bridge_;
    beast::flat_buffer read_buffer_;
    // The caller's side.
    std::int64_t start_sequence_ = 0;
    std::int64_t next_position_ = -1;          // the media chunk (or sequence number) due next
    std::map<std::int64_t, std::string> held_; // frames ahead of a missing one, by position
    std::vector<std::uint8_t> to_upstream_;    // the caller's audio in the session's format
    // DONNA's side.
    std::string reply_item_;           // the reply whose audio is going out
    std::int64_t reply_framed_ms_ = 0; // of that reply, framed so far
    std::vector<std::uint8_t> frame_;
    std::deque<paced_item> paced_;             // frames and marks not yet due
    std::map<std::uint64_t, sent_mark> marks_; // sent, not yet echoed, by number (= age)
    std::uint64_t marks_made_ = 0;
    sent_mark heard_; // the last echoed: heard up to here
    std::chrono::steady_clock::time_point pacing_next_;
    std::deque<std::string> writes_;
    bool writing_ = false;
    bool closed_ = false;
    bool ended_ = false;
    bool ending_ = false;   // DONNA's last words are playing; the call ends after them
    bool draining_ = false; // SIGTERM: no new reply; goodbye once the current one has played
    std::string ending_why_;
    std::string transfer_to_; // after the last words: put through here instead of hanging up
    // DONNA's tools.
    realtime_tool_calls tool_calls_;
    visitor_contacts contacts_; // the caller's number and words: whom DONNA may write to
    enum class after_words { nothing, transfer, hang_up };
    after_words after_words_ = after_words::nothing; // transfer_call or end_call was called
    bool words_said_ = false;                        // ...and the reply with it is complete
    std::string transfer_reason_;
    token_usage used_;     // the call's Realtime tokens so far
    bool metered_ = false; // some are not yet in the record
    bool counted_ = false;
    bool warned_invalid_ = false;
};

} // namespace

void run_phone_call_session(std::unique_ptr<websocket_channel> media,
                            const websocket_channel::upgrade_request& upgrade,
                            phone_call_grant grant, const realtime_deps& deps)
{
    std::make_shared<phone_call_session>(std::move(media), std::move(grant), deps)->run(upgrade);
}

} // namespace donna::relay
