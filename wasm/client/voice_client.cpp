// voice_client.cpp
#include "client/voice_client.hpp"

#include <algorithm>
#include <utility>

namespace donna::client {
namespace {

using json = nlohmann::json;

std::string seconds_text(std::int64_t ms)
{
    const auto tenths = (ms + 50) / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

} // namespace

std::string_view to_string(link_state s)
{
    switch (s) {
    case link_state::idle:
        return "idle";
    case link_state::fetching_token:
        return "fetching_token";
    case link_state::connecting:
        return "connecting";
    case link_state::connected:
        return "connected";
    case link_state::waiting_to_retry:
        return "waiting_to_retry";
    case link_state::failed:
        return "failed";
    }
    return "idle";
}

std::string_view to_string(mic_state s)
{
    switch (s) {
    case mic_state::off:
        return "off";
    case mic_state::starting:
        return "starting";
    case mic_state::on:
        return "on";
    case mic_state::failed:
        return "failed";
    }
    return "off";
}

std::string_view to_string(talk_mode m)
{
    return m == talk_mode::hands_free ? "hands_free" : "push_to_talk";
}

bool voice_client::is_permanent_failure(std::string_view code)
{
    return code == "origin_not_allowed" || code == "unknown_site" || code == "origin_required";
}

voice_client::voice_client(client_io& io) : io_(io)
{
    turn_events_.reserve(8);
}

void voice_client::report(std::string_view type, const json& fields)
{
    json event = fields;
    event["type"] = type;
    io_.notify(event.dump(-1, ' ', false, json::error_handler_t::replace));
}

void voice_client::set_link(link_state s, std::string detail)
{
    if (link_ == s && link_detail_ == detail)
        return;
    link_ = s;
    link_detail_ = std::move(detail);
    report("link", {{"state", to_string(s)}, {"detail", link_detail_}});
}

// ------------------------------------------------------------------ connection

void voice_client::start()
{
    if (link_ == link_state::idle || link_ == link_state::failed)
        connect();
}

void voice_client::connect()
{
    set_link(link_state::fetching_token, "");
    io_.request_session(to_string(persona_));
}

void voice_client::retry_later(const std::string& reason)
{
    const auto delay = backoff_.next_delay_ms(io_.random_unit());
    set_link(link_state::waiting_to_retry,
             reason + " Trying again in " + seconds_text(delay) + ".");
    io_.start_timer(delay);
}

void voice_client::on_timer()
{
    if (link_ == link_state::waiting_to_retry)
        connect();
}

void voice_client::on_session(session_grant grant)
{
    if (link_ != link_state::fetching_token)
        return;
    if (!greeted_ && !grant.greeting.empty()) {
        transcript_.add_donna_text(grant.greeting);
        greeted_ = true;
    }
    if (const auto p = persona_from_string(grant.persona))
        persona_ = *p;
    uplink_ = grant.uplink;
    if (capture_)
        capture_->set_format(uplink_);
    grant_ = std::move(grant);
    set_link(link_state::connecting, "");
    io_.open_socket(grant_->realtime_url, grant_->token);
}

void voice_client::on_session_failed(std::string_view code, std::string_view message)
{
    if (is_permanent_failure(code)) {
        set_link(link_state::failed, std::string(message));
        transcript_.add_error(std::string(code), std::string(message));
        return;
    }
    retry_later(std::string(message));
}

void voice_client::on_socket_open()
{
    socket_open_ = true;
    // Connected once the upstream session exists (session.created), not at the upgrade.
}

void voice_client::on_socket_closed(int code, std::string_view reason)
{
    socket_open_ = false;
    response_active_ = false;
    talking_ = false;
    if (timeline_ && timeline_->audible(played_))
        io_.flush_playback(); // the rest of an answer from a dead session would confuse
    if (link_ == link_state::failed)
        return;
    std::string why = "The connection to DONNA was lost";
    if (!reason.empty())
        why += " (" + std::string(reason) + ")";
    else if (code != 0 && code != 1005 && code != 1006)
        why += " (code " + std::to_string(code) + ")";
    why += ".";
    retry_later(why);
}

// ------------------------------------------------------------------ incoming events

void voice_client::on_socket_text(std::string_view text)
{
    const auto type = peek_event_type(text);
    if (!type)
        return; // the relay only sends JSON objects with a type; nothing to show for noise
    if (is_donna_event_name(*type))
        handle_donna_event(text);
    else
        handle_realtime_event(text);
}

void voice_client::handle_donna_event(std::string_view text)
{
    auto event = parse_donna_event(text);
    if (!event)
        return;
    if (const auto* p = std::get_if<donna_persona>(&*event)) {
        persona_ = p->persona; // the relay's confirmation: the instructions have changed
        transcript_.add_notice("DONNA is now your " + std::string(to_string(p->persona)) +
                               " assistant.");
        return;
    }
    if (const auto* s = std::get_if<donna_status>(&*event)) {
        report("relay_status", {{"state", to_string(s->state)}, {"detail", s->detail}});
        return;
    }
    transcript_.apply(*event);
}

void voice_client::handle_realtime_event(std::string_view text)
{
    auto parsed = parse_realtime_event(text);
    if (!parsed)
        return;
    switch (parsed->type) {
    case realtime_event_type::session_created:
        on_session_created();
        break;
    case realtime_event_type::response_created:
        response_active_ = true;
        break;
    case realtime_event_type::response_done:
        response_active_ = false;
        io_.drain_playback();
        break;
    case realtime_event_type::response_output_audio_done:
        io_.drain_playback();
        break;
    case realtime_event_type::input_audio_buffer_speech_started:
        // The server heard the visitor (hands-free): DONNA stops talking, as it does.
        barge_in("server_speech_started");
        break;
    case realtime_event_type::response_output_audio_delta:
        if (const auto* delta = std::get_if<audio_delta>(&parsed->event))
            on_audio_delta(*delta);
        break;
    case realtime_event_type::error:
        if (const auto* e = std::get_if<error_event>(&parsed->event))
            report("error", {{"code", e->code.value_or(e->type)}, {"message", e->message}});
        break;
    default:
        break;
    }
    transcript_.apply(*parsed);
}

void voice_client::on_session_created()
{
    backoff_.reset();
    set_link(link_state::connected, "");
    send_session_settings();
}

void voice_client::send_session_settings()
{
    if (!socket_open_)
        return;
    json turn_detection = nullptr;
    if (mode_ == talk_mode::hands_free)
        turn_detection = {{"type", "server_vad"},
                          {"threshold", turn_.threshold},
                          {"prefix_padding_ms", turn_.prefix_padding_ms},
                          {"silence_duration_ms", turn_.silence_duration_ms}};
    session_update update;
    // The transcription of the visitor's words (so the chat shows both sides) is the relay's
    // to set, with its model.
    update.session = {{"type", "realtime"},
                      {"audio", {{"input", {{"turn_detection", turn_detection}}}}}};
    send(serialize(realtime_event(std::move(update))));
}

void voice_client::on_audio_delta(const audio_delta& delta)
{
    audio_item_ = delta.item_id;
    if (delta.delta.empty())
        return; // Opus mode: the samples follow as binary frames
    if (!playback_ || audio_item_ == muted_item_)
        return;
    decoded_.clear();
    if (playback_->decode_pcm16(delta.delta, decoded_))
        play(decoded_);
}

void voice_client::on_socket_binary(std::span<const std::uint8_t> bytes)
{
    if (!playback_ || audio_item_ == muted_item_)
        return;
    decoded_.clear();
    if (playback_->decode_frame(bytes, decoded_))
        play(decoded_);
}

void voice_client::play(std::span<const float> samples)
{
    if (samples.empty())
        return;
    io_.play(samples);
    timeline_->queued(audio_item_, samples.size());
}

// ------------------------------------------------------------------ barge-in

void voice_client::barge_in(std::string_view cause)
{
    if (!timeline_ || !timeline_->audible(played_) || flush_pending_)
        return;
    flush_pending_ = true;
    muted_item_ = audio_item_;
    io_.flush_playback();
    // Hands-free, the server's own turn detection cancels the response it interrupts; with
    // it off (push-to-talk) the client must, or the answer would go on being generated.
    if (mode_ == talk_mode::push_to_talk && response_active_)
        send(serialize(response_cancel{}));
    report("barge_in", {{"cause", cause}});
}

void voice_client::on_playback_flushed(std::uint64_t played)
{
    played_ = played;
    if (!timeline_)
        return;
    const auto cut = timeline_->cut_at(played);
    timeline_->dropped_after(played);
    if (playback_)
        playback_->restart();
    const bool was_pending = std::exchange(flush_pending_, false);
    if (!was_pending || !cut || !socket_open_)
        return;
    conversation_item_truncate truncate;
    truncate.item_id = cut->item_id;
    truncate.content_index = 0;
    truncate.audio_end_ms = cut->audio_end_ms;
    send(serialize(truncate));
    report("truncate", {{"item_id", cut->item_id}, {"audio_end_ms", cut->audio_end_ms}});
}

void voice_client::on_playback_progress(std::uint64_t played, std::uint64_t /*queued*/)
{
    played_ = std::max(played_, played);
}

void voice_client::on_audio_ready(int output_rate)
{
    auto p = playback_pipeline::create(output_rate);
    if (!p) {
        transcript_.add_error("audio_output",
                              "DONNA's voice cannot be played: " + p.error().message);
        return;
    }
    playback_ = std::move(*p);
    timeline_.emplace(output_rate);
    report("audio", {{"rate", output_rate}});
}

// ------------------------------------------------------------------ microphone and turns

void voice_client::microphone(bool on)
{
    if (on) {
        if (mic_ == mic_state::on || mic_ == mic_state::starting)
            return;
        mic_ = mic_state::starting;
        mic_message_.clear();
        io_.start_microphone();
        return;
    }
    if (mic_ == mic_state::off)
        return;
    push_to_talk(false);
    io_.stop_microphone();
    mic_ = mic_state::off;
}

void voice_client::on_microphone_started(int input_rate)
{
    if (!capture_ || capture_->input_rate() != input_rate) {
        auto c = capture_pipeline::create(input_rate, turn_, uplink_);
        if (!c) {
            on_microphone_failed("failed",
                                 "The microphone's audio cannot be used: " + c.error().message);
            return;
        }
        capture_ = std::move(*c);
    } else {
        capture_->restart();
    }
    mic_ = mic_state::on;
    mic_message_.clear();
    report("microphone", {{"state", "on"}, {"rate", input_rate}});
}

void voice_client::on_microphone_failed(std::string_view kind, std::string_view message)
{
    mic_ = mic_state::failed;
    talking_ = false;
    mic_message_ = std::string(message) + " You can still type to DONNA.";
    transcript_.add_error("microphone_" + std::string(kind), mic_message_);
    report("microphone", {{"state", "failed"}, {"kind", kind}, {"message", message}});
}

void voice_client::on_capture(std::span<const float> samples)
{
    if (!capture_ || mic_ != mic_state::on)
        return;
    const bool sending =
        link_ == link_state::connected && (mode_ == talk_mode::hands_free || talking_);
    turn_events_.clear();
    capture_->process(samples, sending, uplink_messages_, turn_events_);
    send_uplink();
    for (const auto& e : turn_events_) {
        const double seconds = static_cast<double>(e.sample) / capture_pipeline::wire_rate;
        report(to_string(e.kind), {{"seconds", seconds}});
        if (e.kind == turn_event_kind::speech_started && mode_ == talk_mode::hands_free)
            barge_in("client_speech_started");
    }
}

void voice_client::send_uplink()
{
    if (socket_open_) {
        for (const auto& frame : uplink_messages_.binary)
            io_.send_binary(frame);
        for (const auto& text : uplink_messages_.text)
            io_.send_text(text);
    }
    uplink_messages_.clear();
}

void voice_client::push_to_talk(bool pressed)
{
    if (mode_ != talk_mode::push_to_talk || pressed == talking_)
        return;
    if (pressed) {
        if (mic_ != mic_state::on || link_ != link_state::connected)
            return;
        talking_ = true;
        turn_start_samples_ = capture_->sent_samples();
        barge_in("push_to_talk");
        return;
    }
    talking_ = false;
    if (!capture_ || !socket_open_)
        return;
    capture_->finish(uplink_messages_);
    send_uplink();
    if (capture_->sent_samples() - turn_start_samples_ < min_turn_samples) {
        send(serialize(input_audio_buffer_clear{}));
        transcript_.add_notice("Hold the talk button while you speak.");
        return;
    }
    send(serialize(input_audio_buffer_commit{}));
    send(serialize(response_create{}));
}

void voice_client::set_mode(talk_mode mode)
{
    if (mode == mode_)
        return;
    push_to_talk(false);
    mode_ = mode;
    send_session_settings();
}

void voice_client::set_turn(const turn_config& turn)
{
    if (!turn_detector::validate(turn))
        return;
    turn_ = turn;
    if (capture_)
        (void)capture_->reconfigure(turn);
    send_session_settings();
}

// ------------------------------------------------------------------ chat and persona

bool voice_client::send_text(std::string text)
{
    if (text.empty())
        return false;
    if (link_ != link_state::connected) {
        transcript_.add_error(
            "not_connected",
            "DONNA is not connected yet; your message was kept. Send it again in a moment.");
        return false;
    }
    barge_in("typed_message");
    conversation_item_create item;
    item.text = text;
    send(serialize(item));
    send(serialize(response_create{}));
    transcript_.add_visitor_text(std::move(text));
    return true;
}

void voice_client::set_persona(persona p)
{
    if (p == persona_)
        return;
    persona_ = p;
    if (socket_open_) {
        donna_persona change;
        change.persona = p;
        send(serialize(donna_event{change}));
    }
}

void voice_client::send(std::string_view text)
{
    if (socket_open_)
        io_.send_text(text);
}

} // namespace donna::client
