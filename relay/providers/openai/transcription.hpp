// transcription.hpp: DONNA's side of OpenAI's transcriptions API (POST /audio/transcriptions,
// the seed's Whisper configuration of whisper-1, language en and json, with gpt-transcribe,
// OpenAI's replacement for whisper-1, as the default model), free of I/O.
//
//   auto req = transcription_request(cfg, turn.wav);     // multipart/form-data
//   client.request("openai", std::move(req), [](result<upstream_response> r) {
//       auto text = parse_transcription(r->body);         // {"text": "..."}
//   });
#pragma once

#include "core/error.hpp"
#include "upstream/http_client.hpp"

#include <string>
#include <string_view>

namespace donna::relay {

struct config;

// file (turn.wav, audio/wav), model (DONNA_TRANSCRIPTION_MODEL), language
// (DONNA_TRANSCRIPTION_LANGUAGE, left out when empty so the model detects it), response_format
// json. No temperature: the API's default is the seed's 0.
upstream_request transcription_request(const config& cfg, std::string_view wav);

// {"text": "..."} -> the text, trimmed. Errors: invalid_json for any other shape.
result<std::string> parse_transcription(std::string_view body);

} // namespace donna::relay
