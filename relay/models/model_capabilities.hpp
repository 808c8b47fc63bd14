// model_capabilities.hpp: what the relay knows about which request fields a model takes, for
// the fields whose support differs between models of one API. Names only, no I/O; a model
// this file does not know is treated as the older kind (the request it gets is the one every
// model of the API takes).
//
//   if (realtime_model_reasons(cfg.openai_realtime_model))
//       session["reasoning"] = {{"effort", persona.realtime_reasoning_effort}};
#pragma once

#include <string_view>

namespace donna::relay {

// True for the reasoning Realtime models, gpt-realtime-2 and later ("gpt-realtime-2",
// "gpt-realtime-2.1", "gpt-realtime-2.1-mini", a dated snapshot of one): the ones that take
// session.reasoning and session.parallel_tool_calls ("Only supported by reasoning Realtime
// models such as gpt-realtime-2": openai-python types/realtime/
// realtime_session_create_request.py). False for gpt-realtime, gpt-realtime-mini,
// gpt-realtime-1.5 and the gpt-4o realtime previews.
// Header-only, so that the policy library takes it without linking the relay core.
inline bool realtime_model_reasons(std::string_view model)
{
    constexpr std::string_view family = "gpt-realtime-";
    if (!model.starts_with(family))
        return false;
    model.remove_prefix(family.size());
    // The generation: one or two digits, then a '.', a '-' or the end ("2", "2.1-mini",
    // "10"). Four digits are a date: "gpt-realtime-2025-08-28" is a gpt-realtime snapshot.
    int generation = 0;
    std::size_t digits = 0;
    while (digits < model.size() && digits < 3 && model[digits] >= '0' && model[digits] <= '9') {
        generation = generation * 10 + (model[digits] - '0');
        ++digits;
    }
    if (digits == 0 || digits > 2 ||
        (digits < model.size() && model[digits] != '.' && model[digits] != '-'))
        return false;
    return generation >= 2;
}

} // namespace donna::relay
