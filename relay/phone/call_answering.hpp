// call_answering.hpp: what the relay does when a call rings one of its numbers (an incoming
// call.initiated, from phone/phone_events' job).
//
// A site claims the number (sites file `phone_numbers`): the call is answered, then its audio
// is streamed to the relay's media WebSocket (api/phone_media_route, at
// config::phone_media_url()) with a signed token that names the call and lives a few
// minutes, sent as the stream's auth token and checked on the upgrade. The codec both ways
// is chosen from what the caller's side offers: G.722 (wideband) when offered, else L16,
// else PCMA or PCMU in the order offered (PCMU when the offer says nothing).
// No site claims it: the call is rejected, and the log says why.
// Answering is off while the relay has no public address for the media stream
// (DONNA_PUBLIC_URL, or TELNYX_WEBHOOK_URL's origin) or voice is off (no OPENAI_API_KEY and no
// demo): the call is kept in the call history and left alone (it rings out, or another part
// of the operator's set-up takes it).
//
//   call_answering answering({settings, phones, metrics, log});
//   answering.on_incoming(call, offered_codecs, done);   // done(job_outcome) once
//
// Commands carry command ids made from the call ("donna-answer-<id>"), so a job that runs
// twice answers once. A call that has ended meanwhile (Telnyx 90018) is done, not an error.
//
// Without the provider's credentials (TELNYX_API_KEY) nothing can be done: the call is left to
// ring out, and the log says why.
//
// Metrics: donna_calls_answered_total{outcome} (answered, rejected, not_answered: answering
// off, unanswered: no credentials, ended_first, failed).
#pragma once

#include "jobs/job_runner.hpp"
#include "telephony/voice_provider.hpp"

#include <string>
#include <string_view>

namespace donna::relay {

class logger;
class phone_providers;
class settings_source;
struct call_record;
struct live_settings;
struct relay_metrics;

// The codec a call's stream uses both ways, and the rate of the audio sent back.
struct phone_codec_choice {
    std::string codec = "PCMU"; // PCMU | PCMA | L16 | G722
    int sample_rate = 8000;
};
// From call.initiated's offered_codecs ("PCMU,PCMA,G722" or a JSON array's items joined):
// the widest band offered (G.722, then L16 at 16 kHz, then the first G.711 offered), or, when
// G.711 passes straight through to the session (DONNA_PHONE_AUDIO=g711), the first G.711
// offered (Telnyx transcodes a stream only between PCMU and PCMA). Nothing usable: PCMU.
phone_codec_choice choose_phone_codec(std::string_view offered_codecs, bool g711_through = false);

// The token a call's media stream presents, and its call id back from one (0 when it is not a
// genuine, unexpired media token).
inline constexpr std::int64_t media_token_seconds = 300;
inline constexpr std::string_view media_token_prefix = "phone-call-"; // call_token_id_prefix's

struct call_answering_deps {
    const settings_source& settings;
    const phone_providers& phones;
    relay_metrics& metrics;
    logger& log;
};

class call_answering {
public:
    explicit call_answering(call_answering_deps deps) : deps_(deps) {}

    void on_incoming(const call_record& call, const std::string& offered_codecs,
                     job_runner::settle done);
    // A transfer DONNA made rang out (the person's leg hung up unanswered: `hangup_cause`
    // timeout, user_busy...) while the caller is still on the line: the call's audio streams
    // to the relay again (`after` busy or no_answer in the stream's URL), and DONNA tells the
    // caller and offers to take a message. `leg_id` makes the command's id (one return a leg).
    void after_transfer(const call_record& call, const std::string& offered_codecs,
                        const std::string& leg_id, const std::string& hangup_cause,
                        job_runner::settle done);

private:
    // streaming_start for the call, with a fresh media token; `after` (busy, no_answer, or "")
    // goes in the stream's URL.
    call_command stream_command(const live_settings& live, const call_record& call,
                                const std::string& offered_codecs, std::string command_id,
                                std::string_view after);
    void reject(const call_record& call, const std::string& why, job_runner::settle done);
    void settle_failure(const provider_failure& f, const job_runner::settle& done);
    void count(const char* outcome);

    call_answering_deps deps_;
};

} // namespace donna::relay
