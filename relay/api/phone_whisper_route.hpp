// phone_whisper_route.hpp: GET /v1/phone/whisper, the recording Telnyx plays to the person a
// caller is put through to, before the two are connected (the transfer's audio_url): DONNA's
// own espeak-ng voice saying there is a caller and, when the model gave one, why they call
// (transfer_call's `reason`, kept in the call's record as the transfer's entry).
//
//   GET /v1/phone/whisper?call=<id>&token=<whisper token>   -> 200 audio/wav (8 kHz PCM16)
//
// Telnyx fetches the URL without our headers, so the token is in the query: signed with
// DONNA_TOKEN_SECRET, naming the call ("phone-whisper-<id>"), valid for whisper_token_seconds.
// Refusals (JSON, counted): 400 invalid_request (no call), 401 invalid_whisper_token (missing,
// forged, expired or another call's), 404 unknown_call, 503 speech_unavailable (no espeak-ng).
#pragma once

#include "http/router.hpp"
#include "realtime/upstream.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace donna::relay {

class database;
class settings_source;
struct live_settings;
struct relay_metrics;

inline constexpr std::string_view phone_whisper_path = "/v1/phone/whisper";
// Long enough for the person's phone to ring out (the transfer rings 25 s).
inline constexpr std::int64_t whisper_token_seconds = 120;

// The URL a transfer of call `call_id` gives Telnyx as its audio_url, with a fresh token;
// "" when the relay has no public address.
std::string phone_whisper_url(const live_settings& live, std::int64_t call_id);

struct phone_whisper_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    database& db;
    realtime_deps session; // its demo_voice: the espeak-ng voice
};

route phone_whisper_route(const phone_whisper_endpoint_deps& deps);

} // namespace donna::relay
