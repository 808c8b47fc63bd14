// realtime_usage.hpp: the tokens a Realtime response used, read from its response.done event
// (the same `response.usage` object in the GA and the beta API: input_tokens, output_tokens,
// input_token_details {text_tokens, audio_tokens, cached_tokens, cached_tokens_details
// {text_tokens, audio_tokens}}, output_token_details {text_tokens, audio_tokens}), so the
// session can meter what a call costs. Pure: no I/O.
//
//   if (auto used = response_done_usage(text))   // any upstream text frame
//       usage.tokens("openai", cfg.openai_realtime_model, *used);
#pragma once

#include "upstream/usage_meter.hpp"

#include <optional>
#include <string_view>

namespace donna::relay {

// The usage of a response.done event; nullopt for any other event (cheaply: most frames are
// audio deltas and are not parsed), or one without a usage object.
std::optional<token_usage> response_done_usage(std::string_view event_text);

} // namespace donna::relay
