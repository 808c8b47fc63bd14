// fake_media_stream.hpp: Telnyx's side of a call's media stream (../shared/API-NOTES.md
// section 2), as the relay meets it after a streaming_start: a real WebSocket client that
// connects to the stream_url with the auth token in x-telnyx-streaming-auth-token, sends
// `connected` and `start` (with the call's media_format), then the caller's audio as 20 ms
// `media` frames in real time (base64 RTP payloads, sequence_number, chunk, timestamp), and
// silence once the audio is over, as a live call does.
//
// What DONNA sends back is played as Telnyx plays it: media frames queue, one 20 ms frame
// plays every 20 ms, and a `mark` is echoed when the audio queued before it has played; a
// `clear` drops what is queued and echoes the queued marks at once. heard() is what the
// caller heard, decoded.
//
// Its codecs are spandsp's (G.711, G.722) and a byte swap (L16), not the relay's wrapper,
// so a mistake there cannot hide behind the same mistake here.
//
//   fakes::fake_media_stream call({.url = stream.url, .auth_token = stream.token,
//                                  .call_control_id = "v3:...", .caller_audio = speech});
//   ASSERT_TRUE(call.connect());
//   ASSERT_TRUE(call.wait_until([&] { return call.heard().size() > 8000; }));
//
// Switchable faults: reorder (each pair of frames sent swapped), drop (media chunks, counted
// from 1 like media.chunk, never sent: a lost packet; the stream's sequence_number counts
// every frame, marks too, so it cannot name a media frame ahead of time), jitter (each frame
// sent up to this late).
//
// Thread safety: every public member may be called from any thread once connect() returned;
// the stream runs on one thread of its own, which the destructor stops and joins.
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace donna::fakes {

struct fake_media_stream_options {
    std::string url = {};        // ws://127.0.0.1:<port>/v1/phone/media?call=<id>
    std::string auth_token = {}; // "" : no x-telnyx-streaming-auth-token header
    std::string call_control_id = "v3:fake-call";
    std::string encoding = "PCMU"; // PCMU | PCMA | L16 | G722
    int sample_rate = 8000;        // as start.media_format says (G722: 8000, the RTP clock)
    std::vector<std::int16_t> caller_audio = {}; // at the audio's rate (G722: 16000)
    bool reorder = false;
    std::set<std::int64_t> drop = {}; // media chunks never sent
    std::chrono::milliseconds jitter = std::chrono::milliseconds(0);
};

class fake_media_stream {
public:
    explicit fake_media_stream(fake_media_stream_options options);
    ~fake_media_stream();
    fake_media_stream(const fake_media_stream&) = delete;
    fake_media_stream& operator=(const fake_media_stream&) = delete;

    // Connects and upgrades; on success sends connected and start and starts the caller's
    // audio. A refused upgrade fails (io_error) and refused_status() says the HTTP status.
    status connect();
    int refused_status() const;
    std::string refused_body() const;

    // What the caller heard (DONNA's audio as played, decoded at the audio's rate).
    std::vector<std::int16_t> heard() const;
    // DONNA's media frames received, and their sizes in bytes (each should be 20 ms).
    std::vector<std::size_t> frame_sizes() const;
    // DONNA's media payloads as received, end to end (before any clear dropped them).
    std::vector<std::uint8_t> received_bytes() const;
    // The caller's payloads as sent, end to end, in the order made (after the drops).
    std::vector<std::uint8_t> sent_bytes() const;
    // The marks echoed back to the relay, in order.
    std::vector<std::string> marks_echoed() const;
    int clears() const;
    // The caller's audio frames sent so far (after the drops).
    int frames_sent() const;
    bool closed() const; // the relay closed the stream (or it broke)

    // A key press (a dtmf frame).
    void press(char digit);
    // The call's stream ends: a stop frame, then the close.
    void stop();

    // Waits until pred() holds, re-checking as frames come and go; false after timeout.
    bool wait_until(const std::function<bool()>& pred,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace donna::fakes
