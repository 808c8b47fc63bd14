// telnyx_media.hpp: the frames of Telnyx's media stream WebSocket (../shared/API-NOTES.md
// section 2; the AsyncAPI page "Stream call media over WebSocket"). Pure: no I/O.
//
// From Telnyx: connected, start (the call and its media_format), media (base64 RTP payload
// without the RTP header, ordered by sequence_number), dtmf, mark (the echo of one of ours
// once the audio before it has played), stop and error. Numbers may come as strings
// ("sequence_number":"4"); both are read.
// To Telnyx (bidirectional "rtp" mode): media, mark and clear.
//
//   auto frame = parse_telnyx_media_frame(text);
//   if (frame && frame->kind == telnyx_media_kind::media) decode(frame->payload_base64);
//   ws.write(telnyx_media_out(base64_encode(twenty_ms)));
//   ws.write(telnyx_mark_out("reply-3"));
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

// A frame longer than this is refused unread (20 ms of 16 kHz L16 is under 1 KB as base64;
// Telnyx sends no frame near it).
inline constexpr std::size_t telnyx_media_frame_max = std::size_t{64} * 1024;

enum class telnyx_media_kind { connected, start, media, dtmf, mark, stop, error, other };

struct telnyx_media_frame {
    telnyx_media_kind kind = telnyx_media_kind::other;
    std::string event;          // the "event" as sent
    std::int64_t sequence = -1; // sequence_number, -1 when absent
    std::string stream_id;
    // start
    std::string call_control_id, call_session_id, from, to, client_state;
    std::string encoding; // media_format.encoding: PCMU, PCMA, L16, G722, OPUS...
    int sample_rate = 0;
    int channels = 1;
    // media
    std::string track; // inbound | outbound ("" when not said)
    std::int64_t chunk = -1;
    std::int64_t timestamp = -1;
    std::string payload_base64;
    // dtmf
    std::string digit;
    // mark
    std::string mark_name;
    // error
    std::string error_code, error_title, error_detail;
};

// Errors: payload_too_large, invalid_json, not_an_object, missing_field ("event"; a start
// without start.media_format.encoding; a media frame without media.payload), wrong_type.
// An event this file does not know is kind other, not an error.
result<telnyx_media_frame> parse_telnyx_media_frame(std::string_view text);

// {"event":"media","media":{"payload":"<base64>"}}
std::string telnyx_media_out(std::string_view payload_base64);
// {"event":"mark","mark":{"name":"<name>"}}
std::string telnyx_mark_out(std::string_view name);
// {"event":"clear"}
std::string telnyx_clear_out();

} // namespace donna::relay
