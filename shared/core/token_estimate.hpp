// token_estimate.hpp: how many tokens a text costs a model, roughly: OpenAI's rule of thumb
// (about 4 characters of English per token) plus the 4 tokens of framing each message costs.
// An estimate for budgeting (a chat history, the memories put in a prompt), not a bill: usage
// comes from the API's own counts.
#pragma once

#include <cstddef>
#include <string_view>

namespace donna {

inline std::size_t estimate_tokens(std::string_view text)
{
    return (text.size() + 3) / 4 + 4;
}

} // namespace donna
