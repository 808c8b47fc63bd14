// transcript.hpp: the chat the visitor reads: both sides of the conversation as lines that
// grow while deltas arrive, plus the error banners, built from the Realtime server events
// (GA or beta spelling) and DONNA's own events. No I/O: the UI draws it, voice_client feeds it.
//
//   transcript chat;
//   chat.add_visitor_text("What are your opening hours?");   // typed: shown at once
//   chat.apply(parsed_event);    // response.output_audio_transcript.delta -> DONNA's line grows
//   for (const auto& line : chat.lines()) draw(line);
//
// Lines are keyed by the Realtime item id, so a transcription that completes after DONNA has
// started answering still lands on the visitor's line above the answer (the line is created
// when the audio is committed, before any reply).
#pragma once

#include "protocol/donna_events.hpp"
#include "protocol/realtime_events.hpp"

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace donna::client {

enum class speaker { visitor, donna, notice };

struct transcript_line {
    std::string item_id = {}; // "" for lines that exist only here (typed text, notices)
    speaker who = speaker::notice;
    std::string text = {};
    bool streaming = false;   // deltas may still arrive
    bool interrupted = false; // the visitor cut DONNA off here (conversation.item.truncated)
};

struct error_banner {
    std::string code = {};    // e.g. "donna_field_not_allowed", "origin_not_allowed"
    std::string message = {}; // the human sentence, shown as is
};

class transcript {
public:
    // At most this many lines are kept (the oldest go first), and this many banners.
    static constexpr std::size_t max_lines = 200;
    static constexpr std::size_t max_banners = 3;
    // Text shown on a visitor line whose speech is not transcribed yet.
    static constexpr std::string_view pending_speech = "...";

    void add_visitor_text(std::string text);
    void add_donna_text(std::string text); // the greeting, before any server event
    void add_notice(std::string text);
    void add_error(std::string code, std::string message);
    void dismiss_error(std::size_t index);

    // Applies one server event; events that do not change the chat are ignored.
    void apply(const parsed_realtime_event& event);
    void apply(const donna_event& event);

    const std::deque<transcript_line>& lines() const noexcept { return lines_; }
    const std::deque<error_banner>& errors() const noexcept { return errors_; }
    // Grows by one whenever any line changes: the UI scrolls to the end when it moves.
    std::size_t revision() const noexcept { return revision_; }

private:
    transcript_line& line_for(std::string_view item_id, speaker who);
    transcript_line* find(std::string_view item_id);
    void push(transcript_line line);
    void apply_other(const other_event& event);

    std::deque<transcript_line> lines_;
    std::deque<error_banner> errors_;
    std::size_t revision_ = 0;
};

} // namespace donna::client
